#include "tasq/metrics/queue_table.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace tasq::metrics {
namespace {

std::uint64_t completed_of(const QueueTable& table, const std::string& queue) {
  auto it = table.named().find(queue);
  return it == table.named().end() ? 0 : it->second.completed;
}

TEST(QueueTable, TheFirstQueuesGetSeriesAtOnce) {
  QueueTable table({.named = 2, .tracked = 4, .decay = 0.9});
  table.on_enqueued("a", 3);
  table.on_end("b", EndKind::completed, 0.001, 0.002);
  table.on_end("c", EndKind::dead, 0.001, 0.002);
  EXPECT_TRUE(table.is_named("a"));
  EXPECT_TRUE(table.is_named("b"));
  EXPECT_FALSE(table.is_named("c"));
  EXPECT_EQ(table.named().at("a").enqueued, 3u);
  EXPECT_EQ(table.named().at("b").completed, 1u);
  EXPECT_EQ(table.named().at("b").run.count(), 1u);
  EXPECT_EQ(table.other().dead, 1u);
  EXPECT_EQ(table.other().failed, 1u) << "a dead task's last attempt failed";
}

TEST(QueueTable, NamesThatCannotBeLabelsGoToOther) {
  QueueTable table;
  for (std::string name : {std::string(), std::string(65, 'x'), std::string("a\nb"),
                           std::string("\xff"), std::string(QueueTable::kOther)}) {
    table.on_end(name, EndKind::failed, 0, 0);
    EXPECT_FALSE(table.is_named(name)) << name;
  }
  EXPECT_EQ(table.other().failed, 5u);
  EXPECT_TRUE(QueueTable::nameable(std::string(64, 'x')));
  EXPECT_TRUE(QueueTable::nameable("caf\xc3\xa9 jobs:high"));
}

TEST(QueueTable, ABusyNewcomerTakesTheSeriesOfAnIdleQueue) {
  QueueTable table({.named = 2, .tracked = 4, .decay = 0.5});
  table.on_end("idle1", EndKind::completed, 0, 0);
  table.on_end("idle2", EndKind::completed, 0, 0);
  for (int second = 0; second < 10; ++second) {
    for (int i = 0; i < 50; ++i) table.on_end("busy", EndKind::completed, 0, 0);
    table.rerank();
  }
  EXPECT_TRUE(table.is_named("busy"));
  EXPECT_EQ(table.named().size(), 2u);
  // It counts from when it got its series; before that it was other's.
  EXPECT_GT(completed_of(table, "busy"), 0u);
  EXPECT_GT(table.other().completed, 0u);
  EXPECT_EQ(completed_of(table, "busy") + table.other().completed, 500u);
}

// The last queue looked up is remembered; losing its series in a rerank
// must send its next event to other, not to the series it no longer has.
TEST(QueueTable, AQueueThatLostItsSeriesCountsUnderOtherAtOnce) {
  QueueTable table({.named = 1, .tracked = 4, .decay = 0.5});
  table.on_end("old", EndKind::completed, 0, 0);
  ASSERT_TRUE(table.is_named("old"));
  for (int second = 0; second < 20 && table.is_named("old"); ++second) {
    for (int i = 0; i < 50; ++i) table.on_end("new", EndKind::completed, 0, 0);
    table.on_end("old", EndKind::completed, 0, 0);  // the last one looked up
    table.rerank();
  }
  ASSERT_TRUE(table.is_named("new"));
  ASSERT_FALSE(table.is_named("old"));
  const std::uint64_t other_before = table.other().completed;
  const std::uint64_t new_before = completed_of(table, "new");
  table.on_end("old", EndKind::completed, 0, 0);
  EXPECT_EQ(table.other().completed, other_before + 1);
  table.on_end("new", EndKind::completed, 0, 0);
  EXPECT_EQ(completed_of(table, "new"), new_before + 1);
}

TEST(QueueTable, SimilarQueuesDoNotFlap) {
  QueueTable table({.named = 1, .tracked = 4, .decay = 0.5});
  for (int second = 0; second < 20; ++second) {
    for (int i = 0; i < 10; ++i) table.on_end("a", EndKind::completed, 0, 0);
    for (int i = 0; i < 15; ++i) table.on_end("b", EndKind::completed, 0, 0);
    table.rerank();
    EXPECT_TRUE(table.is_named("a")) << "second " << second;
  }
}

TEST(QueueTable, CountersNeverGoDownAcrossMoves) {
  QueueTable table({.named = 3, .tracked = 6, .decay = 0.5});
  std::map<std::string, std::uint64_t> last;
  std::uint64_t last_other = 0;
  std::uint64_t total = 0;
  for (int second = 0; second < 200; ++second) {
    // A different queue is the busy one every 20 seconds.
    for (int q = 0; q < 8; ++q) {
      int load = q == (second / 20) % 8 ? 40 : 1;
      for (int i = 0; i < load; ++i) {
        table.on_end("q" + std::to_string(q), EndKind::completed, 0, 0);
        ++total;
      }
    }
    table.rerank();
    ASSERT_LE(table.named().size(), 3u);
    ASSERT_GE(table.other().completed, last_other);
    last_other = table.other().completed;
    std::map<std::string, std::uint64_t> now;
    std::uint64_t sum = table.other().completed;
    for (const auto& [name, counters] : table.named()) {
      if (auto it = last.find(name); it != last.end()) {
        ASSERT_GE(counters.completed, it->second);
      }
      now[name] = counters.completed;
      sum += counters.completed;
    }
    last = std::move(now);
    // Series that moved took their counts with them: the sum is not the
    // total, but never more.
    ASSERT_LE(sum, total);
  }
  EXPECT_TRUE(table.is_named("q" + std::to_string((199 / 20) % 8)));
}

TEST(QueueTable, MemoryIsBoundedWhateverTheKeys) {
  QueueTable table({.named = 4, .tracked = 16, .decay = 0.9});
  for (int i = 0; i < 100000; ++i) {
    table.on_enqueued("random:" + std::to_string(i), 1);
    if (i % 1000 == 0) table.rerank();
  }
  EXPECT_LE(table.named().size(), 4u);
  std::uint64_t sum = table.other().enqueued;
  for (const auto& [name, counters] : table.named()) sum += counters.enqueued;
  EXPECT_EQ(sum, 100000u) << "no move happened while every queue was equally quiet";
}

}  // namespace
}  // namespace tasq::metrics
