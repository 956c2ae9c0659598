// What the bash completion offers for each kind of option.

#include "cli/completion_words.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace kvtrace::cli {
namespace {

using Words = std::vector<std::string>;

struct Fixture {
  CLI::App app{"kvtrace"};
  std::string format = "table";
  std::string trace;
  std::string topic;
  int count = 0;
  std::vector<int> list;
  Fixture() {
    app.add_subcommand("analyze", "");
    app.add_subcommand("validate", "");
    app.add_option("-f,--format", format)->check(CLI::IsMember({"table", "json"}));
    app.add_option("trace", trace);
    app.add_option("topic", topic)->type_name("SUBCOMMAND");
    app.add_option("-n", count);
    app.add_option("--list", list)->delimiter(',');
  }
  const CLI::Option& option(const std::string& name) { return *app.get_option(name); }
};

TEST(CompletionOf, WordsFilesOrNothingByTheOptionsType) {
  Fixture f;
  const Completion format = completion_of(f.option("--format"), f.app);
  EXPECT_EQ(format.kind, Completion::kWords);
  EXPECT_EQ(format.words, (Words{"table", "json"}));
  EXPECT_EQ(completion_of(f.option("trace"), f.app).kind, Completion::kFiles);
  const Completion topic = completion_of(f.option("topic"), f.app);
  EXPECT_EQ(topic.kind, Completion::kWords);
  EXPECT_EQ(topic.words, (Words{"analyze", "validate"}));
  EXPECT_EQ(completion_of(f.option("-n"), f.app).kind, Completion::kNothing);
  EXPECT_EQ(completion_of(f.option("--list"), f.app).kind, Completion::kNothing);
}

TEST(FlagNames, ShortThenLong) {
  Fixture f;
  EXPECT_EQ(flag_names(f.option("--format")), "-f --format");
  EXPECT_EQ(flag_names(f.option("-n")), "-n");
  EXPECT_EQ(join_words({"a", "b", "c"}), "a b c");
}

TEST(ShellWord, PlainWordsPassOthersAreABug) {
  EXPECT_EQ(shell_word("--speedup-ratio"), "--speedup-ratio");
  EXPECT_EQ(shell_word("lru,fifo:1/2+x=y@z"), "lru,fifo:1/2+x=y@z");
  EXPECT_THROW(shell_word("two words"), std::logic_error);
  EXPECT_THROW(shell_word("$(rm)"), std::logic_error);
  EXPECT_THROW(shell_word(""), std::logic_error);
}

}  // namespace
}  // namespace kvtrace::cli
