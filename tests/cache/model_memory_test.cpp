#include "kvtrace/cache/model_memory.hpp"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "kvtrace/core/error.hpp"

namespace kvtrace::cache {
namespace {

// The configs below are the published config.json files' relevant fields (the rest left
// out), unless a test says it made one up.

ModelKvLayout layout(std::string_view json, std::optional<KvDtype> dtype = std::nullopt) {
  return model_kv_layout(json, "config.json", dtype);
}

// The message of the InputError a config gets: "config.json: field: problem", a bad input
// file like a bad trace (exit code 2).
std::string error_of(std::string_view json, std::optional<KvDtype> dtype = std::nullopt) {
  try {
    layout(json, dtype);
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

// meta-llama/Llama-3.1-8B.
constexpr std::string_view kLlama31_8B = R"({
  "architectures": ["LlamaForCausalLM"], "model_type": "llama", "head_dim": 128,
  "hidden_size": 4096, "num_attention_heads": 32, "num_hidden_layers": 32,
  "num_key_value_heads": 8, "max_position_embeddings": 131072, "torch_dtype": "bfloat16"
})";

TEST(ModelMemory, Llama31_8B) {
  const ModelKvLayout l = layout(kLlama31_8B);
  EXPECT_EQ(l.attention, "gqa");
  EXPECT_EQ(l.layers, 32u);
  EXPECT_EQ(l.layers_left_out, 0u);
  EXPECT_EQ(l.kv_heads, 8u);
  EXPECT_EQ(l.head_dim, 128u);
  EXPECT_EQ(l.dtype, KvDtype::kBFloat16);
  // 2 * 32 * 8 * 128 * 2
  EXPECT_EQ(l.kv_bytes_per_token, 131072u);
  EXPECT_EQ(l.note,
            "GQA: 2 (K and V) x 32 layers x 8 KV heads x head_dim 128 x 2 bytes (bf16, "
            "torch_dtype) = 131072 bytes per token");
}

TEST(ModelMemory, Llama31_70B) {
  // meta-llama/Llama-3.1-70B.
  const ModelKvLayout l = layout(R"({
    "model_type": "llama", "head_dim": 128, "hidden_size": 8192, "num_attention_heads": 64,
    "num_hidden_layers": 80, "num_key_value_heads": 8, "torch_dtype": "bfloat16"
  })");
  EXPECT_EQ(l.attention, "gqa");
  // 2 * 80 * 8 * 128 * 2
  EXPECT_EQ(l.kv_bytes_per_token, 327680u);
}

TEST(ModelMemory, Qwen25_7BHeadDimFromHiddenSize) {
  // Qwen/Qwen2.5-7B: no head_dim; a sliding_window that use_sliding_window turns off.
  const ModelKvLayout l = layout(R"({
    "model_type": "qwen2", "hidden_size": 3584, "num_attention_heads": 28,
    "num_hidden_layers": 28, "num_key_value_heads": 4, "max_position_embeddings": 131072,
    "sliding_window": 131072, "use_sliding_window": false, "max_window_layers": 28,
    "torch_dtype": "bfloat16"
  })");
  EXPECT_EQ(l.head_dim, 128u);  // 3584 / 28
  EXPECT_EQ(l.layers, 28u);
  // 2 * 28 * 4 * 128 * 2
  EXPECT_EQ(l.kv_bytes_per_token, 57344u);
  EXPECT_EQ(l.note,
            "GQA: 2 (K and V) x 28 layers x 4 KV heads x head_dim 128 x 2 bytes (bf16, "
            "torch_dtype) = 57344 bytes per token; head_dim absent: hidden_size 3584 / "
            "num_attention_heads 28; use_sliding_window false: sliding_window ignored");
}

