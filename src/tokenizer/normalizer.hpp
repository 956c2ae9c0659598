#pragma once
// Unicode normalization of the text between added tokens (HF's NFC/NFD/NFKC/NFKD normalizers
// and Sequences of them; Qwen2/3 declare NFC), through utf8proc.

#include <string>
#include <string_view>
#include <vector>

namespace kvtrace::tokenizer {

enum class NormalForm { kNFC, kNFD, kNFKC, kNFKD };

class Normalizer {
 public:
  // Forms apply in the order added.
  void add(NormalForm form) { forms_.push_back(form); }
  bool empty() const { return forms_.empty(); }

  // `text` (valid UTF-8) normalized: `text` itself when no form changes it (checked cheaply:
  // ASCII, or for NFC anything below U+0300, is already normal), else a view of `buffer`.
  std::string_view apply(std::string_view text, std::string& buffer) const;

 private:
  std::vector<NormalForm> forms_;
};

}  // namespace kvtrace::tokenizer
