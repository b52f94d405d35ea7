#include "tasq/results/result_store.h"

#include <gtest/gtest.h>

#include <string>

namespace tasq::results {
namespace {

Outcome completed(std::uint64_t id, std::int64_t ended_ms, std::string_view result = "r") {
  return Outcome{.task_id = id,
                 .entry_id = {static_cast<std::uint64_t>(ended_ms), 0},
                 .status = Status::completed,
                 .attempts = 1,
                 .enqueued_ms = ended_ms - 5,
                 .started_ms = ended_ms - 2,
                 .ended_ms = ended_ms,
                 .queue = "q",
                 .result = result,
                 .error = ""};
}

TEST(ResultStore, KeepsAndReadsBack) {
  ResultStore store({.ttl_ms = 1000, .max_bytes = 1 << 20});
  const std::string error("exit\0code 3", 11);
  Outcome dead{.task_id = 9,
               .entry_id = {100, 4},
               .status = Status::dead,
               .attempts = 3,
               .enqueued_ms = 90,
               .started_ms = 95,
               .ended_ms = 100,
               .queue = "mail",
               .result = "",
               .error = error};
  ASSERT_TRUE(store.keep(dead, 100));
  auto back = store.find(9, 100);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->entry_id, (StreamId{100, 4}));
  EXPECT_EQ(back->status, Status::dead);
  EXPECT_EQ(back->attempts, 3u);
  EXPECT_EQ(back->enqueued_ms, 90);
  EXPECT_EQ(back->started_ms, 95);
  EXPECT_EQ(back->ended_ms, 100);
  EXPECT_EQ(back->queue, "mail");
  EXPECT_EQ(back->result, "");
  EXPECT_EQ(back->error, std::string("exit\0code 3", 11)) << "binary-safe";
  EXPECT_FALSE(store.find(8, 100));
  EXPECT_EQ(store.size(), 1u);
}

TEST(ResultStore, ExpiresAfterTheTtl) {
  ResultStore store({.ttl_ms = 1000, .max_bytes = 1 << 20});
  store.keep(completed(1, 100), 100);
  store.keep(completed(2, 600), 600);
  EXPECT_TRUE(store.find(1, 1099));
  EXPECT_FALSE(store.find(1, 1100)) << "hidden once due, even before expire() runs";
  EXPECT_EQ(store.expire(1099), 1100);
  EXPECT_EQ(store.expire(1100), 1600) << "the next expiry is the second one's";
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.expired(), 1u);
  EXPECT_EQ(store.evicted(), 0u) << "expiry is not eviction";
  EXPECT_FALSE(store.expire(5000));
  EXPECT_EQ(store.size(), 0u);
  EXPECT_EQ(store.bytes(), 0u);
}

TEST(ResultStore, TtlZeroKeepsNothing) {
  ResultStore store({.ttl_ms = 0, .max_bytes = 1 << 20});
  EXPECT_FALSE(store.keep(completed(1, 100), 100));
  EXPECT_EQ(store.size(), 0u);
  EXPECT_FALSE(store.keep(completed(2, 100), 5000)) << "an outcome already expired is not kept";
}

TEST(ResultStore, EvictsTheOldestFirstPastMaxBytes) {
  const std::size_t one = ResultStore::entry_overhead() + 1 + 100;  // queue + result
  ResultStore store({.ttl_ms = 1'000'000, .max_bytes = 3 * one});
  const std::string body(100, 'x');
  for (std::uint64_t id = 1; id <= 3; ++id) ASSERT_TRUE(store.keep(completed(id, 10, body), 10));
  EXPECT_EQ(store.bytes(), 3 * one);
  EXPECT_EQ(store.evicted(), 0u);
  ASSERT_TRUE(store.keep(completed(4, 11, body), 11));
  EXPECT_FALSE(store.find(1, 11)) << "the oldest went";
  EXPECT_TRUE(store.find(2, 11));
  EXPECT_TRUE(store.find(4, 11));
  EXPECT_EQ(store.evicted(), 1u);
  // A bigger one pushes out as many as it needs, oldest first.
  ASSERT_TRUE(store.keep(completed(5, 12, std::string(250, 'y')), 12));
  EXPECT_FALSE(store.find(2, 12));
  EXPECT_FALSE(store.find(3, 12));
  EXPECT_TRUE(store.find(4, 12));
  EXPECT_TRUE(store.find(5, 12));
  EXPECT_EQ(store.evicted(), 3u);
  EXPECT_LE(store.bytes(), 3 * one);
}

TEST(ResultStore, OneOverTheBoundAloneIsNotKept) {
  ResultStore store({.ttl_ms = 1000, .max_bytes = 1000});
  ASSERT_TRUE(store.keep(completed(1, 10), 10));
  EXPECT_FALSE(store.keep(completed(2, 10, std::string(2000, 'x')), 10));
  EXPECT_TRUE(store.find(1, 10)) << "nothing else was dropped for it";
  EXPECT_EQ(store.evicted(), 1u);
}

TEST(ResultStore, ForgetAndReplace) {
  ResultStore store({.ttl_ms = 1000, .max_bytes = 1 << 20});
  store.keep(completed(1, 10, "first"), 10);
  store.keep(completed(2, 11), 11);
  store.keep(completed(1, 12, "second"), 12);
  EXPECT_EQ(store.size(), 2u);
  EXPECT_EQ(store.find(1, 12)->result, "second");
  // The replacement counts as kept at 12: it expires after task 2's result.
  EXPECT_EQ(store.expire(12), 1011);
  EXPECT_TRUE(store.forget(2, 12));
  EXPECT_FALSE(store.forget(2, 12));
  EXPECT_EQ(store.size(), 1u);
  EXPECT_EQ(store.expire(12), 1012);
}

TEST(ResultStore, ManyEntriesSurviveGrowth) {
  ResultStore store({.ttl_ms = 1'000'000, .max_bytes = 1u << 30});
  for (std::uint64_t id = 1; id <= 5000; ++id) store.keep(completed(id * 7, 1), 1);
  for (std::uint64_t id = 1; id <= 5000; ++id) {
    ASSERT_TRUE(store.find(id * 7, 1)) << id;
  }
  for (std::uint64_t id = 1; id <= 5000; id += 2) ASSERT_TRUE(store.forget(id * 7, 1));
  EXPECT_EQ(store.size(), 2500u);
  EXPECT_FALSE(store.find(7, 1));
  EXPECT_TRUE(store.find(14, 1));
}

TEST(ResultStore, ForgettingAnExpiredOneSaysNo) {
  ResultStore store({.ttl_ms = 10, .max_bytes = 1 << 20});
  store.keep(completed(1, 100), 100);
  EXPECT_FALSE(store.forget(1, 110));
  EXPECT_EQ(store.size(), 0u);
  EXPECT_EQ(store.expired(), 1u);
}

TEST(ResultStore, OverheadWithinItsGoal) { EXPECT_LE(ResultStore::entry_overhead(), 128u); }

}  // namespace
}  // namespace tasq::results