TEST(ModelMemory, DeepSeekV3IsMla) {
  // deepseek-ai/DeepSeek-V3: num_key_value_heads (128) is the attention's, not the cache's;
  // the MTP layer (num_nextn_predict_layers) is not counted.
  const ModelKvLayout l = layout(R"({
    "model_type": "deepseek_v3", "hidden_size": 7168, "num_attention_heads": 128,
    "num_hidden_layers": 61, "num_key_value_heads": 128, "kv_lora_rank": 512,
    "q_lora_rank": 1536, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64, "v_head_dim": 128,
    "num_nextn_predict_layers": 1, "torch_dtype": "bfloat16"
  })");
  EXPECT_EQ(l.attention, "mla");
  EXPECT_EQ(l.layers, 61u);
  EXPECT_EQ(l.kv_heads, 1u);
  EXPECT_EQ(l.head_dim, 576u);  // 512 + 64
  // 61 * (512 + 64) * 2, no factor 2 for K and V
  EXPECT_EQ(l.kv_bytes_per_token, 70272u);
  EXPECT_EQ(l.note,
            "MLA: 61 layers x (kv_lora_rank 512 + qk_rope_head_dim 64) x 2 bytes (bf16, "
            "torch_dtype) = 70272 bytes per token");
  // An fp8 cache: 61 * 576 * 1
  EXPECT_EQ(layout(R"({"num_hidden_layers": 61, "kv_lora_rank": 512, "qk_rope_head_dim": 64})",
                   KvDtype::kFp8)
                .kv_bytes_per_token,
            35136u);
}

TEST(ModelMemory, MhaWithoutNumKeyValueHeads) {
  // huggyllama/llama-7b (LLaMA 1, from before transformers knew GQA): neither
  // num_key_value_heads nor head_dim. (Every Mistral model states its 8 KV heads.)
  const ModelKvLayout l = layout(R"({
    "architectures": ["LlamaForCausalLM"], "hidden_size": 4096, "num_attention_heads": 32,
    "num_hidden_layers": 32, "max_position_embeddings": 2048, "torch_dtype": "float16"
  })");
  EXPECT_EQ(l.attention, "mha");
  EXPECT_EQ(l.kv_heads, 32u);
  EXPECT_EQ(l.head_dim, 128u);  // 4096 / 32
  EXPECT_EQ(l.dtype, KvDtype::kFloat16);
  // 2 * 32 * 32 * 128 * 2
  EXPECT_EQ(l.kv_bytes_per_token, 524288u);
  EXPECT_EQ(l.note,
            "MHA: 2 (K and V) x 32 layers x 32 KV heads x head_dim 128 x 2 bytes (fp16, "
            "torch_dtype) = 524288 bytes per token; num_key_value_heads absent: "
            "num_attention_heads 32 (MHA); head_dim absent: hidden_size 4096 / "
            "num_attention_heads 32");
}

TEST(ModelMemory, Mqa) {
  // google/gemma-2b: one KV head.
  const ModelKvLayout l = layout(R"({
    "model_type": "gemma", "head_dim": 256, "hidden_size": 2048, "num_attention_heads": 8,
    "num_hidden_layers": 18, "num_key_value_heads": 1, "torch_dtype": "bfloat16"
  })");
  EXPECT_EQ(l.attention, "mqa");
  // 2 * 18 * 1 * 256 * 2
  EXPECT_EQ(l.kv_bytes_per_token, 18432u);
}

TEST(ModelMemory, NestedTextConfig) {
  // mistralai/Mistral-Small-3.1-24B-Instruct-2503: the language model in text_config, the
  // dtype at the top level.
  const ModelKvLayout l = layout(R"({
    "architectures": ["Mistral3ForConditionalGeneration"], "model_type": "mistral3",
    "text_config": {
      "model_type": "mistral", "head_dim": 128, "hidden_size": 5120, "num_attention_heads": 32,
      "num_hidden_layers": 40, "num_key_value_heads": 8, "sliding_window": null
    },
    "vision_config": {"hidden_size": 1024, "num_hidden_layers": 24, "num_attention_heads": 16},
    "torch_dtype": "bfloat16"
  })");
  EXPECT_EQ(l.layers, 40u);
  // 2 * 40 * 8 * 128 * 2
  EXPECT_EQ(l.kv_bytes_per_token, 163840u);
  EXPECT_EQ(l.note,
            "GQA: 2 (K and V) x 40 layers x 8 KV heads x head_dim 128 x 2 bytes (bf16, "
            "torch_dtype) = 163840 bytes per token; read from text_config");
}

