#include "tokenizer/pre_tokenizer.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <string>

#include "kvtrace/core/error.hpp"
#include "tokenizer/utf8.hpp"

namespace kvtrace::tokenizer {
namespace {

struct CodeDeleter {
  void operator()(pcre2_code* p) const { pcre2_code_free(p); }
};
struct MatchDataDeleter {
  void operator()(pcre2_match_data* p) const { pcre2_match_data_free(p); }
};
struct ContextDeleter {
  void operator()(pcre2_match_context* p) const { pcre2_match_context_free(p); }
};
struct JitStackDeleter {
  void operator()(pcre2_jit_stack* p) const { pcre2_jit_stack_free(p); }
};

std::string pcre2_message(int code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(code, buffer, sizeof buffer);
  return reinterpret_cast<const char*>(buffer);
}

// Feeds the (start, end, is_match) segments of one split to the next step per HF's behaviors.
class Segments {
 public:
  Segments(SplitBehavior behavior, std::function<void(std::size_t, std::size_t)> out)
      : behavior_(behavior), out_(std::move(out)) {}

  void add(std::size_t start, std::size_t end, bool is_match) {
    switch (behavior_) {
      case SplitBehavior::kRemoved:
        if (!is_match) out_(start, end);
        break;
      case SplitBehavior::kIsolated:
        out_(start, end);
        break;
      case SplitBehavior::kMergedWithPrevious:
        // A match joins the piece before it, unless that piece ended with a match.
        if (is_match && !previous_match_ && pending_) {
          end_ = end;
        } else {
          restart(start, end);
        }
        break;
      case SplitBehavior::kMergedWithNext:
        // A match joins the piece after it, unless that piece is a match too.
        if (pending_ && previous_match_ && !is_match) {
          end_ = end;
          flush();
        } else {
          restart(start, end);
        }
        break;
      case SplitBehavior::kContiguous:
        if (pending_ && is_match == previous_match_) {
          end_ = end;
        } else {
          restart(start, end);
        }
        break;
    }
    previous_match_ = is_match;
  }

  void finish() { flush(); }

 private:
  void restart(std::size_t start, std::size_t end) {
    flush();
    pending_ = true;
    start_ = start;
    end_ = end;
  }
  void flush() {
    if (pending_) out_(start_, end_);
    pending_ = false;
  }

  SplitBehavior behavior_;
  std::function<void(std::size_t, std::size_t)> out_;
  bool pending_ = false;
  bool previous_match_ = false;
  std::size_t start_ = 0;
  std::size_t end_ = 0;
};

// HF runs these patterns on Oniguruma, whose \s is Unicode White_Space: tab to CR, U+0085,
// Zs, U+2028, U+2029. PCRE2's \s adds U+180E, so \s and \S (outside classes) are spelled
// out. (transformers.js, on JS regexes, instead adds U+FEFF and leaves out U+0085.)
std::string with_onig_white_space(std::string_view pattern) {
  constexpr std::string_view kSpace = R"(\t-\r\x{85}\p{Zs}\x{2028}\x{2029})";
  std::string out;
  bool in_class = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const char c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      const char next = pattern[++i];
      if (next == 's') {
        out.append(in_class ? "" : "[").append(kSpace).append(in_class ? "" : "]");
      } else if (next == 'S' && !in_class) {
        out.append("[^").append(kSpace).append("]");
      } else if (next == 'Q') {  // \Q...\E is literal text
        const std::size_t end = pattern.find("\\E", i + 1);
        const std::size_t stop = end == std::string_view::npos ? pattern.size() : end + 2;
        out.append(pattern.substr(i - 1, stop - (i - 1)));
        i = stop - 1;
      } else {
        out.push_back(c);
        out.push_back(next);
      }
      continue;
    }
    out.push_back(c);
    if (c == '[' && !in_class) {
      in_class = true;
      // A ']' first in a class ("[]" or "[^]") is a literal.
      if (i + 1 < pattern.size() && pattern[i + 1] == '^') out.push_back(pattern[++i]);
      if (i + 1 < pattern.size() && pattern[i + 1] == ']') out.push_back(pattern[++i]);
    } else if (c == '[' && in_class && i + 1 < pattern.size() && pattern[i + 1] == ':') {
      const std::size_t end = pattern.find(":]", i + 2);  // a POSIX class such as [:alpha:]
      if (end != std::string_view::npos) {
        out.append(pattern.substr(i + 1, end + 2 - (i + 1)));
        i = end + 1;
      }
    } else if (c == ']' && in_class) {
      in_class = false;
    }
  }
  return out;
}

}  // namespace

struct Regex::Impl {
  std::unique_ptr<pcre2_code, CodeDeleter> code;
  bool jit = false;
};

Regex::Regex(std::string_view pattern, bool literal) : impl_(std::make_unique<Impl>()) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  // PCRE2_LITERAL admits none of the pattern options.
  const std::uint32_t options =
      PCRE2_UTF | (literal ? PCRE2_LITERAL : PCRE2_UCP | PCRE2_DOLLAR_ENDONLY);
  const std::string source = literal ? std::string(pattern) : with_onig_white_space(pattern);
  impl_->code.reset(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(source.data()), source.size(),
                                  options, &error, &offset, nullptr));
  if (!impl_->code) {
    throw UsageError("regex " + std::string(pattern) + ": " + pcre2_message(error) + " at offset " +
                     std::to_string(offset));
  }
  // Without JIT support (some platforms) the interpreter gives the same matches, slower.
  impl_->jit = pcre2_jit_compile(impl_->code.get(), PCRE2_JIT_COMPLETE) == 0;
}

