// A co-process's stdout and stderr into log lines: splitting, escaping, the
// line-length and rate bounds, and the stderr tail kept for reasons.

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "handler_pipe_output.h"

namespace tasq::taskpool::handlers {
namespace {

using namespace std::chrono_literals;
using Clock = CoProcessOutput::Clock;

struct Collected {
  std::vector<std::pair<OutputStream, std::string>> lines;
  CoProcessOutput::Sink sink() {
    return [this](OutputStream stream, std::string_view line) {
      lines.emplace_back(stream, std::string(line));
    };
  }
};

TEST(PipeOutput, LinesAreSplitWhateverTheReads) {
  Collected got;
  CoProcessOutput output({}, got.sink());
  const auto now = Clock::now();
  output.append(OutputStream::out, "one\ntw", now);
  output.append(OutputStream::err, "oops", now);
  output.append(OutputStream::out, "o\r\nthree", now);
  ASSERT_EQ(got.lines.size(), 2u);
  EXPECT_EQ(got.lines[0].second, "one");
  EXPECT_EQ(got.lines[1].second, "two") << "a CR before the LF is dropped";
  output.finish(now);
  ASSERT_EQ(got.lines.size(), 4u);
  EXPECT_EQ(got.lines[2], std::make_pair(OutputStream::out, std::string("three")));
  EXPECT_EQ(got.lines[3], std::make_pair(OutputStream::err, std::string("oops")));
}

TEST(PipeOutput, ControlBytesAreEscapedSoALineCannotForgeAnother) {
  Collected got;
  CoProcessOutput output({}, got.sink());
  output.append(OutputStream::out, std::string("a\rb\x1b[0m\\\tc\0d\x7f\n", 15), Clock::now());
  ASSERT_EQ(got.lines.size(), 1u);
  EXPECT_EQ(got.lines[0].second, "a\\x0db\\x1b[0m\\\\\tc\\x00d\\x7f");
}

TEST(PipeOutput, LongLinesAreCutAndMarked) {
  Collected got;
  CoProcessOutput output({.max_line_bytes = 8}, got.sink());
  const auto now = Clock::now();
  output.append(OutputStream::out, "0123456789abc", now);
  output.append(OutputStream::out, "def\nshort\n", now);
  ASSERT_EQ(got.lines.size(), 2u);
  EXPECT_EQ(got.lines[0].second, "01234567 [line cut]");
  EXPECT_EQ(got.lines[1].second, "short");
}

TEST(PipeOutput, PastTheBurstTheRateAppliesAndDropsAreCounted) {
  Collected got;
  CoProcessOutput output({.burst_lines = 3, .lines_per_second = 2}, got.sink());
  auto now = Clock::now();
  for (int i = 0; i < 10; ++i) output.append(OutputStream::out, "x\n", now);
  EXPECT_EQ(got.lines.size(), 3u);
  EXPECT_EQ(output.dropped_total(), 7u);
  now += 1s;  // two more lines' worth
  output.append(OutputStream::out, "y\n", now);
  ASSERT_EQ(got.lines.size(), 5u);
  EXPECT_EQ(got.lines[3].second, "[7 line(s) of output dropped: more than the log takes]");
  EXPECT_EQ(got.lines[4].second, "y");
}

TEST(PipeOutput, TheStderrTailKeepsTheLastLines) {
  Collected got;
  CoProcessOutput output({.tail_bytes = 12}, got.sink());
  const auto now = Clock::now();
  EXPECT_EQ(output.stderr_tail(), "");
  output.append(OutputStream::out, "not stderr\n", now);
  output.append(OutputStream::err, "first\nsecond\nthird\n", now);
  EXPECT_EQ(output.stderr_tail(), "...\nsecond\nthird");
  output.reset();
  EXPECT_EQ(output.stderr_tail(), "");
}

}  // namespace
}  // namespace tasq::taskpool::handlers