TEST(ModelMemory, NestedLlmConfigAndItsOwnDtype) {
  // OpenGVLab/InternVL2_5-8B: InternLM2.5-7B in llm_config, which has its own torch_dtype
  // (taken before the top level's).
  const ModelKvLayout l = layout(R"({
    "architectures": ["InternVLChatModel"], "model_type": "internvl_chat",
    "llm_config": {
      "architectures": ["InternLM2ForCausalLM"], "hidden_size": 4096, "num_attention_heads": 32,
      "num_hidden_layers": 32, "num_key_value_heads": 8, "torch_dtype": "bfloat16"
    },
    "torch_dtype": "float32"
  })");
  EXPECT_EQ(l.dtype, KvDtype::kBFloat16);
  // 2 * 32 * 8 * (4096 / 32 = 128) * 2
  EXPECT_EQ(l.kv_bytes_per_token, 131072u);
  EXPECT_EQ(l.note,
            "GQA: 2 (K and V) x 32 layers x 8 KV heads x head_dim 128 x 2 bytes (bf16, "
            "llm_config.torch_dtype) = 131072 bytes per token; read from llm_config; "
            "llm_config.head_dim absent: llm_config.hidden_size 4096 / "
            "llm_config.num_attention_heads 32");
}

TEST(ModelMemory, DtypeOverride) {
  // Llama-3.1-8B with an fp8 cache: half of bf16's 131072 (2 * 32 * 8 * 128 * 1).
  const ModelKvLayout fp8 = layout(kLlama31_8B, KvDtype::kFp8);
  EXPECT_EQ(fp8.dtype, KvDtype::kFp8);
  EXPECT_EQ(fp8.kv_bytes_per_token, 65536u);
  EXPECT_EQ(fp8.note,
            "GQA: 2 (K and V) x 32 layers x 8 KV heads x head_dim 128 x 1 byte (fp8, given) = "
            "65536 bytes per token");
  // fp32: twice bf16 (2 * 32 * 8 * 128 * 4).
  EXPECT_EQ(layout(kLlama31_8B, KvDtype::kFloat32).kv_bytes_per_token, 262144u);
  // Given, the config's dtype is not read: none, or one kvtrace does not know, is fine.
  constexpr std::string_view kNoDtype = R"({"num_hidden_layers": 32, "num_attention_heads": 32,
    "num_key_value_heads": 8, "head_dim": 128, "torch_dtype": "float64"})";
  EXPECT_EQ(layout(kNoDtype, KvDtype::kInt8).kv_bytes_per_token, 65536u);
}

TEST(ModelMemory, NewerDtypeKey) {
  // Qwen/Qwen3-8B's fields as transformers >= 4.56 saves them: "dtype", not "torch_dtype".
  const ModelKvLayout l = layout(R"({
    "model_type": "qwen3", "head_dim": 128, "hidden_size": 4096, "num_attention_heads": 32,
    "num_hidden_layers": 36, "num_key_value_heads": 8, "sliding_window": null,
    "use_sliding_window": false, "dtype": "bfloat16"
  })");
  // 2 * 36 * 8 * 128 * 2
  EXPECT_EQ(l.kv_bytes_per_token, 147456u);
  EXPECT_EQ(l.note,
            "GQA: 2 (K and V) x 36 layers x 8 KV heads x head_dim 128 x 2 bytes (bf16, dtype) = "
            "147456 bytes per token");
}

