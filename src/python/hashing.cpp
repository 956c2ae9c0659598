// Hashing from Python: Dynamo's block and sequence hashes over NumPy token arrays, the
// positional 128-bit hashes, the salts and AIPerf's rolling hasher (docs/python.md).

#include <pybind11/stl.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "kvtrace/core/error.hpp"
#include "kvtrace/hashing/block_hash.hpp"
#include "kvtrace/hashing/positional_lineage_hash.hpp"
#include "kvtrace/hashing/positional_sequence_hash.hpp"
#include "kvtrace/hashing/rolling_hasher.hpp"
#include "python/bindings.hpp"

namespace kvtrace::python {
namespace {

namespace kh = hashing;
using Tokens = TokenArray;
using U64Array = py::array_t<std::uint64_t>;

std::size_t checked_block_size(std::int64_t block_size) {
  if (block_size < 1) throw UsageError("block_size", "must be at least 1");
  return static_cast<std::size_t>(block_size);
}

// The salt to seed block hashes with: `salt` when given, else Dynamo's salt of the LoRA and
// namespace (both empty: kBaseSeed).
kh::SaltHash salt_of(std::optional<std::uint64_t> salt, const std::string& lora_name,
                     const std::string& cache_namespace) {
  if (salt && (!lora_name.empty() || !cache_namespace.empty())) {
    throw UsageError("salt", "give either salt or lora_name/cache_namespace, not both");
  }
  return salt ? *salt : kh::salt_hash({lora_name, cache_namespace});
}

// A writable C-contiguous uint64 array of n values: `given` when it is one, else a new one.
U64Array output(const py::object& given, std::size_t n, const char* name) {
  if (given.is_none()) return U64Array(static_cast<py::ssize_t>(n));
  auto a = py::cast<py::array>(given);
  if (!a.dtype().is(py::dtype::of<std::uint64_t>()) || a.ndim() != 1 ||
      (a.flags() & py::array::c_style) == 0 || !a.writeable()) {
    throw UsageError(name, "expected a writable contiguous one-dimensional uint64 array");
  }
  if (static_cast<std::size_t>(a.size()) != n) {
    throw UsageError(name, "must hold " + std::to_string(n) + " values (one per complete block)");
  }
  return py::reinterpret_borrow<U64Array>(a);
}

py::tuple hash_blocks(const py::handle& tokens, std::int64_t block_size,
                      std::optional<std::uint64_t> salt, const std::string& lora_name,
                      const std::string& cache_namespace, std::uint64_t chain_seed,
                      const py::object& block_out, const py::object& sequence_out) {
  const Tokens t(tokens);
  const std::size_t bs = checked_block_size(block_size);
  const kh::SaltHash s = salt_of(salt, lora_name, cache_namespace);
  const std::size_t n = t.span().size() / bs;
  U64Array block = output(block_out, n, "block_out");
  U64Array sequence = output(sequence_out, n, "sequence_out");
  const std::span<kh::BlockHash> b(block.mutable_data(), n);
  const std::span<kh::SequenceHash> q(sequence.mutable_data(), n);
  {
    py::gil_scoped_release unlocked;
    kh::hash_blocks(t.span(), bs, s, b, q, chain_seed);
  }
  return py::make_tuple(block, sequence);
}

// A 128-bit value as a Python int.
py::int_ to_int(kh::u128 v) {
  const py::int_ hi(kh::hi64(v));
  const py::int_ lo(kh::lo64(v));
  return py::reinterpret_steal<py::int_>(PyNumber_Or(
      py::reinterpret_steal<py::object>(PyNumber_Lshift(hi.ptr(), py::int_(64).ptr())).ptr(),
      lo.ptr()));
}

// The n x 2 uint64 array [hi, lo] of 128-bit values.
py::array_t<std::uint64_t> to_pairs(const std::vector<kh::u128>& values) {
  py::array_t<std::uint64_t> out({static_cast<py::ssize_t>(values.size()), py::ssize_t{2}});
  auto w = out.mutable_unchecked<2>();
  for (std::size_t i = 0; i < values.size(); ++i) {
    const auto r = static_cast<py::ssize_t>(i);
    w(r, 0) = kh::hi64(values[i]);
    w(r, 1) = kh::lo64(values[i]);
  }
  return out;
}

enum class Layout { kDynamo, kSeed };

Layout layout_of(const std::string& layout) {
  if (layout == "dynamo") return Layout::kDynamo;
  if (layout == "seed") return Layout::kSeed;
  throw UsageError("layout", "expected \"dynamo\" or \"seed\"");
}

kh::u128 lineage(Layout layout, kh::SequenceHash current, std::optional<kh::SequenceHash> parent,
                 std::uint64_t position) {
  return layout == Layout::kDynamo
             ? kh::PositionalLineageHash(current, parent, position).as_u128()
             : kh::PositionalLineageHashSeedLayout(current, parent, position).as_u128();
}

// The positional hashes of every complete block of `tokens`: PSH or one lineage layout.
py::array_t<std::uint64_t> positional(const py::handle& tokens, std::int64_t block_size,
                                      kh::SaltHash salt, std::uint64_t chain_seed,
                                      std::optional<Layout> layout) {
  const Tokens t(tokens);
  const std::size_t bs = checked_block_size(block_size);
  std::vector<kh::u128> values;
  {
    py::gil_scoped_release unlocked;
    const kh::BlockHashes h = kh::hash_blocks(t.span(), bs, salt, chain_seed);
    values.reserve(h.block.size());
    for (std::size_t i = 0; i < h.block.size(); ++i) {
      const std::optional<kh::SequenceHash> parent =
          i == 0 ? std::nullopt : std::optional(h.sequence[i - 1]);
      values.push_back(layout ? lineage(*layout, h.sequence[i], parent, i)
                              : kh::PositionalSequenceHash(h.sequence[i], i, h.block[i]).as_u128());
    }
  }
  return to_pairs(values);
}

// A RollingHasher shared by Python threads: calls run without the GIL, one at a time.
struct RollingHasher {
  explicit RollingHasher(std::uint32_t block_size) : hasher(block_size) {}

