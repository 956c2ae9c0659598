#pragma once
// A tokenizer file handed to a loader: its name (for messages) and its bytes.

#include <string>
#include <string_view>

namespace kvtrace::tokenizer {

struct TokenizerFile {
  std::string name;
  std::string_view bytes;
};

}  // namespace kvtrace::tokenizer
