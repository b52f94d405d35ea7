// Every limit holds at exactly its value and refuses one past it, at the
// first byte that crosses it rather than after the bytes were taken in.

#include <gtest/gtest.h>

#include "parser_test_support.h"

namespace tasq::resp::test {
namespace {

ParserLimits generous() {
  ParserLimits limits;
  limits.max_bulk_bytes = 1 << 20;
  limits.max_request_bytes = 1 << 20;
  limits.max_args = 1 << 20;
  limits.max_inline_bytes = 1 << 20;
  return limits;
}

ParseStatus first_status(std::string_view bytes, ParserLimits limits) {
  Parser parser(limits);
  feed_copy(parser, bytes);
  std::vector<std::string_view> args;
  return parser.next(args);
}

TEST(ParserLimits, BulkAtTheLimitAndOnePast) {
  auto limits = generous();
  limits.max_bulk_bytes = 10;
  const auto at = parse_whole(multibulk({"ECHO", std::string(10, 'x')}), limits);
  EXPECT_EQ(at.commands, (std::vector<Command>{{"ECHO", std::string(10, 'x')}}));
  EXPECT_EQ(at.last, ParseStatus::need_more);
  EXPECT_EQ(first_status(multibulk({"ECHO", std::string(11, 'x')}), limits),
            ParseStatus::bulk_too_long);
}

TEST(ParserLimits, OversizeBulkIsRefusedAtItsHeader) {
  // Defaults: 2 MiB. The header alone is enough to refuse.
  EXPECT_EQ(first_status("*2\r\n$4\r\nECHO\r\n$2097153\r\n", {}), ParseStatus::bulk_too_long);
  EXPECT_EQ(first_status("*2\r\n$4\r\nECHO\r\n$2097152\r\n", {}), ParseStatus::need_more);
}

TEST(ParserLimits, RequestAtTheLimitAndOnePast) {
  auto limits = generous();
  limits.max_request_bytes = 64;
  // "*2\r\n$4\r\nECHO\r\n$NN\r\n" + payload + "\r\n" is 21 bytes + payload.
  const std::string fits = multibulk({"ECHO", std::string(43, 'x')});
  ASSERT_EQ(fits.size(), 64U);
  const auto at = parse_whole(fits, limits);
  EXPECT_EQ(at.commands.size(), 1U);
  EXPECT_EQ(at.last, ParseStatus::need_more);
  const std::string over = multibulk({"ECHO", std::string(44, 'x')});
  ASSERT_EQ(over.size(), 65U);
  EXPECT_EQ(parse_whole(over, limits).last, ParseStatus::request_too_long);
  // Refused at the header that makes it too long.
  EXPECT_EQ(first_status(over.substr(0, over.find("xx")), limits), ParseStatus::request_too_long);
}

TEST(ParserLimits, RequestLimitCountsEveryArgument) {
  auto limits = generous();
  limits.max_request_bytes = 100;
  Command args(10, "abc");  // 5 + 10 * 9 = 95 bytes
  const std::string fits = multibulk(args);
  ASSERT_EQ(fits.size(), 95U);
  EXPECT_EQ(parse_whole(fits, limits).commands.size(), 1U);
  args.back() = "abcdefgh";  // 100 bytes
  ASSERT_EQ(multibulk(args).size(), 100U);
  EXPECT_EQ(parse_whole(multibulk(args), limits).commands.size(), 1U);
  args.back() = "abcdefghi";  // 101 bytes
  EXPECT_EQ(parse_whole(multibulk(args), limits).last, ParseStatus::request_too_long);
}

TEST(ParserLimits, CountThatCannotFitIsRefusedAtOnce) {
  auto limits = generous();
  limits.max_request_bytes = 64;
  // "*10\r\n" is 5 bytes; ten `$0\r\n\r\n` would be 60 more.
  EXPECT_EQ(first_status("*10\r\n", limits), ParseStatus::request_too_long);
  // "*9\r\n" + 9 * 6 = 58 bytes: possible.
  const auto nine_empty = parse_whole(multibulk(Command(9, "")), limits);
  EXPECT_EQ(nine_empty.commands, (std::vector<Command>{Command(9, "")}));
}

TEST(ParserLimits, ArgsAtTheLimitAndOnePast) {
  auto limits = generous();
  limits.max_args = 4;
  const auto at = parse_whole(multibulk({"a", "b", "c", "d"}), limits);
  EXPECT_EQ(at.commands.size(), 1U);
  EXPECT_EQ(at.last, ParseStatus::need_more);
  EXPECT_EQ(first_status("*5\r\n", limits), ParseStatus::invalid_multibulk_length);
}

TEST(ParserLimits, DefaultArgsLimit) {
  ParserLimits limits;
  limits.max_request_bytes = 8 << 20;  // room for a million empty arguments
  EXPECT_EQ(first_status("*1048576\r\n", limits), ParseStatus::need_more);
  EXPECT_EQ(first_status("*1048577\r\n", limits), ParseStatus::invalid_multibulk_length);
}

TEST(ParserLimits, InlineAtTheLimitAndOnePast) {
  auto limits = generous();
  limits.max_inline_bytes = 16;
  const std::string line(16, 'a');
  for (const char* ending : {"\r\n", "\n"}) {
    const auto at = parse_whole(line + ending, limits);
    EXPECT_EQ(at.commands, (std::vector<Command>{{line}}));
    EXPECT_EQ(at.last, ParseStatus::need_more);
    EXPECT_EQ(parse_whole(line + "a" + ending, limits).last, ParseStatus::inline_too_long);
  }
  // Without a newline: the limit and a CR may still be a line; one more is not.
  EXPECT_EQ(first_status(line, limits), ParseStatus::need_more);
  EXPECT_EQ(first_status(line + "\r", limits), ParseStatus::need_more);
  EXPECT_EQ(first_status(line + "a", limits), ParseStatus::inline_too_long);
  EXPECT_EQ(first_status(line + "\r\r", limits), ParseStatus::inline_too_long);
}

TEST(ParserLimits, EndlessInlineLineIsRefusedWithoutReadingIt) {
  // Default limit 64 KiB; a megabyte without a newline.
  EXPECT_EQ(first_status(std::string(1 << 20, 'a'), {}), ParseStatus::inline_too_long);
  EXPECT_EQ(first_status(std::string(64 * 1024, 'a'), {}), ParseStatus::need_more);
}

// Before AUTH, Redis's fixed bounds: 10 arguments, bulks of 16 KiB.
ParseStatus first_unauthenticated(std::string_view bytes, ParserLimits limits = {}) {
  Parser parser(limits);
  parser.set_authenticated(false);
  feed_copy(parser, bytes);
  std::vector<std::string_view> args;
  return parser.next(args);
}

TEST(ParserLimits, UnauthenticatedArgsAtTheLimitAndOnePast) {
  Parser parser;
  parser.set_authenticated(false);
  feed_copy(parser, multibulk(Command(10, "a")));
  std::vector<std::string_view> args;
  ASSERT_EQ(parser.next(args), ParseStatus::ok);
  EXPECT_EQ(args.size(), 10U);
  EXPECT_EQ(first_unauthenticated("*11\r\n"), ParseStatus::unauthenticated_multibulk_length);
  EXPECT_EQ(describe(ParseStatus::unauthenticated_multibulk_length),
            "unauthenticated multibulk length");
  // As in Redis: a count out of range is that first; `*0` and `*-1` are fine.
  EXPECT_EQ(first_unauthenticated("*1048577\r\n"), ParseStatus::invalid_multibulk_length);
  EXPECT_EQ(first_unauthenticated("*-1\r\n*0\r\n"), ParseStatus::need_more);
}

TEST(ParserLimits, UnauthenticatedBulkAtTheLimitAndOnePast) {
  EXPECT_EQ(first_unauthenticated("*2\r\n$4\r\nAUTH\r\n$16384\r\n"), ParseStatus::need_more);
  EXPECT_EQ(first_unauthenticated("*2\r\n$4\r\nAUTH\r\n$16385\r\n"),
            ParseStatus::unauthenticated_bulk_length);
  EXPECT_EQ(describe(ParseStatus::unauthenticated_bulk_length), "unauthenticated bulk length");
  // Over package_max_length too: Redis names that first.
  EXPECT_EQ(first_unauthenticated("*2\r\n$4\r\nAUTH\r\n$2097153\r\n"), ParseStatus::bulk_too_long);
}

TEST(ParserLimits, AuthenticationLiftsTheBoundsFromTheNextCommandOn) {
  Parser parser;
  parser.set_authenticated(false);
  feed_copy(parser, multibulk({"AUTH", "pw"}) + multibulk(Command(11, "a")));
  std::vector<std::string_view> args;
  ASSERT_EQ(parser.next(args), ParseStatus::ok);
  parser.set_authenticated(true);  // what the session does once AUTH succeeded
  ASSERT_EQ(parser.next(args), ParseStatus::ok);
  EXPECT_EQ(args.size(), 11U);
  // Inline commands keep their own bound only, as in Redis.
  Parser inline_parser;
  inline_parser.set_authenticated(false);
  feed_copy(inline_parser, "a b c d e f g h i j k l\r\n");
  ASSERT_EQ(inline_parser.next(args), ParseStatus::ok);
  EXPECT_EQ(args.size(), 12U);
}

}  // namespace
}  // namespace tasq::resp::test
