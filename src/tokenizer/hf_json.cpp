#include "tokenizer/hf_json.hpp"

#include <simdjson.h>

#include <optional>
#include <utility>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "tokenizer/bpe_tokenizer.hpp"
#include "tokenizer/byte_level.hpp"

namespace kvtrace::tokenizer {
namespace {

namespace dom = simdjson::dom;

// ByteLevel's own split when its use_regex is on (GPT-2).
constexpr std::string_view kGpt2Pattern =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)";

std::string type_name(dom::element e) {
  switch (e.type()) {
    case dom::element_type::ARRAY:
      return "an array";
    case dom::element_type::OBJECT:
      return "an object";
    case dom::element_type::STRING:
      return "a string";
    case dom::element_type::BOOL:
      return "a boolean";
    case dom::element_type::NULL_VALUE:
      return "null";
    default:
      return "a number";
  }
}

std::string in_quotes(std::string_view s) {
  std::string out(1, '\'');
  out.append(s).push_back('\'');
  return out;
}

// Typed access to one JSON file's fields; failures are InputErrors naming file and field.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw InputError(file_, 0, field, problem);
  }

  dom::object parse_object(dom::parser& parser, std::string_view bytes) const {
    const simdjson::padded_string padded(bytes);
    dom::element root;
    if (const auto error = parser.parse(padded).get(root)) {
      fail("", std::string("not valid JSON: ") + simdjson::error_message(error));
    }
    return object(root, "");
  }

  // The member `key` of `o`; nullopt when absent or null.
  static std::optional<dom::element> member(dom::object o, std::string_view key) {
    dom::element e;
    if (o.at_key(key).get(e) != simdjson::SUCCESS || e.is_null()) return std::nullopt;
    return e;
  }
  dom::element required(dom::object o, std::string_view key, const std::string& field) const {
    const auto e = member(o, key);
    if (!e) fail(field, "missing");
    return *e;
  }

  dom::object object(dom::element e, const std::string& field) const {
    dom::object o;
    if (e.get_object().get(o)) fail(field, "expected an object, got " + type_name(e));
    return o;
  }
  dom::array array(dom::element e, const std::string& field) const {
    dom::array a;
    if (e.get_array().get(a)) fail(field, "expected an array, got " + type_name(e));
    return a;
  }
  std::string_view string(dom::element e, const std::string& field) const {
    std::string_view s;
    if (e.get_string().get(s)) fail(field, "expected a string, got " + type_name(e));
    return s;
  }
  bool boolean(dom::object o, std::string_view key, const std::string& field, bool fallback) const {
    const auto e = member(o, key);
    if (!e) return fallback;
    bool b = false;
    if (e->get_bool().get(b)) fail(field, "expected a boolean, got " + type_name(*e));
    return b;
  }
  TokenId token_id(dom::element e, const std::string& field) const {
    std::uint64_t v = 0;
    if (e.get_uint64().get(v) || v > kMaxTokenId) {
      fail(field, "expected a token id from 0 to " + std::to_string(kMaxTokenId));
    }
    return static_cast<TokenId>(v);
  }
  std::string_view type(dom::object o, const std::string& field) const {
    return string(required(o, "type", field + ".type"), field + ".type");
  }

 private:
  std::string file_;
};

std::string indexed(const std::string& field, std::size_t i) {
  return field + "[" + std::to_string(i) + "]";
}

void add_normalizer(const Reader& r, dom::object spec, const std::string& field, Normalizer& out) {
  const std::string_view type = r.type(spec, field);
  if (type == "Sequence") {
    const std::string list = field + ".normalizers";
    std::size_t i = 0;
    for (const dom::element e : r.array(r.required(spec, "normalizers", list), list)) {
      add_normalizer(r, r.object(e, indexed(list, i)), indexed(list, i), out);
      ++i;
    }
  } else if (type == "NFC") {
    out.add(NormalForm::kNFC);
  } else if (type == "NFD") {
    out.add(NormalForm::kNFD);
  } else if (type == "NFKC") {
    out.add(NormalForm::kNFKC);
  } else if (type == "NFKD") {
    out.add(NormalForm::kNFKD);
  } else {
    r.fail(field + ".type", "unsupported normalizer " + in_quotes(type));
  }
}

