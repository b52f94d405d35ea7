// Malformed requests: each gives its own code and Redis's words, at the
// first byte that makes the request wrong, and the error never goes away.

#include <gtest/gtest.h>

#include "parser_test_support.h"

namespace tasq::resp::test {
namespace {

struct Bad {
  std::string bytes;
  ParseStatus status;
  std::string message;
};

std::vector<Bad> bad_requests() {
  const std::string mbl = "invalid multibulk length";
  const std::string bl = "invalid bulk length";
  return {
      {"*abc\r\n", ParseStatus::invalid_multibulk_length, mbl},
      {"*\r\n", ParseStatus::invalid_multibulk_length, mbl},
      {"*-\r\n", ParseStatus::invalid_multibulk_length, mbl},
      {"*01\r\n", ParseStatus::invalid_multibulk_length, mbl},
      {"*+1\r\n", ParseStatus::invalid_multibulk_length, mbl},
      {"*-0\r\n", ParseStatus::invalid_multibulk_length, mbl},
      {"* 1\r\n", ParseStatus::invalid_multibulk_length, mbl},
      {"*1 \r\n", ParseStatus::invalid_multibulk_length, mbl},
      {"*1\rX", ParseStatus::invalid_multibulk_length, mbl},
      {"*1\n", ParseStatus::invalid_multibulk_length, mbl},
      {"*99999999999999999999\r\n", ParseStatus::invalid_multibulk_length, mbl},
      {"*9223372036854775808\r\n", ParseStatus::invalid_multibulk_length, mbl},
      {"*2147483647\r\n", ParseStatus::invalid_multibulk_length, mbl},
      // No CR within the longest possible header: refused before it ends.
      {"*1111111111111111111111", ParseStatus::invalid_multibulk_length, mbl},
      {"*1\r\n$-1\r\n", ParseStatus::invalid_bulk_length, bl},
      {"*1\r\n$-5\r\n", ParseStatus::invalid_bulk_length, bl},
      {"*1\r\n$abc\r\n", ParseStatus::invalid_bulk_length, bl},
      {"*1\r\n$\r\n", ParseStatus::invalid_bulk_length, bl},
      {"*1\r\n$1x\r\n", ParseStatus::invalid_bulk_length, bl},
      {"*1\r\n$ 1\r\n", ParseStatus::invalid_bulk_length, bl},
      {"*1\r\n$01\r\n", ParseStatus::invalid_bulk_length, bl},
      {"*1\r\n$3\rfoo", ParseStatus::invalid_bulk_length, bl},
      {"*1\r\n$99999999999999999999\r\n", ParseStatus::invalid_bulk_length, bl},
      {"*1\r\n$9223372036854775807\r\n", ParseStatus::bulk_too_long, bl},
      {"*1\r\n$0000000000000000000000001\r\n", ParseStatus::invalid_bulk_length, bl},
      {"*1\r\n$3\r\nfooXY", ParseStatus::missing_crlf, "expected CRLF after bulk string"},
      {"*1\r\n$3\r\nfoo\nX", ParseStatus::missing_crlf, "expected CRLF after bulk string"},
      {"*1\r\n$3\r\nfoo\rX", ParseStatus::missing_crlf, "expected CRLF after bulk string"},
      {"*1\r\n$3\r\nfoobar\r\n", ParseStatus::missing_crlf, "expected CRLF after bulk string"},
      {"*3\r\n:1\r\n", ParseStatus::expected_dollar, "expected '$', got ':'"},
      {"*2\r\n$4\r\nPING\r\n:1\r\n", ParseStatus::expected_dollar, "expected '$', got ':'"},
      {"*3\r\n$3\r\nSET\r\n$1\r\nx\r\nfooz\r\n", ParseStatus::expected_dollar,
       "expected '$', got 'f'"},
      {"*1\r\n\r\n", ParseStatus::expected_dollar, "expected '$', got '\\x0d'"},
      {"*1\r\n*1\r\n", ParseStatus::expected_dollar, "expected '$', got '*'"},
      {std::string("*1\r\n\xff", 5), ParseStatus::expected_dollar, "expected '$', got '\\xff'"},
      {"ECHO \"abc\r\n", ParseStatus::unbalanced_quotes, "unbalanced quotes in request"},
  };
}

TEST(ParserErrors, EachMalformedFormHasItsCodeAndWords) {
  for (const auto& bad : bad_requests()) {
    Parser parser;
    feed_copy(parser, bad.bytes);
    std::vector<std::string_view> args;
    EXPECT_EQ(parser.next(args), bad.status) << bad.bytes;
    EXPECT_EQ(parser.error_message(), bad.message) << bad.bytes;
  }
}

TEST(ParserErrors, SameErrorWhateverTheCut) {
  for (const auto& bad : bad_requests()) {
    for (std::size_t cut = 0; cut <= bad.bytes.size(); ++cut) {
      Parser parser;
      Outcome outcome;
      receive(parser, std::string_view(bad.bytes).substr(0, cut));
      drain(parser, outcome);
      receive(parser, std::string_view(bad.bytes).substr(cut));
      drain(parser, outcome);
      EXPECT_TRUE(outcome.commands.empty()) << bad.bytes;
      EXPECT_EQ(outcome.last, bad.status) << bad.bytes << " cut at " << cut;
    }
  }
}

TEST(ParserErrors, ErrorsAreSticky) {
  for (const auto& bad : bad_requests()) {
    Parser parser;
    feed_copy(parser, bad.bytes);
    std::vector<std::string_view> args;
    ASSERT_EQ(parser.next(args), bad.status);
    const std::string message = parser.error_message();
    feed_copy(parser, "*1\r\n$4\r\nPING\r\nPING\r\n");
    EXPECT_EQ(parser.next(args), bad.status) << bad.bytes;
    parser.compact();
    feed_copy(parser, "PING\r\n");
    EXPECT_EQ(parser.next(args), bad.status) << bad.bytes;
    EXPECT_EQ(parser.next(args), bad.status) << bad.bytes;
    EXPECT_EQ(parser.error_message(), message);
  }
}

TEST(ParserErrors, NoMessageWithoutError) {
  Parser parser;
  std::vector<std::string_view> args;
  EXPECT_EQ(parser.error_message(), "");
  feed_copy(parser, "*1\r\n$4\r\nPI");
  EXPECT_EQ(parser.next(args), ParseStatus::need_more);
  EXPECT_EQ(parser.error_message(), "");
  feed_copy(parser, "NG\r\n");
  EXPECT_EQ(parser.next(args), ParseStatus::ok);
  EXPECT_EQ(parser.error_message(), "");
}

TEST(ParserErrors, NegativeAndZeroCountsAreSkippedAsRedisDoes) {
  const auto outcome = parse_whole("*0\r\n*-1\r\n*-10\r\n*1\r\n$4\r\nPING\r\n");
  EXPECT_EQ(outcome.commands, (std::vector<Command>{{"PING"}}));
  EXPECT_EQ(outcome.last, ParseStatus::need_more);
}

TEST(ParserErrors, DescribeUsesRedisWords) {
  EXPECT_EQ(describe(ParseStatus::invalid_multibulk_length), "invalid multibulk length");
  EXPECT_EQ(describe(ParseStatus::invalid_bulk_length), "invalid bulk length");
  EXPECT_EQ(describe(ParseStatus::bulk_too_long), "invalid bulk length");
  EXPECT_EQ(describe(ParseStatus::inline_too_long), "too big inline request");
  EXPECT_EQ(describe(ParseStatus::unbalanced_quotes), "unbalanced quotes in request");
  EXPECT_EQ(describe(ParseStatus::request_too_long), "request exceeds package_max_length");
  EXPECT_EQ(describe(ParseStatus::expected_dollar), "expected '$'");
}

}  // namespace
}  // namespace tasq::resp::test