  template <typename F>
  auto run(F&& f) {
    py::gil_scoped_release unlocked;
    const std::lock_guard lock(mutex);
    return f(hasher);
  }

  kh::RollingHasher hasher;
  std::mutex mutex;
};

std::vector<std::string_view> views(const std::vector<std::string>& texts) {
  return {texts.begin(), texts.end()};
}

constexpr const char* kSaltDoc = R"(
    salt: the block-hash seed; None: Dynamo's salt of lora_name and cache_namespace
        (both empty: 1337, the base model).
    lora_name, cache_namespace: salted into the block hashes as Dynamo's router does.
    chain_seed: the seed of each chain step (Dynamo: 1337).)";

std::string doc(const char* head) {
  return std::string(head) + kSaltDoc;
}

}  // namespace

namespace {

template <typename T>
bool no_negatives(const py::array& a) {
  const auto* p = static_cast<const T*>(a.data());
  for (py::ssize_t i = 0; i < a.size(); ++i) {
    if (p[i] < 0) return false;
  }
  return true;
}

template <typename T>
void copy_checked(const py::array& a, std::vector<std::uint32_t>& out) {
  const auto v = a.unchecked<T, 1>();
  out.resize(static_cast<std::size_t>(v.shape(0)));
  for (py::ssize_t i = 0; i < v.shape(0); ++i) {
    const T x = v(i);
    if (x < 0 || static_cast<std::uint64_t>(x) > UINT32_MAX) {
      throw UsageError("tokens", "token " + std::to_string(x) + " at index " + std::to_string(i) +
                                     " is not a u32");
    }
    out[static_cast<std::size_t>(i)] = static_cast<std::uint32_t>(x);
  }
}

}  // namespace