TEST(ModelMemory, SlidingLayersLeftOutByLayerTypes) {
  // openai/gpt-oss-20b: sliding (window 128) and full attention alternate over 24 layers.
  const ModelKvLayout l = layout(R"({
    "model_type": "gpt_oss", "head_dim": 64, "hidden_size": 2880, "num_attention_heads": 64,
    "num_hidden_layers": 24, "num_key_value_heads": 8, "sliding_window": 128,
    "layer_types": [
      "sliding_attention", "full_attention", "sliding_attention", "full_attention",
      "sliding_attention", "full_attention", "sliding_attention", "full_attention",
      "sliding_attention", "full_attention", "sliding_attention", "full_attention",
      "sliding_attention", "full_attention", "sliding_attention", "full_attention",
      "sliding_attention", "full_attention", "sliding_attention", "full_attention",
      "sliding_attention", "full_attention", "sliding_attention", "full_attention"
    ],
    "torch_dtype": "bfloat16"
  })");
  EXPECT_EQ(l.layers, 12u);
  EXPECT_EQ(l.layers_left_out, 12u);
  // 2 * 12 * 8 * 64 * 2: the 12 full-attention layers only
  EXPECT_EQ(l.kv_bytes_per_token, 24576u);
  EXPECT_EQ(l.note,
            "GQA: 2 (K and V) x 12 full_attention layers (of 24) x 8 KV heads x head_dim 64 x 2 "
            "bytes (bf16, torch_dtype) = 24576 bytes per token; 12 sliding_attention layers "
            "left out (sliding_window 128: at most 128 tokens each)");
}

TEST(ModelMemory, StateLayersLeftOutByLayerTypes) {
  // Made up: every kind of layer without per-token KV, and "attention", the older name of
  // full attention in hybrids, counted.
  const ModelKvLayout l = layout(R"({
    "num_hidden_layers": 6, "num_attention_heads": 16, "num_key_value_heads": 2,
    "head_dim": 256, "attention_chunk_size": 8192, "torch_dtype": "bfloat16",
    "layer_types": ["linear_attention", "mamba", "conv", "attention", "chunked_attention",
                    "full_attention"]
  })");
  EXPECT_EQ(l.layers, 2u);
  EXPECT_EQ(l.layers_left_out, 4u);
  // 2 * 2 * 2 * 256 * 2
  EXPECT_EQ(l.kv_bytes_per_token, 4096u);
  EXPECT_EQ(l.note,
            "GQA: 2 (K and V) x 2 full_attention layers (of 6) x 2 KV heads x head_dim 256 x 2 "
            "bytes (bf16, torch_dtype) = 4096 bytes per token; 1 linear_attention layer left out "
            "(a state of fixed size); 1 mamba layer left out (a state of fixed size); 1 conv "
            "layer left out (a state of fixed size); 1 chunked_attention layer left out "
            "(attention_chunk_size 8192: at most 8192 tokens each)");
}

TEST(ModelMemory, WindowNoShorterThanTheContextNeverSlides) {
  // microsoft/Phi-3.5-mini-instruct: a window of 262144 tokens in a 131072-token context.
  const ModelKvLayout l = layout(R"({
    "model_type": "phi3", "hidden_size": 3072, "num_attention_heads": 32,
    "num_hidden_layers": 32, "num_key_value_heads": 32, "max_position_embeddings": 131072,
    "sliding_window": 262144, "torch_dtype": "bfloat16"
  })");
  EXPECT_EQ(l.attention, "mha");
  // 2 * 32 * 32 * (3072 / 32 = 96) * 2
  EXPECT_EQ(l.kv_bytes_per_token, 393216u);
  EXPECT_EQ(l.note,
            "MHA: 2 (K and V) x 32 layers x 32 KV heads x head_dim 96 x 2 bytes (bf16, "
            "torch_dtype) = 393216 bytes per token; head_dim absent: hidden_size 3072 / "
            "num_attention_heads 32; sliding_window 262144 >= max_position_embeddings 131072: "
            "no layer slides");
}

