#include "kvtrace/cache/model_memory.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <utility>
#include <vector>

#include "kvtrace/core/error.hpp"

namespace kvtrace::cache {
namespace {

namespace dom = simdjson::dom;

constexpr std::pair<std::string_view, KvDtype> kDtypeNames[] = {
    {"fp32", KvDtype::kFloat32},      {"float32", KvDtype::kFloat32}, {"fp16", KvDtype::kFloat16},
    {"float16", KvDtype::kFloat16},   {"half", KvDtype::kFloat16},    {"bf16", KvDtype::kBFloat16},
    {"bfloat16", KvDtype::kBFloat16}, {"fp8", KvDtype::kFp8},         {"fp8_e4m3", KvDtype::kFp8},
    {"fp8_e5m2", KvDtype::kFp8},      {"int8", KvDtype::kInt8},
};

std::optional<KvDtype> find_dtype(std::string_view name) {
  for (const auto& [n, d] : kDtypeNames) {
    if (n == name) return d;
  }
  return std::nullopt;
}

std::string dtype_names() {
  std::string out;
  for (const auto& [n, d] : kDtypeNames) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

// Which layers keep KV for every token of the prefix (the header: "Layers that do not grow").
enum class LayerKind { kFull, kWindowed, kFixedState };

constexpr std::pair<std::string_view, LayerKind> kLayerTypes[] = {
    {"full_attention", LayerKind::kFull},
    {"attention", LayerKind::kFull},  // the older name in hybrids (transformers remaps it)
    {"sliding_attention", LayerKind::kWindowed},
    {"chunked_attention", LayerKind::kWindowed},
    {"linear_attention", LayerKind::kFixedState},
    {"mamba", LayerKind::kFixedState},
    {"conv", LayerKind::kFixedState},
};

// Keys by which hybrids say where their attention layers are in a vocabulary of their own.
constexpr std::string_view kHybridLayoutKeys[] = {"attn_layer_period", "layers_block_type",
                                                  "hybrid_override_pattern", "attn_type_list",
                                                  "full_attention_interval"};

// A value as it is written, for messages: "32.5", "\"32\"", "true", "an array".
std::string json_text(dom::element e) {
  if (e.is_array()) return "an array";
  if (e.is_object()) return "an object";
  std::string text = simdjson::minify(e);
  constexpr std::size_t kMax = 40;
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return text;
}

// One object of the config, its fields named by `prefix` + key in messages.
class ConfigObject {
 public:
  ConfigObject(const std::string& source, dom::object object, std::string prefix)
      : source_(&source), object_(object), prefix_(std::move(prefix)) {}

  const std::string& prefix() const { return prefix_; }
  std::string path(std::string_view key) const { return prefix_ + std::string(key); }

  [[noreturn]] void fail(std::string_view key, const std::string& problem) const {
    throw InputError(*source_, 0, key.empty() ? "" : path(key), problem);
  }

  // Null counts as absent, as transformers reads it.
  std::optional<dom::element> get(std::string_view key) const {
    dom::element e;
    if (object_.at_key(key).get(e) != simdjson::SUCCESS || e.is_null()) return std::nullopt;
    return e;
  }

  dom::object object(std::string_view key, dom::element e) const {
    dom::object o;
    if (e.get_object().get(o)) fail(key, "expected an object, got " + json_text(e));
    return o;
  }

  // A positive JSON integer, up to `max`.
  std::uint64_t positive(std::string_view key, dom::element e, std::uint64_t max) const {
    std::uint64_t v = 0;
    if (e.is_uint64()) v = e.get_uint64().value_unsafe();
    if (v == 0) fail(key, "expected a positive integer, got " + json_text(e));
    if (v > max)
      fail(key, fmt::format("expected a positive integer of at most {}, got {}", max, v));
    return v;
  }

  std::optional<std::uint32_t> opt_dimension(std::string_view key) const {
    const auto e = get(key);
    if (!e) return std::nullopt;
    return static_cast<std::uint32_t>(positive(key, *e, kMaxModelDimension));
  }
  std::uint32_t dimension(std::string_view key) const {
    const auto v = opt_dimension(key);
    if (!v) fail(key, "missing (expected a positive integer)");
    return *v;
  }

 private:
  const std::string* source_;
  dom::object object_;
  std::string prefix_;
};

// Layers holding KV for every token, and what the note says of the rest.
struct LayerCount {
  std::uint32_t counted = 0;
  std::uint32_t left_out = 0;
  std::vector<std::string> notes;
};

// A window's size in the note when the config gives it as an integer.
std::string window_of(const ConfigObject& cfg, std::string_view key) {
  const auto e = cfg.get(key);
  if (!e || !e->is_uint64()) return "";
  return fmt::format(" ({0} {1}: at most {1} tokens each)", cfg.path(key),
                     e->get_uint64().value_unsafe());
}

LayerCount count_layers(const ConfigObject& cfg, std::uint32_t total) {
  LayerCount out;
  const auto types = cfg.get("layer_types");
  if (!types) {
    // Without layer_types, which layers slide or are not attention is the model code's
    // business: refused rather than guessed (the header).
    constexpr std::string_view kGive = "; give the KV bytes per token (--kv-bytes-per-token)";
    for (const std::string_view key : kHybridLayoutKeys) {
      if (cfg.get(key)) {
        cfg.fail(key,
                 "a hybrid of attention and other layers, with no layer_types to say which "
                 "layers hold KV" +
                     std::string(kGive));
      }
    }
    if (const auto window = cfg.get("sliding_window")) {
      const auto use = cfg.get("use_sliding_window");
      if (use && !use->is_bool()) {
        cfg.fail("use_sliding_window", "expected true or false, got " + json_text(*use));
      }
      const bool used = !use || use->get_bool().value_unsafe();
      constexpr auto kAny = std::numeric_limits<std::uint64_t>::max();
      const std::uint64_t w = cfg.positive("sliding_window", *window, kAny);
      const auto max_pos = cfg.get("max_position_embeddings");
      const std::uint64_t longest =
          max_pos ? cfg.positive("max_position_embeddings", *max_pos, kAny) : 0;
      // A window no shorter than the longest context never slides (Phi-3.5).
      const bool never_slides = max_pos && w >= longest;
      if (used && !never_slides) {
        cfg.fail("sliding_window",
                 fmt::format("{} with no layer_types to say which layers use it{}", w, kGive));
      }
      out.notes.push_back(used ? fmt::format("{} {} >= {} {}: no layer slides",
                                             cfg.path("sliding_window"), w,
                                             cfg.path("max_position_embeddings"), longest)
                               : fmt::format("{} false: {} ignored", cfg.path("use_sliding_window"),
                                             cfg.path("sliding_window")));
    }
    if (const auto chunk = cfg.get("attention_chunk_size")) {
      cfg.fail("attention_chunk_size",
               fmt::format("{} with no layer_types to say which layers are chunked{}",
                           json_text(*chunk), kGive));
    }
    out.counted = total;
    return out;
  }

  dom::array list;
  if (types->get_array().get(list)) {
    cfg.fail("layer_types", "expected an array, got " + json_text(*types));
  }
  if (list.size() != total) {
    cfg.fail("layer_types", fmt::format("expected {} entries ({}), got {}", total,
                                        cfg.path("num_hidden_layers"), list.size()));
  }
  // Left-out layers by type, in the order they first appear.
  std::vector<std::pair<std::string_view, std::uint32_t>> left_out;
  std::size_t i = 0;
  for (const dom::element e : list) {
    const std::string key = fmt::format("layer_types[{}]", i++);
    std::string_view name;
    if (e.get_string().get(name)) cfg.fail(key, "expected a string, got " + json_text(e));
    std::optional<LayerKind> kind;
    for (const auto& [n, k] : kLayerTypes) {
      if (n == name) kind = k;
    }
    if (!kind) {
      std::string known;
      for (const auto& [n, k] : kLayerTypes) known += (known.empty() ? "" : ", ") + std::string(n);
      cfg.fail(key, fmt::format("'{}' is not a layer type kvtrace can size (known: {}); give the "
                                "KV bytes per token (--kv-bytes-per-token)",
                                name, known));
    }
    if (*kind == LayerKind::kFull) {
      ++out.counted;
      continue;
    }
    ++out.left_out;
    auto it = left_out.begin();
    while (it != left_out.end() && it->first != name) ++it;
    if (it == left_out.end()) {
      left_out.emplace_back(name, 1);
    } else {
      ++it->second;
    }
  }
  if (out.counted == 0) {
    cfg.fail("layer_types",
             "no full_attention layer: no layer keeps KV for every token; give the "
             "KV bytes per token (--kv-bytes-per-token)");
  }
  for (const auto& [name, n] : left_out) {
    std::string why;
    if (name == "sliding_attention") {
      why = window_of(cfg, "sliding_window");
    } else if (name == "chunked_attention") {
      why = window_of(cfg, "attention_chunk_size");
    } else {
      why = " (a state of fixed size)";
    }
    out.notes.push_back(fmt::format("{} {} layer{} left out{}", n, name, n == 1 ? "" : "s", why));
  }
  return out;
}

// The dtype named by the first of dtype / torch_dtype in `objects`, and the field it came from.
std::pair<KvDtype, std::string> config_dtype(const std::vector<const ConfigObject*>& objects) {
  for (const ConfigObject* f : objects) {
    // transformers 4.56 on writes "dtype"; earlier ones "torch_dtype".
    for (const std::string_view key : {"dtype", "torch_dtype"}) {
      const auto e = f->get(key);
      if (!e) continue;
      std::string_view name;
      if (e->get_string().get(name)) f->fail(key, "expected a string, got " + json_text(*e));
      const auto dtype = find_dtype(name);
      if (!dtype) {
        f->fail(key, fmt::format("'{}' is not a KV dtype (expected one of: {}); pass --kv-dtype",
                                 name, dtype_names()));
      }
      return {*dtype, f->path(key)};
    }
  }
  objects.back()->fail("torch_dtype", "missing (pass --kv-dtype to give the KV cache dtype)");
}

}  // namespace

KvDtype parse_kv_dtype(std::string_view name) {
  if (const auto d = find_dtype(name)) return *d;
  if (name == "auto") {
    throw UsageError("kv_dtype",
                     "'auto' is not a dtype: leave it out to take the config's torch_dtype");
  }
  throw UsageError("kv_dtype",
                   fmt::format("unknown dtype '{}' (expected one of: {})", name, dtype_names()));
}

std::string_view kv_dtype_name(KvDtype dtype) {
  switch (dtype) {
    case KvDtype::kFloat32:
      return "fp32";
    case KvDtype::kFloat16:
      return "fp16";
    case KvDtype::kBFloat16:
      return "bf16";
    case KvDtype::kFp8:
      return "fp8";
    case KvDtype::kInt8:
      return "int8";
  }
  return "?";
}

std::uint32_t kv_dtype_bytes(KvDtype dtype) {
  switch (dtype) {
    case KvDtype::kFloat32:
      return 4;
    case KvDtype::kFloat16:
    case KvDtype::kBFloat16:
      return 2;
    case KvDtype::kFp8:
    case KvDtype::kInt8:
      return 1;
  }
  return 0;
}

ModelKvLayout model_kv_layout(std::string_view json, std::string_view source,
                              std::optional<KvDtype> dtype_override) {
  const std::string file(source);
  dom::parser parser;
  const simdjson::padded_string padded(json);
  dom::element root;
  if (const auto error = parser.parse(padded).get(root)) {
    throw InputError(file, 0, "", std::string("not valid JSON: ") + simdjson::error_message(error));
  }
  dom::object top_object;
  if (root.get_object().get(top_object)) {
    throw InputError(file, 0, "", "expected a JSON object, got " + json_text(root));
  }
  const ConfigObject top(file, top_object, "");
  // Multimodal wrappers keep the language model's shape one level down.
  ConfigObject cfg = top;
  if (!top.get("num_hidden_layers")) {
    for (const std::string_view key : {"text_config", "llm_config"}) {
      if (const auto e = top.get(key)) {
        cfg = ConfigObject(file, top.object(key, *e), std::string(key) + ".");
        break;
      }
    }
  }

  ModelKvLayout out;
  std::vector<std::string> notes;
  const std::uint32_t total_layers = cfg.dimension("num_hidden_layers");
  const bool mla = cfg.get("kv_lora_rank").has_value();
  std::uint32_t rank = 0;  // MLA's latent width and its rotary part
  std::uint32_t rope = 0;
  if (mla) {
    rank = cfg.dimension("kv_lora_rank");
    rope = cfg.dimension("qk_rope_head_dim");
    out.attention = "mla";
    out.kv_heads = 1;
    out.head_dim = rank + rope;  // both <= 2^20
  } else {
    const std::uint32_t heads = cfg.dimension("num_attention_heads");
    const auto kv = cfg.opt_dimension("num_key_value_heads");
    if (kv && *kv > heads) {
      cfg.fail("num_key_value_heads",
               fmt::format("{} is more than {} {}", *kv, cfg.path("num_attention_heads"), heads));
    }
    if (!kv) {
      notes.push_back(fmt::format("{} absent: {} {} (MHA)", cfg.path("num_key_value_heads"),
                                  cfg.path("num_attention_heads"), heads));
    }
    out.kv_heads = kv.value_or(heads);
    if (const auto dim = cfg.opt_dimension("head_dim")) {
      out.head_dim = *dim;
    } else {
      const std::uint32_t hidden = cfg.dimension("hidden_size");
      if (hidden % heads != 0) {
        cfg.fail("head_dim", fmt::format("missing, and {} {} / {} {} is not an integer",
                                         cfg.path("hidden_size"), hidden,
                                         cfg.path("num_attention_heads"), heads));
      }
      out.head_dim = hidden / heads;
      notes.push_back(fmt::format("{} absent: {} {} / {} {}", cfg.path("head_dim"),
                                  cfg.path("hidden_size"), hidden, cfg.path("num_attention_heads"),
                                  heads));
    }
    out.attention = out.kv_heads == heads ? "mha" : out.kv_heads == 1 ? "mqa" : "gqa";
  }

  LayerCount layers = count_layers(cfg, total_layers);
  out.layers = layers.counted;
  out.layers_left_out = layers.left_out;
  notes.insert(notes.end(), layers.notes.begin(), layers.notes.end());

  std::string dtype_source = "given";
  if (dtype_override) {
    out.dtype = *dtype_override;
  } else {
    std::vector<const ConfigObject*> objects{&cfg};
    if (!cfg.prefix().empty()) objects.push_back(&top);
    auto [dtype, field] = config_dtype(objects);
    out.dtype = dtype;
    dtype_source = std::move(field);
  }
  const std::uint32_t bytes = kv_dtype_bytes(out.dtype);

  // Each factor is at most 2^20 (2^21 for MLA's sum) and bytes at most 4: no overflow.
  const std::string layers_text =
      out.layers_left_out == 0
          ? fmt::format("{} layer{}", out.layers, out.layers == 1 ? "" : "s")
          : fmt::format("{} full_attention layers (of {})", out.layers, total_layers);
  const std::string dtype_text = fmt::format("{} byte{} ({}, {})", bytes, bytes == 1 ? "" : "s",
                                             kv_dtype_name(out.dtype), dtype_source);
  if (mla) {
    out.kv_bytes_per_token = std::uint64_t{out.layers} * out.head_dim * bytes;
    out.note = fmt::format("MLA: {} x ({} {} + {} {}) x {}", layers_text, cfg.path("kv_lora_rank"),
                           rank, cfg.path("qk_rope_head_dim"), rope, dtype_text);
  } else {
    out.kv_bytes_per_token = 2 * std::uint64_t{out.layers} * out.kv_heads * out.head_dim * bytes;
    const std::string_view kind = out.attention == "mha"   ? "MHA"
                                  : out.attention == "mqa" ? "MQA"
                                                           : "GQA";
    out.note = fmt::format("{}: 2 (K and V) x {} x {} KV heads x head_dim {} x {}", kind,
                           layers_text, out.kv_heads, out.head_dim, dtype_text);
  }
  out.note += fmt::format(" = {} bytes per token", out.kv_bytes_per_token);
  if (!cfg.prefix().empty()) {
    notes.insert(notes.begin(), "read from " + cfg.prefix().substr(0, cfg.prefix().size() - 1));
  }
  for (const std::string& n : notes) out.note += "; " + n;
  return out;
}

ModelKvLayout model_kv_layout_of_file(const std::string& path,
                                      std::optional<KvDtype> dtype_override) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read " + path + ": " + std::strerror(errno));
  const std::string json{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw IoError("cannot read " + path + ": " + std::strerror(errno));
  return model_kv_layout(json, path, dtype_override);
}

}  // namespace kvtrace::cache
