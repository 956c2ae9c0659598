// The tokenizer from Python: load, encode and decode, one text or a batch, ids as NumPy
// arrays (docs/python.md, include/kvtrace/tokenizer/tokenizer.hpp).

#include <pybind11/stl.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "kvtrace/tokenizer/tokenizer.hpp"
#include "python/bindings.hpp"

namespace kvtrace::python {
namespace {

using tokenizer::TokenId;
using tokenizer::Tokenizer;

// Runs body(i) for i in [0, n) on a TBB arena of `threads` workers (0: one per core).
template <typename Body>
void parallel(std::size_t n, unsigned threads, const Body& body) {
  tbb::task_arena arena(threads == 0 ? tbb::task_arena::automatic : static_cast<int>(threads));
  arena.execute([&] { tbb::parallel_for(std::size_t{0}, n, [&](std::size_t i) { body(i); }); });
}

// The ids of every text as a CSR pair: (ids uint32, offsets int64 of len(texts) + 1).
py::tuple encode_batch(const Tokenizer& tok, const std::vector<std::string>& texts,
                       unsigned threads) {
  std::vector<TokenId> ids;
  std::vector<std::int64_t> offsets(texts.size() + 1, 0);
  {
    py::gil_scoped_release unlocked;
    std::vector<std::vector<TokenId>> each(texts.size());
    parallel(texts.size(), threads, [&](std::size_t i) { tok.encode(texts[i], each[i]); });
    for (std::size_t i = 0; i < each.size(); ++i) {
      offsets[i + 1] = offsets[i] + static_cast<std::int64_t>(each[i].size());
    }
    ids.reserve(static_cast<std::size_t>(offsets.back()));
    for (const auto& e : each) ids.insert(ids.end(), e.begin(), e.end());
  }
  return py::make_tuple(to_numpy(std::move(ids)), to_numpy(std::move(offsets)));
}

// The texts of a CSR pair of ids.
std::vector<std::string> decode_csr(
    const Tokenizer& tok, const py::handle& ids,
    const py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>& offsets,
    bool skip_special_tokens, unsigned threads) {
  const TokenArray all(ids);
  const std::span<const TokenId> span = all.span();
  const auto n = static_cast<std::size_t>(offsets.size() == 0 ? 0 : offsets.size() - 1);
  const std::int64_t* off = offsets.data();
  for (std::size_t i = 0; i < n; ++i) {
    if (off[i] < 0 || off[i + 1] < off[i] || static_cast<std::size_t>(off[i + 1]) > span.size()) {
      throw UsageError("offsets", "must rise from 0 to len(ids), at text " + std::to_string(i));
    }
  }
  std::vector<std::string> texts(n);
  py::gil_scoped_release unlocked;
  parallel(n, threads, [&](std::size_t i) {
    texts[i] = tok.decode(span.subspan(static_cast<std::size_t>(off[i]),
                                       static_cast<std::size_t>(off[i + 1] - off[i])),
                          skip_special_tokens);
  });
  return texts;
}

// The texts of a list of id arrays.
std::vector<std::string> decode_list(const Tokenizer& tok, const py::list& arrays,
                                     bool skip_special_tokens, unsigned threads) {
  std::vector<std::unique_ptr<TokenArray>> each;
  each.reserve(arrays.size());
  for (const py::handle a : arrays) each.push_back(std::make_unique<TokenArray>(a));
  std::vector<std::string> texts(each.size());
  py::gil_scoped_release unlocked;
  parallel(each.size(), threads,
           [&](std::size_t i) { texts[i] = tok.decode(each[i]->span(), skip_special_tokens); });
  return texts;
}

}  // namespace

void bind_tokenizer(py::module_& m) {
  py::class_<Tokenizer, std::unique_ptr<Tokenizer>>(
      m, "Tokenizer",
      "A model tokenizer: Hugging Face tokenizer.json (byte-level BPE), tiktoken rank file or "
      "SentencePiece .model.")
      .def(py::init([](const std::string& path) {
             py::gil_scoped_release unlocked;
             return tokenizer::load_tokenizer(path);
           }),
           py::arg("path"),
           "Loads a tokenizer file (or a directory holding one); the kind is detected from its "
           "bytes.")
      .def(
          "encode",
          [](const Tokenizer& tok, const std::string& text) {
            std::vector<TokenId> ids;
            {
              py::gil_scoped_release unlocked;
              tok.encode(text, ids);
            }
            return to_numpy(std::move(ids));
          },
          py::arg("text"),
          "The ids of a text (uint32 array), without BOS/EOS; special tokens written in the "
          "text are recognised.")
      .def("encode_batch", &encode_batch, py::arg("texts"), py::kw_only(), py::arg("threads") = 0,
           "The ids of every text as a CSR pair (ids uint32, offsets int64), encoded in "
           "parallel on `threads` workers (0: one per core).")
      .def(
          "decode",
          [](const Tokenizer& tok, const py::handle& ids, bool skip_special_tokens) {
            const TokenArray a(ids);
            py::gil_scoped_release unlocked;
            return tok.decode(a.span(), skip_special_tokens);
          },
          py::arg("ids"), py::arg("skip_special_tokens") = false,
          "The text of ids (any integer array); bytes that do not form UTF-8 become U+FFFD.")
      .def("decode_csr", &decode_csr, py::arg("ids"), py::arg("offsets"), py::kw_only(),
           py::arg("skip_special_tokens") = false, py::arg("threads") = 0,
           "The texts of a CSR pair of ids, decoded in parallel.")
      .def("decode_list", &decode_list, py::arg("arrays"), py::kw_only(),
           py::arg("skip_special_tokens") = false, py::arg("threads") = 0,
           "The texts of a list of id arrays, decoded in parallel.")
      .def_property_readonly("bos_token_id", &Tokenizer::bos_token_id)
      .def_property_readonly("eos_token_id", &Tokenizer::eos_token_id)
      .def_property_readonly("vocab_size", &Tokenizer::vocab_size)
      .def_property_readonly("fingerprint", &Tokenizer::fingerprint);
}

}  // namespace kvtrace::python