TEST(ModelMemory, WindowsWithoutLayerTypesAreRefused) {
  // mistralai/Mistral-7B-v0.1: every layer slides, but the config does not say so.
  EXPECT_EQ(error_of(R"({
    "model_type": "mistral", "hidden_size": 4096, "num_attention_heads": 32,
    "num_hidden_layers": 32, "num_key_value_heads": 8, "max_position_embeddings": 32768,
    "sliding_window": 4096, "torch_dtype": "bfloat16"
  })"),
            "config.json: sliding_window: 4096 with no layer_types to say which layers use it; "
            "give the KV bytes per token (--kv-bytes-per-token)");
  // meta-llama/Llama-4-Scout-17B-16E: chunked attention on three layers in four.
  EXPECT_EQ(error_of(R"({
    "model_type": "llama4",
    "text_config": {
      "model_type": "llama4_text", "head_dim": 128, "hidden_size": 5120,
      "num_attention_heads": 40, "num_hidden_layers": 48, "num_key_value_heads": 8,
      "attention_chunk_size": 8192
    },
    "torch_dtype": "bfloat16"
  })"),
            "config.json: text_config.attention_chunk_size: 8192 with no layer_types to say "
            "which layers are chunked; give the KV bytes per token (--kv-bytes-per-token)");
  // Made up: a sliding_window that use_sliding_window does not switch off.
  EXPECT_EQ(error_of(R"({"num_hidden_layers": 2, "num_attention_heads": 2, "hidden_size": 8,
    "sliding_window": 4, "use_sliding_window": "yes"})"),
            "config.json: use_sliding_window: expected true or false, got \"yes\"");
}

TEST(ModelMemory, HybridsWithoutLayerTypesAreRefused) {
  // ai21labs/Jamba-v0.1: one attention layer in eight, the rest Mamba.
  EXPECT_EQ(error_of(R"({
    "model_type": "jamba", "hidden_size": 4096, "num_attention_heads": 32,
    "num_hidden_layers": 32, "num_key_value_heads": 8, "attn_layer_period": 8,
    "attn_layer_offset": 4, "torch_dtype": "bfloat16"
  })"),
            "config.json: attn_layer_period: a hybrid of attention and other layers, with no "
            "layer_types to say which layers hold KV; give the KV bytes per token "
            "(--kv-bytes-per-token)");
}

TEST(ModelMemory, BadLayerTypes) {
  constexpr std::string_view kHead =
      R"({"num_hidden_layers": 2, "num_attention_heads": 2, "hidden_size": 8, "layer_types": )";
  const auto with = [&](std::string_view types) {
    return error_of(std::string(kHead) + std::string(types) + "}");
  };
  EXPECT_EQ(with(R"(["full_attention"])"),
            "config.json: layer_types: expected 2 entries (num_hidden_layers), got 1");
  EXPECT_EQ(with(R"(["full_attention", "hybrid"])"),
            "config.json: layer_types[1]: 'hybrid' is not a layer type kvtrace can size (known: "
            "full_attention, attention, sliding_attention, chunked_attention, linear_attention, "
            "mamba, conv); give the KV bytes per token (--kv-bytes-per-token)");
  EXPECT_EQ(with(R"(["full_attention", 3])"),
            "config.json: layer_types[1]: expected a string, got 3");
  EXPECT_EQ(with(R"("full_attention")"),
            "config.json: layer_types: expected an array, got \"full_attention\"");
  EXPECT_EQ(with(R"(["sliding_attention", "sliding_attention"])"),
            "config.json: layer_types: no full_attention layer: no layer keeps KV for every "
            "token; give the KV bytes per token (--kv-bytes-per-token)");
}