SplitBehavior split_behavior(const Reader& r, std::string_view name, const std::string& field) {
  if (name == "Removed") return SplitBehavior::kRemoved;
  if (name == "Isolated") return SplitBehavior::kIsolated;
  if (name == "MergedWithPrevious") return SplitBehavior::kMergedWithPrevious;
  if (name == "MergedWithNext") return SplitBehavior::kMergedWithNext;
  if (name == "Contiguous") return SplitBehavior::kContiguous;
  r.fail(field, "unknown split behavior " + in_quotes(name));
}

Regex compile(const Reader& r, std::string_view pattern, bool literal, const std::string& field) {
  try {
    return Regex(pattern, literal);
  } catch (const UsageError& e) {
    r.fail(field, e.what());
  }
}

// Adds the steps of one pre-tokenizer spec; sets `byte_level` when it holds a ByteLevel.
void add_pre_tokenizer(const Reader& r, dom::object spec, const std::string& field,
                       PreTokenizer& out, bool& byte_level) {
  const std::string_view type = r.type(spec, field);
  if (type == "Sequence") {
    const std::string list = field + ".pretokenizers";
    std::size_t i = 0;
    for (const dom::element e : r.array(r.required(spec, "pretokenizers", list), list)) {
      add_pre_tokenizer(r, r.object(e, indexed(list, i)), indexed(list, i), out, byte_level);
      ++i;
    }
  } else if (type == "ByteLevel") {
    byte_level = true;
    if (r.boolean(spec, "add_prefix_space", field + ".add_prefix_space", false)) {
      out.add_prefix_space();
    }
    if (r.boolean(spec, "use_regex", field + ".use_regex", true)) {
      out.add_split(Regex(kGpt2Pattern), SplitBehavior::kIsolated);
    }
  } else if (type == "Split") {
    const std::string pattern_field = field + ".pattern";
    const dom::object pattern = r.object(r.required(spec, "pattern", pattern_field), pattern_field);
    Regex regex = [&] {
      if (const auto e = Reader::member(pattern, "Regex")) {
        return compile(r, r.string(*e, pattern_field + ".Regex"), false, pattern_field + ".Regex");
      }
      if (const auto e = Reader::member(pattern, "String")) {
        return compile(r, r.string(*e, pattern_field + ".String"), true, pattern_field + ".String");
      }
      r.fail(pattern_field, "expected a Regex or String member");
    }();
    const std::string behavior_field = field + ".behavior";
    const SplitBehavior behavior = split_behavior(
        r, r.string(r.required(spec, "behavior", behavior_field), behavior_field), behavior_field);
    out.add_split(std::move(regex), behavior, r.boolean(spec, "invert", field + ".invert", false));
  } else if (type == "Digits") {
    // HF tests char::is_numeric: general categories Nd, Nl and No, i.e. \p{N}.
    const bool each = r.boolean(spec, "individual_digits", field + ".individual_digits", false);
    out.add_split(Regex(each ? R"(\p{N})" : R"(\p{N}+)"), SplitBehavior::kIsolated);
  } else {
    r.fail(field + ".type", "unsupported pre-tokenizer " + in_quotes(type));
  }
}

// Decoding concatenates the tokens' bytes: right for these decoders only.
void check_decoder(const Reader& r, dom::object spec, const std::string& field) {
  const std::string_view type = r.type(spec, field);
  if (type == "Sequence") {
    const std::string list = field + ".decoders";
    std::size_t i = 0;
    for (const dom::element e : r.array(r.required(spec, "decoders", list), list)) {
      check_decoder(r, r.object(e, indexed(list, i)), indexed(list, i));
      ++i;
    }
  } else if (type != "ByteLevel" && type != "ByteFallback" && type != "Fuse") {
    r.fail(field + ".type", "unsupported decoder " + in_quotes(type));
  }
}

