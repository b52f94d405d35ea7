// DelayedSet: order by due then id, ZADD's dedupe (move, NX), ZREM, ZCARD,
// the byte count the server bounds, and a million entries.

#include "tasq/schedule/delayed_set.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace tasq::schedule {
namespace {

using Change = DelayedSet::Change;

struct Ids {
  std::uint64_t next = 1;
  std::function<std::uint64_t()> fn() {
    return [this] { return next++; };
  }
};

std::vector<std::uint64_t> drain(DelayedSet& set) {
  std::vector<std::uint64_t> order;
  while (auto t = set.top()) {
    order.push_back(t->id);
    set.pop();
  }
  return order;
}

TEST(DelayedSet, OrdersByDueThenId) {
  DelayedSet set;
  Ids ids;
  set.add("q", "c", 300, false, ids.fn());  // 1
  set.add("q", "a", 100, false, ids.fn());  // 2
  set.add("r", "b", 100, false, ids.fn());  // 3
  set.add("q", "d", 200, false, ids.fn());  // 4
  auto top = set.top();
  ASSERT_TRUE(top);
  EXPECT_EQ(top->id, 2u);
  EXPECT_EQ(top->queue, "q");
  EXPECT_EQ(top->payload, "a");
  EXPECT_EQ(top->due_ms, 100);
  EXPECT_EQ(drain(set), (std::vector<std::uint64_t>{2, 3, 4, 1}));
  EXPECT_TRUE(set.empty());
  EXPECT_FALSE(set.top());
}

TEST(DelayedSet, SamePayloadMovesAndKeepsItsId) {
  DelayedSet set;
  Ids ids;
  auto first = set.add("q", "p", 500, false, ids.fn());
  EXPECT_EQ(first.change, Change::added);
  set.add("q", "other", 300, false, ids.fn());
  auto again = set.add("q", "p", 100, false, ids.fn());
  EXPECT_EQ(again.change, Change::moved);
  EXPECT_EQ(again.id, first.id);
  EXPECT_EQ(set.size(), 2u);
  EXPECT_EQ(set.top()->payload, "p");
  EXPECT_EQ(set.top()->due_ms, 100);
  auto same = set.add("q", "p", 100, false, ids.fn());
  EXPECT_EQ(same.change, Change::unchanged);
  EXPECT_EQ(ids.next, 3u) << "no id is handed out for a payload already scheduled";
  // Moving later works too.
  set.add("q", "p", 900, false, ids.fn());
  EXPECT_EQ(drain(set), (std::vector<std::uint64_t>{2, 1}));
}

TEST(DelayedSet, SamePayloadOnAnotherQueueIsAnotherTask) {
  DelayedSet set;
  Ids ids;
  auto a = set.add("q1", "p", 100, false, ids.fn());
  auto b = set.add("q2", "p", 100, false, ids.fn());
  EXPECT_NE(a.id, b.id);
  EXPECT_EQ(set.count("q1"), 1u);
  EXPECT_EQ(set.count("q2"), 1u);
}

TEST(DelayedSet, NxKeepsTheDueTime) {
  DelayedSet set;
  Ids ids;
  auto first = set.add("q", "p", 500, true, ids.fn());
  EXPECT_EQ(first.change, Change::added);
  auto kept = set.add("q", "p", 100, true, ids.fn());
  EXPECT_EQ(kept.change, Change::unchanged);
  EXPECT_EQ(kept.id, first.id);
  EXPECT_EQ(set.top()->due_ms, 500);
}

TEST(DelayedSet, RemoveCancelsAndCounts) {
  DelayedSet set;
  Ids ids;
  set.add("q", "a", 100, false, ids.fn());
  set.add("q", "b", 200, false, ids.fn());
  set.add("r", "a", 300, false, ids.fn());
  EXPECT_EQ(set.count("q"), 2u);
  EXPECT_EQ(set.count("none"), 0u);
  EXPECT_EQ(set.bytes(), 3u * 2u);
  EXPECT_EQ(set.remove("q", "a"), std::optional<std::uint64_t>(1));
  EXPECT_EQ(set.remove("q", "a"), std::nullopt);
  EXPECT_EQ(set.remove("none", "a"), std::nullopt);
  EXPECT_EQ(set.count("q"), 1u);
  EXPECT_FALSE(set.contains("q", "a"));
  EXPECT_TRUE(set.contains("r", "a"));
  EXPECT_EQ(set.remove("q", "b"), std::optional<std::uint64_t>(2));
  EXPECT_EQ(set.count("q"), 0u);
  // A queue emptied and used again starts from zero.
  set.add("q", "c", 50, false, ids.fn());
  EXPECT_EQ(set.count("q"), 1u);
  EXPECT_EQ(drain(set), (std::vector<std::uint64_t>{4, 3}));
  EXPECT_EQ(set.bytes(), 0u);
}

TEST(DelayedSet, RestoreKeepsIdsAndTheLatestRecord) {
  DelayedSet set;
  set.restore(7, "q", "p", 100);
  set.restore(9, "q", "p", 50);  // a later record of the same payload
  set.restore(3, "q", "p", 10);  // an older one: ignored
  set.restore(8, "q", "x", 70);
  EXPECT_EQ(set.size(), 2u);
  EXPECT_EQ(drain(set), (std::vector<std::uint64_t>{9, 8}));
}

TEST(DelayedSet, AMillionEntries) {
  DelayedSet set;
  Ids ids;
  std::mt19937_64 rng(42);
  constexpr int kCount = 1'000'000;
  auto payload_of = [](int i) {
    auto text = std::to_string(i);
    text.resize(64, 'x');
    return text;
  };
  for (int i = 0; i < kCount; ++i) {
    set.add("q", payload_of(i), static_cast<std::int64_t>(rng() % 20'000), false, ids.fn());
  }
  EXPECT_EQ(set.size(), static_cast<std::size_t>(kCount));
  EXPECT_EQ(set.count("q"), set.size());
  // Cancel a tenth, move a tenth, then everything comes out in order.
  for (int i = 0; i < kCount; i += 10) {
    EXPECT_TRUE(set.remove("q", payload_of(i)));
    EXPECT_EQ(set.add("q", payload_of(i + 1), -1, false, ids.fn()).change, Change::moved);
  }
  std::int64_t last_due = -1;
  std::uint64_t last_id = 0;
  std::size_t seen = 0;
  while (auto t = set.top()) {
    ASSERT_TRUE(t->due_ms > last_due || (t->due_ms == last_due && t->id > last_id));
    last_due = t->due_ms;
    last_id = t->id;
    set.pop();
    ++seen;
  }
  EXPECT_EQ(seen, static_cast<std::size_t>(kCount - kCount / 10));
}

// Moves earlier and later, removals anywhere in the heap and pops, checked
// against an ordered reference after every step.
TEST(DelayedSet, RandomMovesAndRemovesKeepTheOrder) {
  DelayedSet set;
  Ids ids;
  std::mt19937_64 rng(7);
  std::map<std::string, std::pair<std::int64_t, std::uint64_t>> due_of;  // payload -> (due, id)
  std::set<std::pair<std::int64_t, std::uint64_t>> order;
  for (int step = 0; step < 20'000; ++step) {
    const std::string payload = "p" + std::to_string(rng() % 2'000);
    const std::int64_t due = static_cast<std::int64_t>(rng() % 1'000);
    switch (rng() % 4) {
      case 0:
      case 1: {  // add, or move (either way)
        auto result = set.add("q", payload, due, false, ids.fn());
        if (auto it = due_of.find(payload); it != due_of.end()) {
          ASSERT_EQ(result.id, it->second.second);
          order.erase({it->second.first, it->second.second});
        }
        due_of[payload] = {due, result.id};
        order.insert({due, result.id});
        break;
      }
      case 2: {  // remove
        auto removed = set.remove("q", payload);
        auto it = due_of.find(payload);
        ASSERT_EQ(removed.has_value(), it != due_of.end());
        if (it != due_of.end()) {
          order.erase({it->second.first, it->second.second});
          due_of.erase(it);
        }
        break;
      }
      default: {  // pop
        auto top = set.top();
        ASSERT_EQ(top.has_value(), !order.empty());
        if (!top) break;
        ASSERT_EQ(std::make_pair(top->due_ms, top->id), *order.begin());
        due_of.erase(std::string(top->payload));
        order.erase(order.begin());
        set.pop();
      }
    }
    ASSERT_EQ(set.size(), order.size());
    if (!order.empty()) {
      ASSERT_EQ(set.top()->id, order.begin()->second);
    }
  }
}

}  // namespace
}  // namespace tasq::schedule
