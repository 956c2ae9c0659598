// load_tokenizer(): reads the file, tells the kind from its bytes and hands it to its loader.

#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "kvtrace/core/error.hpp"
#include "kvtrace/tokenizer/tokenizer.hpp"
#include "tokenizer/hf_json.hpp"
#include "tokenizer/sentencepiece.hpp"
#include "tokenizer/tiktoken.hpp"

namespace kvtrace::tokenizer {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path.string() + ": cannot open the file");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw IoError(path.string() + ": cannot read the file");
  return bytes;
}

// The tokenizer file of a model directory, in the order the kinds are preferred.
fs::path file_in(const fs::path& dir) {
  for (const char* name : {"tokenizer.json", "tokenizer.model"}) {
    if (fs::is_regular_file(dir / name)) return dir / name;
  }
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".tiktoken" || entry.path().extension() == ".model") {
      return entry.path();
    }
  }
  throw IoError(dir.string() +
                ": no tokenizer.json, tokenizer.model, *.tiktoken or *.model in the directory");
}

bool looks_like_json(std::string_view bytes) {
  const std::size_t first = bytes.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && bytes[first] == '{';
}

}  // namespace

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path_name) {
  std::error_code error;
  const fs::path given(path_name);
  const fs::path path = fs::is_directory(given, error) ? file_in(given) : given;
  const std::string bytes = read_file(path);
  const TokenizerFile file{path.string(), bytes};
  // The definition is the file's bytes (and its tokenizer_config.json's, which sets BOS/EOS).
  std::uint64_t fingerprint = XXH3_64bits(bytes.data(), bytes.size());

  if (looks_like_json(bytes)) {
    const fs::path config_path = path.parent_path() / "tokenizer_config.json";
    std::optional<std::string> config_bytes;
    if (fs::is_regular_file(config_path, error)) {
      config_bytes = read_file(config_path);
      fingerprint = XXH3_64bits_withSeed(config_bytes->data(), config_bytes->size(), fingerprint);
    }
    if (!config_bytes) return load_hf_json(file, nullptr, fingerprint);
    const TokenizerFile config{config_path.string(), *config_bytes};
    return load_hf_json(file, &config, fingerprint);
  }
  if (looks_like_tiktoken(bytes)) return load_tiktoken(file, fingerprint);
  return load_sentencepiece(file, fingerprint);
}

}  // namespace kvtrace::tokenizer
