// The replies of the stream commands, byte for byte. The expected bytes have
// Redis's shapes (an XADD of the same entries into redis-server 7.0.15
// answers the same); the integration tests compare with a live redis-server.

#include "tasq/results/stream_reply.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tasq::results {
namespace {

struct Fixture {
  Streams streams{Streams::Limits{
      .results = {.ttl_ms = 1000, .max_bytes = 1 << 20}, .finished_max = 3, .dead_max = 2}};

  StreamId end(std::uint64_t id, Status status, std::int64_t now, std::string_view result = "ok") {
    Streams::Changes changes;
    return streams.record(TaskOutcome{.task_id = id,
                                      .status = status,
                                      .attempts = status == Status::dead ? 3u : 1u,
                                      .enqueued_ms = now - 3,
                                      .started_ms = now - 1,
                                      .queue = "q",
                                      .result = result,
                                      .error = "boom",
                                      .payload = "p"},
                          now, changes);
  }
};

std::string xread(const Streams& streams, std::vector<std::string_view> keys,
                  std::vector<StreamId> after, int protocol, std::uint64_t count = 0,
                  std::int64_t now = 100) {
  std::string out;
  resp::ReplyWriter reply(out, protocol);
  if (!write_xread(reply, streams, keys, after, count, now)) return "(none)";
  return out;
}

std::string xrange(const Streams& streams, std::string_view key, StreamId start, StreamId end,
                   std::optional<std::uint64_t> count, bool reverse, int protocol = 2) {
  std::string out;
  resp::ReplyWriter reply(out, protocol);
  write_xrange(reply, streams, XrangeArgs{key, start, end, count}, reverse, 100);
  return out;
}

TEST(StreamReply, OneEndGetsOneIdEverywhere) {
  Fixture f;
  EXPECT_EQ(f.end(7, Status::completed, 100), (StreamId{100, 0}));
  EXPECT_EQ(f.end(8, Status::dead, 100), (StreamId{100, 1})) << "same ms: next seq";
  EXPECT_EQ(f.end(9, Status::completed, 99), (StreamId{100, 2})) << "a clock going back";
  EXPECT_EQ(f.streams.results().find(8, 100)->entry_id, (StreamId{100, 1}));
  EXPECT_EQ(f.streams.finished().events()[1].id, (StreamId{100, 1}));
  EXPECT_EQ(f.streams.dead().letters().begin()->first, (StreamId{100, 1}));
}

TEST(StreamReply, XreadOfAResultInResp2AndResp3) {
  Fixture f;
  f.end(7, Status::completed, 100, "done");
  const std::string entry =
      "*2\r\n$5\r\n100-0\r\n*14\r\n$6\r\nstatus\r\n$9\r\ncompleted\r\n$6\r\nresult\r\n$"
      "4\r\ndone\r\n"
      "$8\r\nattempts\r\n$1\r\n1\r\n$5\r\nqueue\r\n$1\r\nq\r\n$11\r\nenqueued_ms\r\n$2\r\n97\r\n"
      "$10\r\nstarted_ms\r\n$2\r\n99\r\n$8\r\nended_ms\r\n$3\r\n100\r\n";
  EXPECT_EQ(xread(f.streams, {"tasq:result:7"}, {{0, 0}}, 2),
            "*1\r\n*2\r\n$13\r\ntasq:result:7\r\n*1\r\n" + entry);
  EXPECT_EQ(xread(f.streams, {"tasq:result:7"}, {{0, 0}}, 3),
            "%1\r\n$13\r\ntasq:result:7\r\n*1\r\n" + entry);
  EXPECT_EQ(xread(f.streams, {"tasq:result:7"}, {{100, 0}}, 2), "(none)") << "ids are exclusive";
  EXPECT_EQ(xread(f.streams, {"tasq:result:8", "nokey"}, {{0, 0}, {0, 0}}, 2), "(none)");
}

TEST(StreamReply, XreadAnswersOnlyTheKeysWithEntries) {
  Fixture f;
  f.end(7, Status::completed, 100);
  f.end(8, Status::completed, 101);
  std::string both = xread(f.streams, {"tasq:result:1", "tasq:result:8", "tasq:finished"},
                           {{0, 0}, {0, 0}, {100, 0}}, 2);
  ASSERT_EQ(both.substr(0, 4), "*2\r\n");
  EXPECT_NE(both.find("tasq:result:8"), std::string::npos);
  EXPECT_EQ(both.find("tasq:result:1"), std::string::npos);
  EXPECT_NE(both.find("$5\r\n101-0\r\n*6\r\n$2\r\nid\r\n$1\r\n8\r\n"), std::string::npos)
      << "tasq:finished after 100-0 holds task 8's event only";
}

TEST(StreamReply, FinishedKeepsTheLastMaxAndCountLimits) {
  Fixture f;
  for (std::uint64_t id = 1; id <= 5; ++id) f.end(id, Status::completed, 100 + id);
  EXPECT_EQ(f.streams.length(classify_key("tasq:finished"), 100), 3u);
  EXPECT_EQ(f.streams.last_id(classify_key("tasq:finished"), 100), (StreamId{105, 0}));
  std::string two = xread(f.streams, {"tasq:finished"}, {{0, 0}}, 2, 2);
  EXPECT_NE(two.find("103-0"), std::string::npos);
  EXPECT_NE(two.find("104-0"), std::string::npos);
  EXPECT_EQ(two.find("105-0"), std::string::npos);
}

TEST(StreamReply, FinishedLapsItsRingManyTimesInOrder) {
  Fixture f;
  for (std::uint64_t id = 1; id <= 1000; ++id) f.end(id, Status::completed, 100 + id);
  EXPECT_EQ(f.streams.length(classify_key("tasq:finished"), 100), 3u);
  const std::string all =
      xrange(f.streams, "tasq:finished", {0, 0}, StreamId::max(), std::nullopt, false);
  const auto at998 = all.find("1098-0"), at999 = all.find("1099-0"), at1000 = all.find("1100-0");
  ASSERT_NE(at998, std::string::npos) << all;
  ASSERT_NE(at1000, std::string::npos) << all;
  EXPECT_LT(at998, at999);
  EXPECT_LT(at999, at1000);
  EXPECT_EQ(all.find("1097-0"), std::string::npos) << all;
}

TEST(StreamReply, FinishedMaxZeroKeepsNothingButCountsIds) {
  Streams streams{Streams::Limits{
      .results = {.ttl_ms = 1000, .max_bytes = 1 << 20}, .finished_max = 0, .dead_max = 2}};
  Streams::Changes changes;
  streams.record(TaskOutcome{.task_id = 7,
                             .status = Status::completed,
                             .queue = "q",
                             .result = "ok",
                             .error = "",
                             .payload = "p"},
                 107, changes);
  EXPECT_EQ(streams.length(classify_key("tasq:finished"), 100), 0u);
  EXPECT_EQ(streams.last_id(classify_key("tasq:finished"), 100), (StreamId{107, 0}));
  EXPECT_EQ(xrange(streams, "tasq:finished", {0, 0}, StreamId::max(), std::nullopt, false),
            "*0\r\n");
}

TEST(StreamReply, XrangeShapes) {
  Fixture f;
  f.end(1, Status::dead, 101);
  f.end(2, Status::dead, 102);
  f.end(3, Status::dead, 103);
  // dead_max 2: the first letter went.
  EXPECT_EQ(f.streams.length(classify_key("tasq:dead"), 100), 2u);
  const std::string letter3 =
      "*2\r\n$5\r\n103-0\r\n*12\r\n$2\r\nid\r\n$1\r\n3\r\n$5\r\nqueue\r\n$1\r\nq\r\n"
      "$7\r\npayload\r\n$1\r\np\r\n$8\r\nattempts\r\n$1\r\n3\r\n$5\r\nerror\r\n$4\r\nboom\r\n"
      "$8\r\nended_ms\r\n$3\r\n103\r\n";
  EXPECT_EQ(xrange(f.streams, "tasq:dead", {103, 0}, StreamId::max(), std::nullopt, false),
            "*1\r\n" + letter3);
  std::string reverse = xrange(f.streams, "tasq:dead", {0, 0}, StreamId::max(), 1u, true);
  EXPECT_EQ(reverse, "*1\r\n" + letter3) << "XREVRANGE starts from the newest";
  EXPECT_EQ(xrange(f.streams, "tasq:dead", {0, 0}, StreamId::max(), 0u, false), "*-1\r\n")
      << "COUNT 0 on a stream that exists";
  EXPECT_EQ(xrange(f.streams, "tasq:dead", {0, 0}, StreamId::max(), 0u, false, 3), "_\r\n");
  EXPECT_EQ(xrange(f.streams, "tasq:result:99", {0, 0}, StreamId::max(), 0u, false), "*0\r\n")
      << "COUNT 0 on a key without a stream";
  EXPECT_EQ(xrange(f.streams, "other", {0, 0}, StreamId::max(), std::nullopt, false), "*0\r\n");
  EXPECT_EQ(xrange(f.streams, "tasq:dead", {200, 0}, {100, 0}, std::nullopt, false), "*0\r\n");
  std::string dead_result =
      xrange(f.streams, "tasq:result:3", {0, 0}, StreamId::max(), std::nullopt, false);
  EXPECT_NE(dead_result.find("$6\r\nstatus\r\n$4\r\ndead\r\n$6\r\nresult\r\n$0\r\n\r\n"
                             "$5\r\nerror\r\n$4\r\nboom\r\n"),
            std::string::npos)
      << dead_result;
}

TEST(StreamReply, DollarIsTheLastIdNow) {
  Fixture f;
  f.end(7, Status::completed, 100);
  std::vector<std::string_view> keys{"tasq:result:7", "tasq:result:8", "tasq:finished", "x"};
  std::vector<ReadFrom> from(4, ReadFrom{{}, true});
  auto after = resolve_from(f.streams, keys, from, 100);
  EXPECT_EQ(after[0], (StreamId{100, 0}));
  EXPECT_EQ(after[1], (StreamId{0, 0})) << "a missing stream's $ is 0-0";
  EXPECT_EQ(after[2], (StreamId{100, 0}));
  EXPECT_EQ(after[3], (StreamId{0, 0}));
}

TEST(StreamReply, RetryTakesTheLetterAndTheDeadResult) {
  Fixture f;
  f.end(4, Status::dead, 100);
  auto letter = f.streams.take_dead_letter(4);
  ASSERT_TRUE(letter);
  EXPECT_EQ(letter->payload, "p");
  EXPECT_EQ(letter->attempts, 3u);
  EXPECT_FALSE(f.streams.results().find(4, 100));
  EXPECT_EQ(f.streams.length(classify_key("tasq:dead"), 100), 0u);
  EXPECT_FALSE(f.streams.take_dead_letter(4));
  f.end(4, Status::completed, 101);
  EXPECT_EQ(f.streams.results().find(4, 101)->status, Status::completed);
}

TEST(StreamReply, AResultNotKeptIsReadableUntilTheEndOfItsTurn) {
  Streams streams(Streams::Limits{.results = {.ttl_ms = 0, .max_bytes = 1 << 20}});
  Streams::Changes changes;
  std::string result(5, 'r');
  streams.record(TaskOutcome{.task_id = 3,
                             .status = Status::completed,
                             .attempts = 1,
                             .enqueued_ms = 1,
                             .started_ms = 2,
                             .queue = "q",
                             .result = result,
                             .error = "",
                             .payload = ""},
                 100, changes);
  EXPECT_FALSE(changes.result_kept);
  result.assign(5, 'x');  // the caller's bytes change; the copy does not
  std::string out = xread(streams, {"tasq:result:3"}, {{0, 0}}, 2);
  EXPECT_NE(out.find("$5\r\nrrrrr\r\n"), std::string::npos) << out;
  streams.end_of_turn();
  EXPECT_EQ(xread(streams, {"tasq:result:3"}, {{0, 0}}, 2), "(none)");
  EXPECT_EQ(streams.results().size(), 0u);
}

TEST(StreamReply, RestoreKeepsIdsAbove) {
  Fixture f;
  Streams::Changes changes;
  TaskOutcome dead;
  dead.task_id = 3;
  dead.status = Status::dead;
  dead.queue = "q";
  dead.payload = "p";
  f.streams.restore(dead, {500, 7}, false, true, 100, changes);
  EXPECT_FALSE(f.streams.results().find(3, 100)) << "its result was forgotten";
  EXPECT_TRUE(f.streams.dead().find(3));
  EXPECT_EQ(f.streams.length(classify_key("tasq:finished"), 100), 0u);
  EXPECT_EQ(f.end(4, Status::completed, 100), (StreamId{500, 8}));
}

}  // namespace
}  // namespace tasq::results