TokenArray::TokenArray(const py::handle& obj) {
  py::array a = py::array::ensure(obj);
  if (!a) throw UsageError("tokens", "expected an array of integers");
  if (a.ndim() != 1) throw UsageError("tokens", "expected a one-dimensional array");
  if (a.size() == 0) return;
  const char kind = a.dtype().kind();
  if (kind != 'i' && kind != 'u') {
    throw UsageError("tokens", "expected integers, got dtype " + std::string(py::str(a.dtype())));
  }
  const bool contiguous = (a.flags() & py::array::c_style) != 0;
  if (contiguous && a.itemsize() == 4 && (kind == 'u' || no_negatives<std::int32_t>(a))) {
    held_ = a;
    view_ = {static_cast<const std::uint32_t*>(a.data()), static_cast<std::size_t>(a.size())};
    return;
  }
  switch (a.itemsize() * (kind == 'u' ? 1 : -1)) {
    case 1:
      copy_checked<std::uint8_t>(a, copied_);
      break;
    case 2:
      copy_checked<std::uint16_t>(a, copied_);
      break;
    case 4:
      copy_checked<std::uint32_t>(a, copied_);
      break;
    case 8:
      copy_checked<std::uint64_t>(a, copied_);
      break;
    case -1:
      copy_checked<std::int8_t>(a, copied_);
      break;
    case -2:
      copy_checked<std::int16_t>(a, copied_);
      break;
    case -4:
      copy_checked<std::int32_t>(a, copied_);
      break;
    case -8:
      copy_checked<std::int64_t>(a, copied_);
      break;
    default:
      throw UsageError("tokens", "unsupported integer width");
  }
  view_ = copied_;
}

