#pragma once
// KV-cache bytes per token of a model, from its Hugging Face config.json: what sizes a cache
// given in GiB (simulate's gpu_mem_gib) without working out kv_bytes_per_token by hand.
//
//   standard attention (MHA, GQA, MQA):
//     bytes/token = 2 (K and V) x num_hidden_layers x num_key_value_heads x head_dim x dtype
//     num_key_value_heads absent: num_attention_heads (MHA); head_dim absent:
//     hidden_size / num_attention_heads, refused when that is not an integer.
//   MLA (DeepSeek-V2/V3, Kimi K2: kv_lora_rank is set):
//     bytes/token = num_hidden_layers x (kv_lora_rank + qk_rope_head_dim) x dtype
//     one latent vector per layer and no factor 2: what vLLM and SGLang keep.
//   dtype: the kv_dtype given, else the config's dtype / torch_dtype (what vLLM's
//     kv_cache_dtype "auto" uses), else refused. "auto" is not a dtype.
//
// Read: those fields, from the top level, or from text_config / llm_config when the top level
// has no num_hidden_layers (Llama 4, Gemma 3, Mistral 3, InternVL wrappers); the dtype from
// that object, then from the top level.
//
// Layers that do not grow with the prefix: when the config lists layer_types, only
// "full_attention" layers ("attention" in older hybrids) are counted. "sliding_attention" and
// "chunked_attention" layers hold at most their window (sliding_window, attention_chunk_size)
// of tokens, and "linear_attention", "mamba" and "conv" layers a state of fixed size, so for
// the long shared prefixes a cache simulation is about they add nothing per token; they are
// left out (ModelKvLayout::layers_left_out, and the note says so). Any other layer type is
// refused. Without layer_types the config does not say which layers are which, so a
// sliding_window (unless use_sliding_window is false or the window is no shorter than
// max_position_embeddings), an attention_chunk_size, or a hybrid's layout keys
// (attn_layer_period, layers_block_type, hybrid_override_pattern, attn_type_list,
// full_attention_interval) are refused rather than guessed (Gemma 2 and 3 configs saved without
// layer_types, Mistral 7B v0.1, Llama 4, Jamba): give kv_bytes_per_token for those.
//
// Not counted: multi-token-prediction layers (num_nextn_predict_layers, used only for
// speculative decoding), indexer keys of sparse attention, quantization scales.
//
// Refused, as InputError "<source>: <field>: <problem>" (field paths such as
// "text_config.head_dim"): JSON that does not parse (with simdjson's message), a top level
// that is not an object, a missing count, a count that is not an integer in
// [1, kMaxModelDimension], an unknown dtype.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kvtrace::cache {

// The largest layer, head or width count read, so that every product fits in 64 bits.
inline constexpr std::uint32_t kMaxModelDimension = 1u << 20;

// fp8 covers e4m3 and e5m2 (one byte each). Sub-byte formats (fp4) are left out: their block
// scales make the bytes per element depend on the engine's layout.
enum class KvDtype { kFloat32, kFloat16, kBFloat16, kFp8, kInt8 };

// "fp32"/"float32", "fp16"/"float16"/"half", "bf16"/"bfloat16", "fp8"/"fp8_e4m3"/"fp8_e5m2",
// "int8"; UsageError (parameter kv_dtype) listing these for anything else.
KvDtype parse_kv_dtype(std::string_view name);
// "fp32", "fp16", "bf16", "fp8", "int8".
std::string_view kv_dtype_name(KvDtype dtype);
std::uint32_t kv_dtype_bytes(KvDtype dtype);

struct ModelKvLayout {
  std::string attention;              // "mha", "gqa", "mqa" or "mla"
  std::uint32_t layers = 0;           // layers counted: those holding KV for every token
  std::uint32_t layers_left_out = 0;  // sliding, chunked, linear-attention, mamba, conv layers
  std::uint32_t kv_heads = 0;         // 1 for MLA
  std::uint32_t head_dim = 0;         // MLA: kv_lora_rank + qk_rope_head_dim
  KvDtype dtype = KvDtype::kBFloat16;
  std::uint64_t kv_bytes_per_token = 0;
  // The sum as worked out, and what was assumed or left out, e.g. "MLA: 61 layers x
  // (kv_lora_rank 512 + qk_rope_head_dim 64) x 2 bytes (bf16, torch_dtype) = 70272 bytes per
  // token".
  std::string note;
};

// `json`: the text of a config.json; `source`: its name for messages; `dtype_override`: the
// KV dtype when it is not the config's (an fp8 cache of a bf16 model).
ModelKvLayout model_kv_layout(std::string_view json, std::string_view source,
                              std::optional<KvDtype> dtype_override);
// The same for the config.json at `path`; IoError when it cannot be read.
ModelKvLayout model_kv_layout_of_file(const std::string& path,
                                      std::optional<KvDtype> dtype_override);

}  // namespace kvtrace::cache
