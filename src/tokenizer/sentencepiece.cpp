#include "tokenizer/sentencepiece.hpp"

#include <sentencepiece_processor.h>

#include <string>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "tokenizer/added_tokens.hpp"

namespace kvtrace::tokenizer {
namespace {

class SentencePieceTokenizer final : public Tokenizer {
 public:
  SentencePieceTokenizer(const TokenizerFile& file, std::uint64_t fingerprint)
      : fingerprint_(fingerprint) {
    const auto status = processor_.LoadFromSerializedProto(file.bytes);
    if (!status.ok()) {
      throw InputError(file.name, 0, "",
                       "not a tokenizer.json, tiktoken rank file or SentencePiece model (" +
                           std::string(status.message()) + ")");
    }
    std::vector<AddedToken> controls;
    for (int id = 0; id < processor_.GetPieceSize(); ++id) {
      if (processor_.IsControl(id)) {
        controls.push_back({processor_.IdToPiece(id), static_cast<TokenId>(id), true});
      }
    }
    controls_ = AddedTokens(std::move(controls));
  }

  using Tokenizer::encode;
  void encode(std::string_view text, std::vector<TokenId>& out) const override {
    std::vector<AddedTokens::Piece> pieces;
    controls_.split(text, pieces);
    std::vector<int> ids;
    for (const AddedTokens::Piece& piece : pieces) {
      if (piece.token) {
        out.push_back(piece.token->id);
        continue;
      }
      check(processor_.Encode(piece.text, &ids), "encode");
      out.insert(out.end(), ids.begin(), ids.end());
    }
  }

  // SentencePiece drops control pieces when decoding; they are written out here unless
  // skipped, as HF does.
  std::string decode(std::span<const TokenId> ids, bool skip_special_tokens) const override {
    const int size = processor_.GetPieceSize();
    std::string out;
    std::string part;
    std::vector<int> run;
    const auto flush = [&] {
      if (run.empty()) return;
      check(processor_.Decode(run, &part), "decode");
      out += part;
      run.clear();
    };
    for (const TokenId id : ids) {
      if (id >= static_cast<TokenId>(size)) {
        throw UsageError("decode: token id " + std::to_string(id) + " is not in the vocabulary");
      }
      const int i = static_cast<int>(id);
      if (processor_.IsControl(i)) {
        flush();
        if (!skip_special_tokens) out += processor_.IdToPiece(i);
      } else {
        run.push_back(i);
      }
    }
    flush();
    return out;
  }

  std::optional<TokenId> bos_token_id() const override { return id_or_none(processor_.bos_id()); }
  std::optional<TokenId> eos_token_id() const override { return id_or_none(processor_.eos_id()); }
  std::size_t vocab_size() const override {
    return static_cast<std::size_t>(processor_.GetPieceSize());
  }
  std::uint64_t fingerprint() const override { return fingerprint_; }

 private:
  static std::optional<TokenId> id_or_none(int id) {
    if (id < 0) return std::nullopt;
    return static_cast<TokenId>(id);
  }
  static void check(const sentencepiece::util::Status& status, const char* what) {
    if (!status.ok()) throw Error(std::string("sentencepiece ") + what + ": " + status.message());
  }

  sentencepiece::SentencePieceProcessor processor_;
  AddedTokens controls_;
  std::uint64_t fingerprint_;
};

}  // namespace

std::unique_ptr<Tokenizer> load_sentencepiece(const TokenizerFile& file,
                                              std::uint64_t fingerprint) {
  return std::make_unique<SentencePieceTokenizer>(file, fingerprint);
}

}  // namespace kvtrace::tokenizer