void bind_hashing(py::module_& m) {
  m.attr("BASE_SEED") = kh::kBaseSeed;
  m.attr("CHAIN_SEED") = kh::kChainSeed;
  m.def(
      "xxh3_64",
      [](const std::string& data, std::uint64_t seed) {
        return kh::xxh3_64(std::as_bytes(std::span(data.data(), data.size())), seed);
      },
      py::arg("data"), py::arg("seed") = 0,
      "XXH3-64 with a seed of bytes (a str: its UTF-8 bytes).");
  m.def(
      "salt_hash",
      [](const std::string& lora_name, const std::string& cache_namespace) {
        return kh::salt_hash({lora_name, cache_namespace});
      },
      py::arg("lora_name") = "", py::arg("cache_namespace") = "",
      "Dynamo's compute_salt_hash: 1337, plus H(lora, 0) when a LoRA is named, plus H(namespace, "
      "1) when a namespace is given (wrapping u64 additions).");
  m.def("hash_blocks", &hash_blocks, py::arg("tokens"), py::arg("block_size"), py::kw_only(),
        py::arg("salt") = py::none(), py::arg("lora_name") = "", py::arg("cache_namespace") = "",
        py::arg("chain_seed") = kh::kChainSeed, py::arg("block_out") = py::none(),
        py::arg("sequence_out") = py::none(),
        doc("(block hashes, sequence hashes) of every complete block of tokens, uint64 arrays. "
            "block_out and sequence_out: arrays to write into instead of new ones.")
            .c_str());
  m.def(
      "positional_sequence_hashes",
      [](const py::handle& tokens, std::int64_t block_size, std::optional<std::uint64_t> salt,
         const std::string& lora, const std::string& ns, std::uint64_t chain_seed) {
        return positional(tokens, block_size, salt_of(salt, lora, ns), chain_seed, std::nullopt);
      },
      py::arg("tokens"), py::arg("block_size"), py::kw_only(), py::arg("salt") = py::none(),
      py::arg("lora_name") = "", py::arg("cache_namespace") = "",
      py::arg("chain_seed") = kh::kChainSeed,
      doc("The PositionalSequenceHash of every complete block: an (n, 2) uint64 array of "
          "[high 64 bits, low 64 bits].")
          .c_str());
  m.def(
      "positional_lineage_hashes",
      [](const py::handle& tokens, std::int64_t block_size, const std::string& layout,
         std::optional<std::uint64_t> salt, const std::string& lora, const std::string& ns,
         std::uint64_t chain_seed) {
        return positional(tokens, block_size, salt_of(salt, lora, ns), chain_seed,
                          layout_of(layout));
      },
      py::arg("tokens"), py::arg("block_size"), py::kw_only(), py::arg("layout") = "dynamo",
      py::arg("salt") = py::none(), py::arg("lora_name") = "", py::arg("cache_namespace") = "",
      py::arg("chain_seed") = kh::kChainSeed,
      doc("The PositionalLineageHash of every complete block: an (n, 2) uint64 array of "
          "[high 64 bits, low 64 bits]. layout: \"dynamo\" (Dynamo's current layout) or "
          "\"seed\" (the seed design's).")
          .c_str());
  m.def(
      "positional_sequence_hash",
      [](std::uint64_t sequence_hash, std::uint64_t position, std::uint64_t block_hash) {
        return to_int(kh::PositionalSequenceHash(sequence_hash, position, block_hash).as_u128());
      },
      py::arg("sequence_hash"), py::arg("position"), py::arg("block_hash"),
      "One PositionalSequenceHash as a 128-bit int.");
  m.def(
      "positional_lineage_hash",
      [](std::uint64_t current, std::optional<std::uint64_t> parent, std::uint64_t position,
         const std::string& layout) {
        return to_int(lineage(layout_of(layout), current, parent, position));
      },
      py::arg("current"), py::arg("parent"), py::arg("position"), py::kw_only(),
      py::arg("layout") = "dynamo",
      "One PositionalLineageHash as a 128-bit int; parent None for a first block.");
  m.def(
      "stable_hash", [](const std::string& data) { return kh::stable_hash(data); }, py::arg("data"),
      "AIPerf's _stable_hash of a str's UTF-8 bytes.");
  m.def(
      "stable_hash_tuple",
      [](const std::vector<std::int64_t>& values) { return kh::stable_hash_tuple(values); },
      py::arg("values"), "AIPerf's _stable_hash of a tuple of ints.");

  py::class_<RollingHasher>(m, "RollingHasher",
                            "AIPerf's RollingHasher: dense ids for block chains.")
      .def(py::init<std::uint32_t>(), py::arg("block_size") = 512)
      .def_property_readonly("block_size",
                             [](const RollingHasher& h) { return h.hasher.block_size(); })
      .def(
          "hash_blocks",
          [](RollingHasher& h, const std::vector<std::string>& blocks) {
            const std::vector<std::string_view> v = views(blocks);
            return to_numpy(h.run([&](kh::RollingHasher& r) { return r.hash_blocks(v); }));
          },
          py::arg("blocks"),
          "The ids (uint64 array) of one chain of text blocks, starting at parent 0.")
      .def(
          "hash_token_blocks",
          [](RollingHasher& h, const std::vector<std::vector<std::int64_t>>& blocks) {
            return to_numpy(
                h.run([&](kh::RollingHasher& r) { return r.hash_token_blocks(blocks); }));
          },
          py::arg("blocks"),
          "The ids (uint64 array) of one chain of token blocks, starting at parent 0.")
      .def(
          "reset", [](RollingHasher& h) { h.run([](kh::RollingHasher& r) { r.reset(); }); },
          "Restarts the chain; ids already handed out are kept, so ids stay unique.")
      .def(
          "stats",
          [](RollingHasher& h) {
            const kh::RollingHasherStats s = h.run([](kh::RollingHasher& r) { return r.stats(); });
            return py::make_tuple(s.total_hashes, s.max_id);
          },
          "(distinct chain hashes seen, the largest id handed out or -1).");
}

}  // namespace kvtrace::python
