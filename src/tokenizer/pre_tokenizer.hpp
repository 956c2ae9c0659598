#pragma once
// Pre-tokenization: cutting normalized text into the pieces BPE works on, as HF's `Split`,
// `ByteLevel` (its GPT-2 regex and add_prefix_space), `Digits` and `Sequence` pre-tokenizers
// do. Regexes are PCRE2 with UTF, Unicode properties and JIT.

#include <cstddef>
#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace kvtrace::tokenizer {

// A compiled pattern; immutable, so one Regex serves any number of threads.
class Regex {
 public:
  // Throws UsageError naming PCRE2's complaint and its offset when `pattern` does not compile.
  // `literal`: match the pattern's text itself (HF's {"String": ...} patterns). `$` matches at
  // the very end only, as in Rust's regex engines.
  explicit Regex(std::string_view pattern, bool literal = false);
  ~Regex();
  Regex(Regex&&) noexcept;
  Regex& operator=(Regex&&) noexcept;

  // One thread's matching state (PCRE2 match data, a JIT stack grown on demand).
  class Matcher {
   public:
    explicit Matcher(const Regex& regex);
    ~Matcher();
    Matcher(Matcher&&) noexcept;
    Matcher& operator=(Matcher&&) noexcept;
    // The next non-empty match in `text` (valid UTF-8) starting at or after byte `from`.
    // Throws LimitError when the match hits PCRE2's match, depth or heap limit (catastrophic
    // backtracking on this text).
    bool find(std::string_view text, std::size_t from, std::size_t& start, std::size_t& end);

   private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
  };

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// What a split does with the matches (HF's SplitDelimiterBehavior).
enum class SplitBehavior { kRemoved, kIsolated, kMergedWithPrevious, kMergedWithNext, kContiguous };

class PreTokenizer {
 public:
  // Splits every piece on `regex`; with `invert`, the non-matching stretches count as matches.
  void add_split(Regex regex, SplitBehavior behavior, bool invert = false);
  // ByteLevel's add_prefix_space: a space before every piece that does not begin with one.
  void add_prefix_space();

  using Emit = std::function<void(std::string_view)>;
  // Calls `emit` with each non-empty pre-token of `text` (valid UTF-8) in order. Pieces view
  // `text`, or a temporary valid during the call once a prefix space was added.
  void split(std::string_view text, const Emit& emit) const;

 private:
  struct Step {
    std::unique_ptr<Regex> regex;  // null for a prefix-space step
    SplitBehavior behavior = SplitBehavior::kIsolated;
    bool invert = false;
  };
  void run(std::size_t step, std::string_view piece, std::vector<Regex::Matcher>& matchers,
           const Emit& emit) const;

  std::vector<Step> steps_;
};

}  // namespace kvtrace::tokenizer