BytesMap<TokenId> read_vocab(const Reader& r, dom::object model) {
  const dom::object vocab = r.object(r.required(model, "vocab", "model.vocab"), "model.vocab");
  BytesMap<TokenId> out;
  out.reserve(vocab.size());
  for (const auto [key, value] : vocab) {
    std::uint64_t id = 0;
    if (value.get_uint64().get(id) || id > kMaxTokenId) {
      r.fail("model.vocab", "token " + in_quotes(key) + ": expected an id from 0 to " +
                                std::to_string(kMaxTokenId));
    }
    out.emplace(byte_level::to_bytes(key), static_cast<TokenId>(id));
  }
  return out;
}

std::vector<BpeMerge> read_merges(const Reader& r, dom::object model,
                                  const BytesMap<TokenId>& vocab) {
  const dom::array list = r.array(r.required(model, "merges", "model.merges"), "model.merges");
  std::vector<BpeMerge> out;
  out.reserve(list.size());
  std::uint32_t rank = 0;
  for (const dom::element e : list) {
    const std::string field = indexed("model.merges", rank);
    std::string_view left;
    std::string_view right;
    // "a b" in older files, ["a", "b"] since tokenizers 0.20.
    if (e.is_string()) {
      const std::string_view pair = r.string(e, field);
      const std::size_t space = pair.find(' ');
      if (space == std::string_view::npos || pair.find(' ', space + 1) != std::string_view::npos) {
        r.fail(field, "expected two tokens separated by one space, got " + in_quotes(pair));
      }
      left = pair.substr(0, space);
      right = pair.substr(space + 1);
    } else {
      const dom::array pair = r.array(e, field);
      if (pair.size() != 2) r.fail(field, "expected two tokens");
      left = r.string(pair.at(0).value_unsafe(), field);
      right = r.string(pair.at(1).value_unsafe(), field);
    }
    const std::string left_bytes = byte_level::to_bytes(left);
    const std::string right_bytes = byte_level::to_bytes(right);
    const auto id_of = [&](const std::string& bytes) {
      const auto it = vocab.find(bytes);
      if (it == vocab.end()) {
        r.fail(field,
               "token " + in_quotes(byte_level::to_text(bytes)) + " is not in the vocabulary");
      }
      return it->second;
    };
    out.push_back({id_of(left_bytes), id_of(right_bytes), id_of(left_bytes + right_bytes), rank++});
  }
  return out;
}

std::vector<AddedToken> read_added_tokens(const Reader& r, dom::object top) {
  std::vector<AddedToken> out;
  const auto list = Reader::member(top, "added_tokens");
  if (!list) return out;
  std::size_t i = 0;
  for (const dom::element e : r.array(*list, "added_tokens")) {
    const std::string field = indexed("added_tokens", i++);
    const dom::object o = r.object(e, field);
    AddedToken token;
    token.id = r.token_id(r.required(o, "id", field + ".id"), field + ".id");
    token.content = r.string(r.required(o, "content", field + ".content"), field + ".content");
    token.special = r.boolean(o, "special", field + ".special", false);
    token.lstrip = r.boolean(o, "lstrip", field + ".lstrip", false);
    token.rstrip = r.boolean(o, "rstrip", field + ".rstrip", false);
    out.push_back(std::move(token));
  }
  return out;
}