TEST(ModelMemory, MissingAndBadCounts) {
  EXPECT_EQ(error_of(R"({"num_attention_heads": 32, "torch_dtype": "bfloat16"})"),
            "config.json: num_hidden_layers: missing (expected a positive integer)");
  // null is absent, as transformers reads it.
  EXPECT_EQ(error_of(R"({"num_hidden_layers": null})"),
            "config.json: num_hidden_layers: missing (expected a positive integer)");
  EXPECT_EQ(error_of(R"({"text_config": {"num_attention_heads": 32}})"),
            "config.json: text_config.num_hidden_layers: missing (expected a positive integer)");
  EXPECT_EQ(error_of(R"({"text_config": [1]})"),
            "config.json: text_config: expected an object, got an array");
  EXPECT_EQ(error_of(R"({"num_hidden_layers": 0})"),
            "config.json: num_hidden_layers: expected a positive integer, got 0");
  EXPECT_EQ(error_of(R"({"num_hidden_layers": -8})"),
            "config.json: num_hidden_layers: expected a positive integer, got -8");
  EXPECT_EQ(error_of(R"({"num_hidden_layers": 32.5})"),
            "config.json: num_hidden_layers: expected a positive integer, got 32.5");
  EXPECT_EQ(error_of(R"({"num_hidden_layers": "32"})"),
            "config.json: num_hidden_layers: expected a positive integer, got \"32\"");
  EXPECT_EQ(error_of(R"({"num_hidden_layers": true})"),
            "config.json: num_hidden_layers: expected a positive integer, got true");
  EXPECT_EQ(error_of(R"({"num_hidden_layers": 2000000})"),
            "config.json: num_hidden_layers: expected a positive integer of at most 1048576, got "
            "2000000");
  EXPECT_EQ(error_of(R"({"num_hidden_layers": 32})"),
            "config.json: num_attention_heads: missing (expected a positive integer)");
  EXPECT_EQ(error_of(R"({"num_hidden_layers": 32, "num_attention_heads": 32})"),
            "config.json: hidden_size: missing (expected a positive integer)");
  EXPECT_EQ(
      error_of(R"({"num_hidden_layers": 32, "num_attention_heads": 48, "hidden_size": 4000})"),
      "config.json: head_dim: missing, and hidden_size 4000 / num_attention_heads 48 is not "
      "an integer");
  EXPECT_EQ(error_of(R"({"num_hidden_layers": 32, "num_attention_heads": 32,
                         "num_key_value_heads": 64, "head_dim": 128})"),
            "config.json: num_key_value_heads: 64 is more than num_attention_heads 32");
  EXPECT_EQ(error_of(R"({"num_hidden_layers": 61, "kv_lora_rank": 512})"),
            "config.json: qk_rope_head_dim: missing (expected a positive integer)");
  EXPECT_EQ(error_of(R"({"num_hidden_layers": 61, "kv_lora_rank": 0, "qk_rope_head_dim": 64})"),
            "config.json: kv_lora_rank: expected a positive integer, got 0");
}

TEST(ModelMemory, Dtypes) {
  constexpr std::string_view kShape =
      R"({"num_hidden_layers": 1, "num_attention_heads": 1, "head_dim": 1)";
  const auto with = [&](std::string_view rest) {
    return error_of(std::string(kShape) + std::string(rest) + "}");
  };
  EXPECT_EQ(with(""),
            "config.json: torch_dtype: missing (pass --kv-dtype to give the KV cache dtype)");
  EXPECT_EQ(with(R"(, "torch_dtype": "float64")"),
            "config.json: torch_dtype: 'float64' is not a KV dtype (expected one of: fp32, "
            "float32, fp16, float16, half, bf16, bfloat16, fp8, fp8_e4m3, fp8_e5m2, int8); pass "
            "--kv-dtype");
  EXPECT_EQ(with(R"(, "torch_dtype": "auto")"),
            "config.json: torch_dtype: 'auto' is not a KV dtype (expected one of: fp32, "
            "float32, fp16, float16, half, bf16, bfloat16, fp8, fp8_e4m3, fp8_e5m2, int8); pass "
            "--kv-dtype");
  EXPECT_EQ(with(R"(, "dtype": 16)"), "config.json: dtype: expected a string, got 16");
  // Nested without a dtype anywhere: the top level's field is named.
  EXPECT_EQ(error_of(R"({"text_config": {"num_hidden_layers": 1, "num_attention_heads": 1,
                                         "head_dim": 1}})"),
            "config.json: torch_dtype: missing (pass --kv-dtype to give the KV cache dtype)");
  // 2 * 1 * 1 * 1 * 4
  EXPECT_EQ(layout(std::string(kShape) + R"(, "torch_dtype": "float32"})").kv_bytes_per_token, 8u);
}

