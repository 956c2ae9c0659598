#include "tokenizer/bpe.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

namespace kvtrace::tokenizer {
namespace {

constexpr std::uint32_t kEnd = 0xFFFFFFFF;
// Symbol ids that no merge mentions: a byte missing from the vocabulary, a merged-away symbol.
constexpr TokenId kMissing = 0xFFFFFFFF;
constexpr TokenId kMerged = 0xFFFFFFFE;

// std::*_heap keep the largest first: "larger" here is the worse candidate.
bool worse(const BpeScratch::Candidate& a, const BpeScratch::Candidate& b) {
  return a.rank != b.rank ? a.rank > b.rank : a.pos > b.pos;
}

}  // namespace

BpeModel::BpeModel(BytesMap<TokenId> vocab, const std::vector<BpeMerge>& merges, BpeOptions options)
    : vocab_(std::move(vocab)), options_(options) {
  merges_.reserve(merges.size());
  for (const BpeMerge& m : merges) {
    merges_.insert_or_assign(pair_key(m.left, m.right), MergeValue{m.rank, m.result});
  }
  for (unsigned b = 0; b < 256; ++b) {
    const char ch = static_cast<char>(b);
    byte_token_[b] = find(std::string_view(&ch, 1));
    if (options_.byte_fallback) {
      char name[8];
      std::snprintf(name, sizeof name, "<0x%02X>", b);
      fallback_token_[b] = find(name);
    }
  }
}

std::optional<TokenId> BpeModel::find(std::string_view bytes) const {
  const auto it = vocab_.find(bytes);
  if (it == vocab_.end()) return std::nullopt;
  return it->second;
}

void BpeModel::push_candidate(BpeScratch& scratch, std::uint32_t pos) const {
  const BpeScratch::Symbol& s = scratch.symbols[pos];
  if (s.next == kEnd) return;
  const TokenId right = scratch.symbols[s.next].id;
  const auto it = merges_.find(pair_key(s.id, right));
  if (it == merges_.end()) return;
  scratch.heap.push_back({it->second.rank, pos, s.id, right, it->second.result});
  std::push_heap(scratch.heap.begin(), scratch.heap.end(), worse);
}

void BpeModel::append_missing_byte(std::uint8_t byte, std::vector<TokenId>& out,
                                   bool& last_was_unk) const {
  if (fallback_token_[byte]) {
    out.push_back(*fallback_token_[byte]);
    last_was_unk = false;
  } else if (options_.unk) {
    if (!(options_.fuse_unk && last_was_unk)) out.push_back(*options_.unk);
    last_was_unk = true;
  }
}

void BpeModel::encode_word(std::string_view word, std::vector<TokenId>& out,
                           BpeScratch& scratch) const {
  bool last_was_unk = false;
  if (word.size() == 1) {
    const auto b = static_cast<std::uint8_t>(word[0]);
    if (byte_token_[b]) {
      out.push_back(*byte_token_[b]);
    } else {
      append_missing_byte(b, out, last_was_unk);
    }
    return;
  }
  if (options_.ignore_merges) {
    if (const auto id = find(word)) {
      out.push_back(*id);
      return;
    }
  }
  const auto n = static_cast<std::uint32_t>(word.size());
  auto& symbols = scratch.symbols;
  symbols.resize(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto& id = byte_token_[static_cast<std::uint8_t>(word[i])];
    symbols[i] = {id ? *id : kMissing, i == 0 ? kEnd : i - 1, i + 1 == n ? kEnd : i + 1, i};
  }
  scratch.heap.clear();
  for (std::uint32_t i = 0; i + 1 < n; ++i) push_candidate(scratch, i);

  while (!scratch.heap.empty()) {
    std::pop_heap(scratch.heap.begin(), scratch.heap.end(), worse);
    const BpeScratch::Candidate c = scratch.heap.back();
    scratch.heap.pop_back();
    BpeScratch::Symbol& left = symbols[c.pos];
    // Stale when either side has merged since: a symbol's id only ever changes by growing.
    if (left.id != c.left || left.next == kEnd || symbols[left.next].id != c.right) continue;
    BpeScratch::Symbol& right = symbols[left.next];
    left.id = c.result;
    left.next = right.next;
    if (right.next != kEnd) symbols[right.next].prev = c.pos;
    right.id = kMerged;
    if (left.prev != kEnd) push_candidate(scratch, left.prev);
    push_candidate(scratch, c.pos);
  }

  // Merges keep the left position, so symbol 0 heads the list.
  for (std::uint32_t pos = 0; pos != kEnd; pos = symbols[pos].next) {
    const BpeScratch::Symbol& s = symbols[pos];
    if (s.id != kMissing) {
      out.push_back(s.id);
      last_was_unk = false;
    } else {
      append_missing_byte(static_cast<std::uint8_t>(word[s.start]), out, last_was_unk);
    }
  }
}

}  // namespace kvtrace::tokenizer
