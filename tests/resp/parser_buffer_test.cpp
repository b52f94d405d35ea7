// Where the received bytes live: compact() drops what was returned and gives
// memory back, big bulks are written in place, and nothing moves inside a
// batch of next() calls.

#include <gtest/gtest.h>

#include "parser_test_support.h"

namespace tasq::resp::test {
namespace {

std::string pattern(std::size_t n) {
  std::string bytes(n, '\0');
  for (std::size_t i = 0; i < n; ++i) bytes[i] = static_cast<char>('a' + i % 23);
  return bytes;
}

// Where the buffer starts, valid right after compact() (which leaves the
// first unreturned byte at the start).
const char* buffer_start(Parser& parser) { return parser.prepare().data() - parser.buffered(); }

TEST(ParserBuffer, CompactDropsReturnedCommandsOnly) {
  Parser parser;
  feed_copy(parser, "PING\r\n*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPI");
  EXPECT_EQ(parser.buffered(), 30U);
  Outcome outcome;
  drain(parser, outcome, /*compact=*/false);
  EXPECT_EQ(outcome.commands.size(), 2U);
  EXPECT_EQ(parser.buffered(), 10U);
  parser.compact();
  EXPECT_EQ(parser.buffered(), 10U);
  feed_copy(parser, "NG\r\n");
  drain(parser, outcome);
  EXPECT_EQ(outcome.commands, (std::vector<Command>{{"PING"}, {"PING"}, {"PING"}}));
  EXPECT_EQ(parser.buffered(), 0U);
}

TEST(ParserBuffer, PrepareGivesAtLeastWhatIsAsked) {
  Parser parser;
  EXPECT_GE(parser.prepare(1).size(), 1U);
  EXPECT_GE(parser.prepare(100000).size(), 100000U);
  EXPECT_GE(parser.capacity(), 100000U);
  auto space = parser.prepare(10);
  std::memcpy(space.data(), "PING\r\n", 6);
  parser.commit(6);
  EXPECT_EQ(parser.buffered(), 6U);
  std::vector<std::string_view> args;
  ASSERT_EQ(parser.next(args), ParseStatus::ok);
  EXPECT_EQ(args, (std::vector<std::string_view>{"PING"}));
}

TEST(ParserBuffer, CommitNeverExceedsThePreparedSpace) {
  Parser parser;
  const auto space = parser.prepare(16);
  parser.commit(space.size() + 1000);
  EXPECT_EQ(parser.buffered(), space.size());
  EXPECT_LE(parser.buffered(), parser.capacity());
}

// A session runs a batch when a write completes, possibly with a read in
// flight into the span it prepared: that span must stay where it is.
TEST(ParserBuffer, ABatchDuringAPendingReadLeavesTheSpanInPlace) {
  const std::string payload(100000, 'p');
  Parser parser;
  Outcome outcome;
  receive(parser, "PING\r\n*2\r\n$4\r\nECHO\r\n$100000\r\n");
  auto space = parser.prepare(16 * 1024);  // the read is issued
  const std::size_t capacity = parser.capacity();
  drain(parser, outcome);  // and a batch runs meanwhile
  ASSERT_EQ(outcome.commands, (std::vector<Command>{{"PING"}}));
  EXPECT_EQ(parser.capacity(), capacity);
  std::memcpy(space.data(), payload.data(), 1000);  // the read completes
  parser.commit(1000);
  parser.compact();  // now the bulk gets its room
  receive(parser, payload.substr(1000) + "\r\n");
  drain(parser, outcome);
  ASSERT_EQ(outcome.commands.size(), 2U);
  EXPECT_EQ(outcome.commands[1], (Command{"ECHO", payload}));
}

TEST(ParserBuffer, CommitOfNothingIsHarmless) {
  Parser parser;
  parser.prepare();
  parser.commit(0);
  EXPECT_EQ(parser.buffered(), 0U);
  feed_copy(parser, "PING\r\n");
  std::vector<std::string_view> args;
  EXPECT_EQ(parser.next(args), ParseStatus::ok);
}

TEST(ParserBuffer, ManySmallCommandsKeepTheBufferSmall) {
  Parser parser;
  std::string stream;
  for (int i = 0; i < 5000; ++i)
    stream += "*2\r\n$4\r\nECHO\r\n$3\r\n" + std::to_string(100 + i % 900) + "\r\n";
  Outcome outcome;
  std::string_view rest = stream;
  while (!rest.empty()) {
    const auto n = std::min<std::size_t>(rest.size(), 4000);
    receive(parser, rest.substr(0, n));
    rest.remove_prefix(n);
    drain(parser, outcome);
    EXPECT_LE(parser.capacity(), 32U * 1024);
  }
  EXPECT_EQ(outcome.commands.size(), 5000U);
}

TEST(ParserBuffer, BigBulkIsWrittenInPlace) {
  const std::string payload = pattern(300000);
  const std::string request = multibulk({"LPUSH", "q", payload});
  const std::size_t header = request.size() - payload.size() - 2;
  Parser parser;
  Outcome outcome;
  // The big command starts after a small one, in the middle of the buffer,
  // and its header comes with a little of its payload.
  receive(parser, "PING\r\n" + request.substr(0, header + 100));
  drain(parser, outcome);  // returns PING, then the one move to a fitting buffer
  ASSERT_EQ(outcome.commands.size(), 1U);
  const char* start = buffer_start(parser);
  const std::size_t capacity = parser.capacity();
  EXPECT_GE(capacity, request.size());

  std::size_t at = header + 100;
  while (at < request.size()) {
    const auto n = std::min<std::size_t>(request.size() - at, 16 * 1024);
    auto space = parser.prepare(16 * 1024);
    ASSERT_EQ(space.data(), start + parser.buffered()) << "moved after " << at << " bytes";
    std::memcpy(space.data(), request.data() + at, n);
    parser.commit(n);
    at += n;
    std::vector<std::string_view> args;
    const auto status = parser.next(args);
    if (at < request.size()) {
      ASSERT_EQ(status, ParseStatus::need_more);
      parser.compact();
      EXPECT_EQ(parser.capacity(), capacity);
    } else {
      ASSERT_EQ(status, ParseStatus::ok);
      ASSERT_EQ(args.size(), 3U);
      EXPECT_EQ(args[2].data(), start + header);
      EXPECT_TRUE(args[2] == payload);
    }
  }
}

TEST(ParserBuffer, BigBulkFedWithoutCompactMovesOnce) {
  const std::string payload = pattern(100000);
  const std::string request = multibulk({"ECHO", payload});
  Parser parser;
  feed_copy(parser, request.substr(0, 40));
  std::vector<std::string_view> args;
  ASSERT_EQ(parser.next(args), ParseStatus::need_more);
  const char* start = parser.prepare().data() - parser.buffered();
  for (std::size_t at = 40; at < request.size(); at += 1000) {
    feed_copy(parser, std::string_view(request).substr(at, 1000));
    EXPECT_EQ(parser.prepare().data() - parser.buffered(), start);
  }
  ASSERT_EQ(parser.next(args), ParseStatus::ok);
  EXPECT_TRUE(args[1] == payload);
}

TEST(ParserBuffer, CompactShrinksAnIdleBigBuffer) {
  const std::string payload = pattern(1 << 20);
  Parser parser;
  Outcome outcome;
  receive(parser, multibulk({"ECHO", payload}));
  EXPECT_GE(parser.capacity(), 1U << 20);
  drain(parser, outcome);
  ASSERT_EQ(outcome.commands.size(), 1U);
  EXPECT_EQ(outcome.commands[0][1], payload);
  EXPECT_LE(parser.capacity(), 64U * 1024);
  EXPECT_EQ(parser.buffered(), 0U);
}

TEST(ParserBuffer, CompactKeepsTheBufferOfABulkStillArriving) {
  const std::string request = multibulk({"ECHO", pattern(1 << 20)});
  Parser parser;
  Outcome outcome;
  receive(parser, std::string_view(request).substr(0, request.size() / 2));
  drain(parser, outcome);
  const std::size_t capacity = parser.capacity();
  EXPECT_GE(capacity, request.size());
  parser.compact();
  parser.compact();
  EXPECT_EQ(parser.capacity(), capacity);
  receive(parser, std::string_view(request).substr(request.size() / 2));
  drain(parser, outcome);
  EXPECT_EQ(outcome.commands.size(), 1U);
  EXPECT_LE(parser.capacity(), 64U * 1024);
}

TEST(ParserBuffer, ManyArgumentsSurviveEveryGrowth) {
  Command command;
  for (int i = 0; i < 3000; ++i) command.push_back(pattern(static_cast<std::size_t>(50 + i % 97)));
  const std::string request = multibulk(command);
  Parser parser;
  Outcome outcome;
  for (std::size_t at = 0; at < request.size(); at += 777) {
    receive(parser, std::string_view(request).substr(at, 777), 333);
    drain(parser, outcome);
  }
  ASSERT_EQ(outcome.commands.size(), 1U);
  EXPECT_EQ(outcome.commands[0], command);
  EXPECT_LE(parser.capacity(), 64U * 1024);  // given back once done
}

TEST(ParserBuffer, PartiallyFullBigBufferIsKept) {
  // Mostly full: compact must not shrink it just because it is big.
  Command command(2000, pattern(100));
  const std::string request = multibulk(command);
  Parser parser;
  Outcome outcome;
  receive(parser, std::string_view(request).substr(0, request.size() - 10));
  drain(parser, outcome);
  const std::size_t capacity = parser.capacity();
  EXPECT_GT(capacity, 64U * 1024);
  parser.compact();
  EXPECT_EQ(parser.capacity(), capacity);
  EXPECT_EQ(parser.buffered(), request.size() - 10);
  receive(parser, std::string_view(request).substr(request.size() - 10));
  drain(parser, outcome);
  ASSERT_EQ(outcome.commands.size(), 1U);
  EXPECT_EQ(outcome.commands[0], command);
}

}  // namespace
}  // namespace tasq::resp::test

namespace tasq::resp::test {
namespace {

TEST(ParserBuffer, AnIdleBufferIsReleasedAndComesBack) {
  Parser parser;
  feed_copy(parser, "PING\r\n");
  Outcome outcome;
  drain(parser, outcome);
  ASSERT_GT(parser.capacity(), 0U);
  parser.release_idle_buffer();
  EXPECT_EQ(parser.capacity(), 0U);
  feed_copy(parser, "*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n");
  drain(parser, outcome);
  ASSERT_EQ(outcome.commands.size(), 2U);
  EXPECT_EQ(outcome.commands[1][1], "hi");
}

TEST(ParserBuffer, ABufferHoldingBytesOrAPendingReadIsKept) {
  Parser parser;
  feed_copy(parser, "*1\r\n$4\r\nPI");
  parser.release_idle_buffer();
  EXPECT_GT(parser.capacity(), 0U) << "half a command stays";
  Parser reading;
  reading.prepare();
  reading.release_idle_buffer();
  EXPECT_GT(reading.capacity(), 0U) << "the kernel may be writing into it";
}

}  // namespace
}  // namespace tasq::resp::test