TEST(ModelMemory, NotJson) {
  EXPECT_EQ(
      error_of(R"({"num_hidden_layers": 32,)"),
      std::string("config.json: not valid JSON: ") + simdjson::error_message(simdjson::TAPE_ERROR));
  EXPECT_EQ(error_of(""), std::string("config.json: not valid JSON: ") +
                              simdjson::error_message(simdjson::EMPTY));
  EXPECT_EQ(error_of("[32]"), "config.json: expected a JSON object, got an array");
  EXPECT_EQ(error_of("32"), "config.json: expected a JSON object, got 32");
  // The source as given names the file.
  try {
    model_kv_layout("{}", "models/llama/config.json", std::nullopt);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "models/llama/config.json: num_hidden_layers: missing (expected a positive "
                 "integer)");
  }
}

TEST(ModelMemory, LargestCountsDoNotOverflow) {
  // Every count at kMaxModelDimension (2^20), fp32: 2 * 2^20 * 2^20 * 2^20 * 4 = 2^63.
  const ModelKvLayout l = layout(R"({"num_hidden_layers": 1048576, "num_attention_heads": 1048576,
    "head_dim": 1048576, "torch_dtype": "float32"})");
  EXPECT_EQ(l.kv_bytes_per_token, std::uint64_t{1} << 63);
  // MLA: 2^20 * (2^20 + 2^20) * 4 = 2^43.
  EXPECT_EQ(layout(R"({"num_hidden_layers": 1048576, "kv_lora_rank": 1048576,
    "qk_rope_head_dim": 1048576, "torch_dtype": "float32"})")
                .kv_bytes_per_token,
            std::uint64_t{1} << 43);
}

TEST(ModelMemory, ParseKvDtype) {
  EXPECT_EQ(parse_kv_dtype("fp32"), KvDtype::kFloat32);
  EXPECT_EQ(parse_kv_dtype("float32"), KvDtype::kFloat32);
  EXPECT_EQ(parse_kv_dtype("fp16"), KvDtype::kFloat16);
  EXPECT_EQ(parse_kv_dtype("float16"), KvDtype::kFloat16);
  EXPECT_EQ(parse_kv_dtype("half"), KvDtype::kFloat16);
  EXPECT_EQ(parse_kv_dtype("bf16"), KvDtype::kBFloat16);
  EXPECT_EQ(parse_kv_dtype("bfloat16"), KvDtype::kBFloat16);
  EXPECT_EQ(parse_kv_dtype("fp8"), KvDtype::kFp8);
  EXPECT_EQ(parse_kv_dtype("fp8_e4m3"), KvDtype::kFp8);
  EXPECT_EQ(parse_kv_dtype("fp8_e5m2"), KvDtype::kFp8);
  EXPECT_EQ(parse_kv_dtype("int8"), KvDtype::kInt8);
  for (const auto& [d, name, bytes] :
       {std::tuple{KvDtype::kFloat32, "fp32", 4u}, std::tuple{KvDtype::kFloat16, "fp16", 2u},
        std::tuple{KvDtype::kBFloat16, "bf16", 2u}, std::tuple{KvDtype::kFp8, "fp8", 1u},
        std::tuple{KvDtype::kInt8, "int8", 1u}}) {
    EXPECT_EQ(kv_dtype_name(d), name);
    EXPECT_EQ(kv_dtype_bytes(d), bytes);
    EXPECT_EQ(parse_kv_dtype(kv_dtype_name(d)), d);
  }
  // Errors name the parameter, which the CLI shows as its flag.
  try {
    parse_kv_dtype("fp4");
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.parameter(), "kv_dtype");
    EXPECT_STREQ(e.what(),
                 "kv_dtype: unknown dtype 'fp4' (expected one of: fp32, float32, fp16, float16, "
                 "half, bf16, bfloat16, fp8, fp8_e4m3, fp8_e5m2, int8)");
  }
  try {
    parse_kv_dtype("auto");
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.parameter(), "kv_dtype");
    EXPECT_STREQ(e.what(),
                 "kv_dtype: 'auto' is not a dtype: leave it out to take the config's torch_dtype");
  }
  EXPECT_THROW(parse_kv_dtype("BF16"), UsageError);  // names are lower case, as vLLM's
  EXPECT_THROW(parse_kv_dtype(""), UsageError);
}

}  // namespace
}  // namespace kvtrace::cache