Regex::~Regex() = default;
Regex::Regex(Regex&&) noexcept = default;
Regex& Regex::operator=(Regex&&) noexcept = default;

struct Regex::Matcher::Impl {
  const Regex::Impl* regex;
  std::unique_ptr<pcre2_match_data, MatchDataDeleter> data;
  // Set up only when a match overflows JIT's default 32 KiB stack.
  std::unique_ptr<pcre2_match_context, ContextDeleter> context;
  std::unique_ptr<pcre2_jit_stack, JitStackDeleter> stack;
};

Regex::Matcher::Matcher(const Regex& regex) : impl_(std::make_unique<Impl>()) {
  impl_->regex = regex.impl_.get();
  impl_->data.reset(pcre2_match_data_create(1, nullptr));
  if (!impl_->data) throw std::bad_alloc();
}

Regex::Matcher::~Matcher() = default;
Regex::Matcher::Matcher(Matcher&&) noexcept = default;
Regex::Matcher& Regex::Matcher::operator=(Matcher&&) noexcept = default;

bool Regex::Matcher::find(std::string_view text, std::size_t from, std::size_t& start,
                          std::size_t& end) {
  Impl& m = *impl_;
  const auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  while (from <= text.size()) {
    // The caller guarantees valid UTF-8: checking it on every call would make splitting
    // quadratic in the text's length.
    const int rc = m.regex->jit ? pcre2_jit_match(m.regex->code.get(), subject, text.size(), from,
                                                  0, m.data.get(), m.context.get())
                                : pcre2_match(m.regex->code.get(), subject, text.size(), from,
                                              PCRE2_NO_UTF_CHECK, m.data.get(), m.context.get());
    if (rc == PCRE2_ERROR_NOMATCH) return false;
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT && !m.stack) {
      m.context.reset(pcre2_match_context_create(nullptr));
      m.stack.reset(pcre2_jit_stack_create(32 * 1024, 256 * 1024 * 1024, nullptr));
      if (!m.context || !m.stack) throw std::bad_alloc();
      pcre2_jit_stack_assign(m.context.get(), nullptr, m.stack.get());
      continue;
    }
    // PCRE2's bounds on backtracking: a text on which the regex would take exponential time.
    // The text is at fault (another text tokenizes), so it is a LimitError, not a bug.
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
        rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT) {
      throw LimitError("the pre-tokenizer regex backtracks too much on this text (PCRE2: " +
                       pcre2_message(rc) + ")");
    }
    if (rc < 0) throw Error("pre-tokenizer regex: " + pcre2_message(rc));
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(m.data.get());
    if (ovector[1] > ovector[0]) {
      start = ovector[0];
      end = ovector[1];
      return true;
    }
    // An empty match cuts nothing: look again one character further on.
    if (ovector[1] >= text.size()) return false;
    from = ovector[1] + utf8::step(text, ovector[1]).length;
  }
  return false;
}

void PreTokenizer::add_split(Regex regex, SplitBehavior behavior, bool invert) {
  steps_.push_back({std::make_unique<Regex>(std::move(regex)), behavior, invert});
}

void PreTokenizer::add_prefix_space() {
  steps_.push_back({});
}

void PreTokenizer::split(std::string_view text, const Emit& emit) const {
  std::vector<Regex::Matcher> matchers;
  matchers.reserve(steps_.size());
  for (const Step& step : steps_) {
    if (step.regex) matchers.emplace_back(*step.regex);
  }
  run(0, text, matchers, emit);
}

void PreTokenizer::run(std::size_t step_index, std::string_view piece,
                       std::vector<Regex::Matcher>& matchers, const Emit& emit) const {
  if (piece.empty()) return;
  if (step_index == steps_.size()) {
    emit(piece);
    return;
  }
  const Step& step = steps_[step_index];
  if (!step.regex) {
    if (piece.front() == ' ') {
      run(step_index + 1, piece, matchers, emit);
    } else {
      std::string spaced(1, ' ');
      spaced.append(piece);
      run(step_index + 1, spaced, matchers, emit);
    }
    return;
  }
  // Matchers are numbered by regex steps only.
  std::size_t matcher_index = 0;
  for (std::size_t i = 0; i < step_index; ++i) matcher_index += steps_[i].regex ? 1 : 0;
  Regex::Matcher& matcher = matchers[matcher_index];

  Segments segments(step.behavior, [&](std::size_t start, std::size_t end) {
    run(step_index + 1, piece.substr(start, end - start), matchers, emit);
  });
  std::size_t done = 0;
  std::size_t start = 0;
  std::size_t end = 0;
  while (matcher.find(piece, done, start, end)) {
    if (start > done) segments.add(done, start, step.invert);
    segments.add(start, end, !step.invert);
    done = end;
  }
  if (done < piece.size()) segments.add(done, piece.size(), step.invert);
  segments.finish();
}

}  // namespace kvtrace::tokenizer
