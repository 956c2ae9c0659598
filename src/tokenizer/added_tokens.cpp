#include "tokenizer/added_tokens.hpp"

#include <algorithm>
#include <functional>

#include "tokenizer/utf8.hpp"

namespace kvtrace::tokenizer {
namespace {

// Length of the white space that ends `text` (valid UTF-8 or not: stops at what is not).
std::size_t trailing_space(std::string_view text) {
  std::size_t end = text.size();
  while (end > 0) {
    std::size_t start = end - 1;
    while (start > 0 && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
    const utf8::Step st = utf8::step(text, start);
    if (!st.valid || start + st.length != end ||
        !utf8::is_white_space(utf8::decode(text, start, st.length))) {
      break;
    }
    end = start;
  }
  return text.size() - end;
}

std::size_t leading_space(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    const utf8::Step st = utf8::step(text, pos);
    if (!st.valid || !utf8::is_white_space(utf8::decode(text, pos, st.length))) break;
    pos += st.length;
  }
  return pos;
}

}  // namespace

AddedTokens::AddedTokens(std::vector<AddedToken> tokens) {
  for (AddedToken& token : tokens) {
    if (token.content.empty() || by_content_.contains(token.content)) continue;
    by_content_.emplace(token.content, tokens_.size());
    first_byte_[static_cast<unsigned char>(token.content[0])] = true;
    lengths_.push_back(token.content.size());
    tokens_.push_back(std::move(token));
  }
  std::sort(lengths_.begin(), lengths_.end(), std::greater<>());
  lengths_.erase(std::unique(lengths_.begin(), lengths_.end()), lengths_.end());
}

const AddedToken* AddedTokens::find(std::string_view content) const {
  const auto it = by_content_.find(content);
  return it == by_content_.end() ? nullptr : &tokens_[it->second];
}

void AddedTokens::split(std::string_view text, std::vector<Piece>& out) const {
  out.clear();
  std::size_t text_start = 0;  // start of the ordinary text not yet given out
  const auto flush = [&](std::size_t end) {
    if (end > text_start) out.push_back({text.substr(text_start, end - text_start), nullptr});
  };
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (!first_byte_[static_cast<unsigned char>(text[pos])]) {
      ++pos;
      continue;
    }
    const AddedToken* token = nullptr;
    for (const std::size_t length : lengths_) {
      if (length > text.size() - pos) continue;
      token = find(text.substr(pos, length));
      if (token) break;
    }
    if (!token) {
      ++pos;
      continue;
    }
    std::size_t text_end = pos;
    if (token->lstrip) text_end -= trailing_space(text.substr(text_start, pos - text_start));
    flush(text_end);
    out.push_back({text.substr(pos, token->content.size()), token});
    pos += token->content.size();
    if (token->rstrip) pos += leading_space(text.substr(pos));
    text_start = pos;
  }
  flush(text.size());
}

}  // namespace kvtrace::tokenizer
