// XREAD and XRANGE arguments: the error texts and their order are what
// redis-server 7.0.15 answered for the same command lines.

#include "tasq/results/stream_args.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

namespace tasq::results {
namespace {

struct Line {
  std::vector<std::string> words;
  std::vector<std::string_view> args;
  explicit Line(std::vector<std::string> w) : words(std::move(w)) {
    for (auto& word : words) args.emplace_back(word);
  }
};

std::string xread_error(std::vector<std::string> words) {
  Line line(std::move(words));
  auto result = parse_xread(line.args);
  return std::holds_alternative<std::string>(result) ? std::get<std::string>(result) : "";
}

std::string xrange_error(std::vector<std::string> words, bool reverse = false) {
  Line line(std::move(words));
  auto result = parse_xrange(line.args, reverse);
  return std::holds_alternative<std::string>(result) ? std::get<std::string>(result) : "";
}

constexpr const char* kUnbalanced =
    "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.";

TEST(XreadArgs, Errors) {
  EXPECT_EQ(xread_error({"XREAD", "STREAMS", "s", "0", "1"}), kUnbalanced);
  EXPECT_EQ(xread_error({"xread", "streams", "s", "s", "0"}), kUnbalanced);
  EXPECT_EQ(xread_error({"XREAD", "COUNT", "x", "STREAMS", "s", "0"}),
            "ERR value is not an integer or out of range");
  EXPECT_EQ(xread_error({"XREAD", "COUNT", "01", "STREAMS", "s", "0"}),
            "ERR value is not an integer or out of range");
  EXPECT_EQ(xread_error({"XREAD", "BLOCK", "-1", "STREAMS", "s", "0"}), "ERR timeout is negative");
  EXPECT_EQ(xread_error({"XREAD", "BLOCK", "1.5", "STREAMS", "s", "0"}),
            "ERR timeout is not an integer or out of range");
  EXPECT_EQ(xread_error({"XREAD", "FOO", "STREAMS", "s", "0"}), "ERR syntax error");
  EXPECT_EQ(xread_error({"XREAD", "BLOCK", "0", "STREAMS"}), "ERR syntax error");
  EXPECT_EQ(xread_error({"XREAD", "COUNT", "1", "BLOCK"}), "ERR syntax error");
  EXPECT_EQ(xread_error({"XREAD", "GROUP", "a", "b", "STREAMS", "s", "0"}),
            "ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
  EXPECT_EQ(xread_error({"XREAD", "NOACK", "STREAMS", "s", "0"}),
            "ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
  EXPECT_EQ(xread_error({"XREAD", "STREAMS", "s", "abc"}),
            "ERR Invalid stream ID specified as stream command argument");
  EXPECT_EQ(xread_error({"XREAD", "STREAMS", "s", "-"}),
            "ERR Invalid stream ID specified as stream command argument");
  EXPECT_EQ(xread_error({"XREAD", "STREAMS", "s", ">"}),
            "ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> "
            "<consumer> option.");
  // Options are checked left to right, ids after them.
  EXPECT_EQ(xread_error({"XREAD", "BLOCK", "10", "BLOCK", "-1", "STREAMS", "s", "0"}),
            "ERR timeout is negative");
  EXPECT_EQ(xread_error({"XREAD", "COUNT", "x", "COUNT", "-1", "STREAMS", "s", "0"}),
            "ERR value is not an integer or out of range");
}

TEST(XreadArgs, Parsed) {
  Line line({"XREAD", "COUNT", "-3", "BLOCK", "0", "COUNT", "2", "STREAMS", "a", "b", "$", "7"});
  auto result = parse_xread(line.args);
  ASSERT_TRUE(std::holds_alternative<XreadArgs>(result));
  const auto& args = std::get<XreadArgs>(result);
  EXPECT_EQ(args.count, 2u) << "the last COUNT wins";
  EXPECT_EQ(args.block_ms, 0);
  ASSERT_EQ(args.keys.size(), 2u);
  EXPECT_EQ(args.keys[0], "a");
  EXPECT_TRUE(args.from[0].last);
  EXPECT_EQ(args.from[1].id, (StreamId{7, 0}));

  Line negative({"XREAD", "COUNT", "-1", "STREAMS", "a", "0"});
  EXPECT_EQ(std::get<XreadArgs>(parse_xread(negative.args)).count, 0u) << "negative: no limit";
  Line plain({"XREAD", "STREAMS", "a", "0"});
  EXPECT_FALSE(std::get<XreadArgs>(parse_xread(plain.args)).block_ms);
}

TEST(XrangeArgs, Errors) {
  const std::string invalid = "ERR Invalid stream ID specified as stream command argument";
  EXPECT_EQ(xrange_error({"XRANGE", "s", "abc", "+"}), invalid);
  EXPECT_EQ(xrange_error({"XRANGE", "s", "-", "abc"}), invalid);
  EXPECT_EQ(xrange_error({"XRANGE", "s", "(", "+"}), invalid);
  EXPECT_EQ(xrange_error({"XRANGE", "s", "(-", "+"}), invalid);
  EXPECT_EQ(xrange_error({"XRANGE", "s", "$", "+"}), invalid);
  EXPECT_EQ(xrange_error({"XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"}),
            "ERR invalid start ID for the interval");
  EXPECT_EQ(xrange_error({"XRANGE", "s", "-", "(0-0"}), "ERR invalid end ID for the interval");
  EXPECT_EQ(xrange_error({"XRANGE", "s", "-", "+", "COUNT", "x"}),
            "ERR value is not an integer or out of range");
  EXPECT_EQ(xrange_error({"XRANGE", "s", "-", "+", "FOO"}), "ERR syntax error");
  EXPECT_EQ(xrange_error({"XRANGE", "s", "-", "+", "COUNT"}), "ERR syntax error");
  // XREVRANGE takes end before start, and checks the start first.
  EXPECT_EQ(
      xrange_error({"XREVRANGE", "s", "(0-0", "(18446744073709551615-18446744073709551615"}, true),
      "ERR invalid start ID for the interval");
}

TEST(XrangeArgs, Parsed) {
  Line line({"XRANGE", "k", "(5", "(9", "count", "-2", "COUNT", "4"});
  auto args = std::get<XrangeArgs>(parse_xrange(line.args, false));
  EXPECT_EQ(args.key, "k");
  EXPECT_EQ(args.start, (StreamId{5, 1})) << "(5 is 5-0, exclusive";
  EXPECT_EQ(args.end, (StreamId{9, UINT64_MAX - 1})) << "(9 is 9-max, exclusive";
  EXPECT_EQ(args.count, 4u);

  Line reverse({"XREVRANGE", "k", "+", "-", "COUNT", "-1"});
  auto rev = std::get<XrangeArgs>(parse_xrange(reverse.args, true));
  EXPECT_EQ(rev.start, (StreamId{0, 0}));
  EXPECT_EQ(rev.end, StreamId::max());
  EXPECT_EQ(rev.count, 0u) << "a negative COUNT is 0";
}

}  // namespace
}  // namespace tasq::results
