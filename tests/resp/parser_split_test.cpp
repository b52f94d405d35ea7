// Every sample gives the same commands however its bytes are cut: in two at
// every offset, byte by byte, and in three at every pair of offsets.

#include <gtest/gtest.h>

#include "parser_test_support.h"

namespace tasq::resp::test {
namespace {

struct Sample {
  const char* name;
  std::string bytes;
  std::vector<Command> commands;
  ParseStatus last = ParseStatus::need_more;
};

std::string binary_payload() {
  std::string payload = "a\r\nb\r\n*3\r\n$1\r\n";
  payload += '\0';
  payload += "\xff\xfe\n\r";
  return payload;
}

std::vector<Sample> samples() {
  std::vector<Sample> all;
  all.push_back({"ping", "*1\r\n$4\r\nPING\r\n", {{"PING"}}});
  all.push_back({"pipelined",
                 "*3\r\n$5\r\nLPUSH\r\n$1\r\nq\r\n$5\r\nhello\r\n"
                 "*1\r\n$4\r\nPING\r\n"
                 "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n",
                 {{"LPUSH", "q", "hello"}, {"PING"}, {"ECHO", ""}}});
  all.push_back({"binary",
                 multibulk({"LPUSH", "q", binary_payload()}) + multibulk({"RPUSH", "\r\n", "\n"}),
                 {{"LPUSH", "q", binary_payload()}, {"RPUSH", "\r\n", "\n"}}});
  all.push_back({"inline_quotes",
                 "SET \"a b\" 'c d' \"\\x41\\n\" plain\r\nPING\r\n",
                 {{"SET", "a b", "c d", "A\n", "plain"}, {"PING"}}});
  all.push_back({"skipped_and_mixed",
                 "PING\n*0\r\n\r\n*-1\r\n  \r\nECHO x\r\n*1\r\n$4\r\nPING\r\n\n",
                 {{"PING"}, {"ECHO", "x"}, {"PING"}}});
  all.push_back({"ten_args",
                 multibulk({"a", "bb", "", "dddd", "e", "f", "g", "h", "i", "j"}),
                 {{"a", "bb", "", "dddd", "e", "f", "g", "h", "i", "j"}}});
  all.push_back({"commands_then_error",
                 "*1\r\n$4\r\nPING\r\nPING\r\n*2\r\n$4\r\nECHO\r\n:1\r\n*1\r\n$4\r\nPING\r\n",
                 {{"PING"}, {"PING"}},
                 ParseStatus::expected_dollar});
  all.push_back({"inline_error_after_command",
                 "PING\r\nECHO \"abc\r\nPING\r\n",
                 {{"PING"}},
                 ParseStatus::unbalanced_quotes});
  all.push_back({"missing_crlf_after_bulk",
                 "*1\r\n$4\r\nPING\r\n*1\r\n$3\r\nfooXY",
                 {{"PING"}},
                 ParseStatus::missing_crlf});
  all.push_back({"partial_at_end", "*1\r\n$4\r\nPING\r\n*2\r\n$3\r\nGET\r\n$3\r\nke", {{"PING"}}});
  return all;
}

void expect_outcome(const Sample& sample, const Outcome& outcome, const std::string& how) {
  EXPECT_EQ(outcome.commands, sample.commands) << sample.name << " " << how;
  EXPECT_EQ(outcome.last, sample.last) << sample.name << " " << how;
}

TEST(ParserSplit, WholeSamples) {
  for (const auto& sample : samples()) {
    expect_outcome(sample, parse_whole(sample.bytes), "whole");
  }
}

TEST(ParserSplit, TwoPiecesAtEveryOffset) {
  for (const auto& sample : samples()) {
    const std::string_view bytes = sample.bytes;
    for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
      for (bool use_prepare : {false, true}) {
        Parser parser;
        Outcome outcome;
        if (use_prepare) {
          receive(parser, bytes.substr(0, cut));
        } else {
          feed_copy(parser, bytes.substr(0, cut));
        }
        drain(parser, outcome, /*compact=*/use_prepare);
        if (use_prepare) {
          receive(parser, bytes.substr(cut));
        } else {
          feed_copy(parser, bytes.substr(cut));
        }
        drain(parser, outcome, use_prepare);
        expect_outcome(sample, outcome, "cut at " + std::to_string(cut));
      }
    }
  }
}

TEST(ParserSplit, ByteByByte) {
  for (const auto& sample : samples()) {
    for (bool compact_each : {false, true}) {
      Parser parser;
      Outcome outcome;
      for (char c : sample.bytes) {
        receive(parser, std::string_view(&c, 1));
        drain(parser, outcome, compact_each);
      }
      expect_outcome(sample, outcome, compact_each ? "bytewise, compacting" : "bytewise");
    }
  }
}

TEST(ParserSplit, ThreePiecesAtEveryPairOfOffsets) {
  for (const auto& sample : samples()) {
    const std::string_view bytes = sample.bytes;
    for (std::size_t a = 0; a <= bytes.size(); ++a) {
      for (std::size_t b = a; b <= bytes.size(); ++b) {
        Parser parser;
        Outcome outcome;
        receive(parser, bytes.substr(0, a));
        drain(parser, outcome);
        receive(parser, bytes.substr(a, b - a));
        drain(parser, outcome);
        receive(parser, bytes.substr(b));
        drain(parser, outcome);
        expect_outcome(sample, outcome, "cut at " + std::to_string(a) + "," + std::to_string(b));
      }
    }
  }
}

// Random commands and random cuts, with a fixed seed so a failure repeats.
TEST(ParserSplit, RandomCommandsAndCuts) {
  std::uint64_t state = 0x9e3779b97f4a7c15ULL;
  auto random = [&state](std::uint64_t bound) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state % bound;
  };
  for (int round = 0; round < 200; ++round) {
    std::vector<Command> commands;
    std::string bytes;
    const auto count = 1 + random(6);
    for (std::uint64_t c = 0; c < count; ++c) {
      Command command;
      const auto argc = 1 + random(5);
      for (std::uint64_t a = 0; a < argc; ++a) {
        std::string arg(random(40), '\0');
        for (char& ch : arg) ch = static_cast<char>(random(256));
        command.push_back(arg);
      }
      bytes += multibulk(command);
      commands.push_back(command);
    }
    Parser parser;
    Outcome outcome;
    std::string_view rest = bytes;
    while (!rest.empty()) {
      const auto n = std::min<std::size_t>(rest.size(), 1 + random(64));
      receive(parser, rest.substr(0, n), 1 + random(32));
      rest.remove_prefix(n);
      drain(parser, outcome, random(2) == 0);
    }
    EXPECT_EQ(outcome.commands, commands) << "round " << round;
    EXPECT_EQ(outcome.last, ParseStatus::need_more);
    EXPECT_EQ(parser.buffered(), 0U);
  }
}

}  // namespace
}  // namespace tasq::resp::test