BpeOptions read_options(const Reader& r, dom::object model, const BytesMap<TokenId>& vocab) {
  BpeOptions options;
  options.byte_fallback = r.boolean(model, "byte_fallback", "model.byte_fallback", false);
  options.fuse_unk = r.boolean(model, "fuse_unk", "model.fuse_unk", false);
  options.ignore_merges = r.boolean(model, "ignore_merges", "model.ignore_merges", false);
  // An unknown token missing from the vocabulary is no error to HF until it is needed; then,
  // as without one, the bytes it would stand for are left out.
  if (const auto unk = Reader::member(model, "unk_token")) {
    const auto it = vocab.find(byte_level::to_bytes(r.string(*unk, "model.unk_token")));
    if (it != vocab.end()) options.unk = it->second;
  }
  for (const std::string_view key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    if (const auto e = Reader::member(model, key)) {
      const std::string field = "model." + std::string(key);
      if (!r.string(*e, field).empty()) r.fail(field, "not supported with byte-level BPE");
    }
  }
  // `dropout` only matters when training: encoding is deterministic, as HF's inference is.
  return options;
}

// The id of the token a tokenizer_config.json names, as HF resolves it: nullopt when the
// config does not name one or the token is unknown.
std::optional<TokenId> config_token(const Reader& r, dom::object config, std::string_view key,
                                    const AddedTokens& added, const BpeModel& model) {
  const auto e = Reader::member(config, key);
  if (!e) return std::nullopt;
  const std::string field(key);
  const std::string_view content =
      e->is_string() ? r.string(*e, field)
                     : r.string(r.required(r.object(*e, field), "content", field + ".content"),
                                field + ".content");
  if (const AddedToken* token = added.find(content)) return token->id;
  return model.find(byte_level::to_bytes(content));
}

}  // namespace

std::unique_ptr<Tokenizer> load_hf_json(const TokenizerFile& json, const TokenizerFile* config,
                                        std::uint64_t fingerprint) {
  const Reader r(json.name);
  dom::parser parser;
  const dom::object top = r.parse_object(parser, json.bytes);
  const dom::object model = r.object(r.required(top, "model", "model"), "model");
  if (const auto type = Reader::member(model, "type")) {
    const std::string_view name = r.string(*type, "model.type");
    if (name != "BPE") {
      r.fail("model.type", "unsupported model " + in_quotes(name) + " (kvtrace reads BPE models)");
    }
  }

  PreTokenizer pre_tokenizer;
  bool byte_level = false;
  if (const auto spec = Reader::member(top, "pre_tokenizer")) {
    add_pre_tokenizer(r, r.object(*spec, "pre_tokenizer"), "pre_tokenizer", pre_tokenizer,
                      byte_level);
  }
  if (!byte_level) {
    r.fail("pre_tokenizer",
           "not a byte-level BPE tokenizer (no ByteLevel pre-tokenizer); for a SentencePiece "
           "model load its .model file");
  }
  if (const auto spec = Reader::member(top, "decoder")) {
    check_decoder(r, r.object(*spec, "decoder"), "decoder");
  }
  Normalizer normalizer;
  if (const auto spec = Reader::member(top, "normalizer")) {
    add_normalizer(r, r.object(*spec, "normalizer"), "normalizer", normalizer);
  }

  BytesMap<TokenId> vocab = read_vocab(r, model);
  const std::vector<BpeMerge> merges = read_merges(r, model, vocab);
  const BpeOptions options = read_options(r, model, vocab);
  BpeTokenizerParts parts{BpeModel(std::move(vocab), merges, options),
                          AddedTokens(read_added_tokens(r, top)),
                          std::move(normalizer),
                          std::move(pre_tokenizer),
                          std::nullopt,
                          std::nullopt,
                          fingerprint};
  if (config) {
    const Reader cr(config->name);
    dom::parser config_parser;
    const dom::object c = cr.parse_object(config_parser, config->bytes);
    parts.bos = config_token(cr, c, "bos_token", parts.added_tokens, parts.model);
    parts.eos = config_token(cr, c, "eos_token", parts.added_tokens, parts.model);
  }
  return std::make_unique<BpeTokenizer>(std::move(parts));
}

}  // namespace kvtrace::tokenizer
