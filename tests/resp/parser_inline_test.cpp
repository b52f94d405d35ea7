// Inline commands, split the way Redis splits them (sdssplitargs).

#include <gtest/gtest.h>

#include "parser_test_support.h"

namespace tasq::resp::test {
namespace {

Command one_command(std::string_view line) {
  const auto outcome = parse_whole(line);
  EXPECT_EQ(outcome.last, ParseStatus::need_more) << line;
  EXPECT_EQ(outcome.commands.size(), 1U) << line;
  return outcome.commands.empty() ? Command{} : outcome.commands.front();
}

ParseStatus status_of(std::string_view line) { return parse_whole(line).last; }

TEST(ParserInline, WhitespaceSeparates) {
  EXPECT_EQ(one_command("PING\r\n"), (Command{"PING"}));
  EXPECT_EQ(one_command("  LPUSH \t q   x  \r\n"), (Command{"LPUSH", "q", "x"}));
  EXPECT_EQ(one_command("A\rB\vC\fD\r\n"), (Command{"A", "B", "C", "D"}));
}

TEST(ParserInline, LoneLineFeedEndsALine) {
  const auto outcome = parse_whole("PING\nECHO x\n");
  EXPECT_EQ(outcome.commands, (std::vector<Command>{{"PING"}, {"ECHO", "x"}}));
}

TEST(ParserInline, EmptyLinesAreSkipped) {
  const auto outcome = parse_whole("\r\n\n   \r\n\t\nPING\r\n\r\n");
  EXPECT_EQ(outcome.commands, (std::vector<Command>{{"PING"}}));
  EXPECT_EQ(outcome.last, ParseStatus::need_more);
}

TEST(ParserInline, DoubleQuotesUnderstandEscapes) {
  EXPECT_EQ(one_command("ECHO \"a b\"\r\n"), (Command{"ECHO", "a b"}));
  EXPECT_EQ(one_command(R"(ECHO "\n\r\t\b\a\\\"\q")"
                        "\r\n"),
            (Command{"ECHO", "\n\r\t\b\a\\\"q"}));
  EXPECT_EQ(one_command(R"(ECHO "\x41\x4a\x6b\xff\x00")"
                        "\r\n"),
            (Command{"ECHO", std::string("AJk\xff\0", 5)}));
  // Not two hex digits: the backslash escapes the 'x' alone.
  EXPECT_EQ(one_command(R"(ECHO "\xzz\x4")"
                        "\r\n"),
            (Command{"ECHO", "xzzx4"}));
}

TEST(ParserInline, SingleQuotesUnderstandOnlyEscapedQuote) {
  EXPECT_EQ(one_command(R"(ECHO 'it\'s' 'a\nb')"
                        "\r\n"),
            (Command{"ECHO", "it's", "a\\nb"}));
  EXPECT_EQ(one_command("ECHO 'say \"hi\"'\r\n"), (Command{"ECHO", "say \"hi\""}));
}

TEST(ParserInline, EmptyQuotedArguments) {
  EXPECT_EQ(one_command("ECHO \"\" '' x\r\n"), (Command{"ECHO", "", "", "x"}));
}

TEST(ParserInline, QuoteInsideAWordOpensAQuote) {
  EXPECT_EQ(one_command("ECHO ab\"c d\" e\r\n"), (Command{"ECHO", "abc d", "e"}));
}

TEST(ParserInline, BinaryBytesPassThrough) {
  EXPECT_EQ(one_command(std::string("EC\x01HO \xff\r\n", 9)),
            (Command{std::string("EC\x01HO", 5), "\xff"}));
}

// Redis finds an inline line's end with strchr(), which stops at a NUL: a
// line with a NUL before its newline never ends, whatever follows, and once
// more than the inline limit is buffered the client gets "too big inline
// request" (the desync cases of Redis's tests/unit/protocol.tcl).
TEST(ParserInline, NulBeforeTheNewlineNeverEndsTheLine) {
  EXPECT_EQ(status_of(std::string("EC\0HO\r\n", 7)), ParseStatus::need_more);
  EXPECT_EQ(status_of(std::string("\0\r\nPING\r\n", 9)), ParseStatus::need_more);
  EXPECT_EQ(status_of(std::string("$\0", 2) + "AAAA\n"), ParseStatus::need_more);
  // A NUL after the newline belongs to the next line.
  const auto outcome = parse_whole(std::string("PING\r\n\0", 7));
  EXPECT_EQ(outcome.commands, (std::vector<Command>{{"PING"}}));
  EXPECT_EQ(outcome.last, ParseStatus::need_more);
}

TEST(ParserInline, NulThenMoreThanTheLimitIsTooBig) {
  std::string stream(1, '\0');
  const std::string line = std::string(1024, 'A') + "\n";
  while (stream.size() <= 64 * 1024) stream += line;
  EXPECT_EQ(status_of(stream), ParseStatus::inline_too_long);
  EXPECT_EQ(status_of(stream.substr(0, 64 * 1024)), ParseStatus::need_more);
  // Arriving a line at a time, as a client sends it.
  Parser parser;
  std::vector<std::string_view> args;
  feed_copy(parser, std::string(1, '\0'));
  ParseStatus status = ParseStatus::need_more;
  for (int i = 0; i < 100 && status == ParseStatus::need_more; ++i) {
    feed_copy(parser, line);
    status = parser.next(args);
    parser.compact();
  }
  EXPECT_EQ(status, ParseStatus::inline_too_long);
  EXPECT_LE(parser.capacity(), 256U * 1024) << "what a NUL holds back stays bounded";
}

TEST(ParserInline, UnbalancedQuotes) {
  EXPECT_EQ(status_of("ECHO \"abc\r\n"), ParseStatus::unbalanced_quotes);
  EXPECT_EQ(status_of("ECHO 'abc\r\n"), ParseStatus::unbalanced_quotes);
  EXPECT_EQ(status_of("ECHO \"abc\\\"\r\n"), ParseStatus::unbalanced_quotes);
  EXPECT_EQ(status_of("ECHO \"abc\\\r\n"), ParseStatus::unbalanced_quotes);
  EXPECT_EQ(status_of("ECHO \"foo\"bar\r\n"), ParseStatus::unbalanced_quotes);
  EXPECT_EQ(status_of("ECHO 'foo'bar\r\n"), ParseStatus::unbalanced_quotes);
  EXPECT_EQ(status_of("ECHO 'it''s'\r\n"), ParseStatus::unbalanced_quotes);
  EXPECT_EQ(status_of("\"\r\n"), ParseStatus::unbalanced_quotes);
}

TEST(ParserInline, IncompleteLineWaits) {
  Parser parser;
  std::vector<std::string_view> args;
  feed_copy(parser, "ECHO \"a b");
  EXPECT_EQ(parser.next(args), ParseStatus::need_more);
  feed_copy(parser, "\"\r");
  EXPECT_EQ(parser.next(args), ParseStatus::need_more);
  feed_copy(parser, "\n");
  ASSERT_EQ(parser.next(args), ParseStatus::ok);
  EXPECT_EQ(Command(args.begin(), args.end()), (Command{"ECHO", "a b"}));
}

}  // namespace
}  // namespace tasq::resp::test
