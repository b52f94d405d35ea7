// DelayedSet's storage: what the index (an open-addressing table keeping a
// 32-bit hash per entry) and the entries (payloads up to 16 bytes inside
// them, the rest allocated; chunks reused through a free list) make risky.
// Every test checks the set against a plain reference model.

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "tasq/schedule/delayed_set.h"

// Its own namespace: a unity build compiles this file with delayed_set_test.cpp.
namespace tasq::schedule::index_test {
namespace {

using Change = DelayedSet::Change;

// Hashes that make entries collide: every one, or one in three.
std::uint32_t same_hash(std::string_view) { return 42; }
std::uint32_t three_hashes(std::string_view bytes) {
  return static_cast<std::uint32_t>(bytes.size() % 3);
}

// A payload of `size` bytes unique to `n`, NUL bytes included: sizes around
// 16 land on both sides of the entry's inline storage.
std::string payload_of(int n, std::size_t size) {
  std::string text = std::to_string(n) + '\0' + "#";
  text.resize(std::max(size, text.size()), static_cast<char>('a' + n % 26));
  return text;
}

struct Task {
  std::int64_t due_ms;
  std::uint64_t id;
  std::string queue;
  std::string payload;
  auto operator<=>(const Task&) const = default;
};

// Mirrors a DelayedSet: what it holds, keyed by (queue, payload).
class Model {
 public:
  void put(const std::string& queue, const std::string& payload, std::int64_t due,
           std::uint64_t id) {
    erase(queue, payload);
    by_key_[{queue, payload}] = {due, id};
    order_.insert(Task{due, id, queue, payload});
  }
  bool erase(const std::string& queue, const std::string& payload) {
    auto it = by_key_.find({queue, payload});
    if (it == by_key_.end()) return false;
    order_.erase(Task{it->second.first, it->second.second, queue, payload});
    by_key_.erase(it);
    return true;
  }
  [[nodiscard]] const std::pair<std::int64_t, std::uint64_t>* find(const std::string& queue,
                                                                  const std::string& payload) const {
    auto it = by_key_.find({queue, payload});
    return it == by_key_.end() ? nullptr : &it->second;
  }
  [[nodiscard]] const std::set<Task>& order() const { return order_; }
  [[nodiscard]] std::size_t bytes() const {
    std::size_t total = 0;
    for (const Task& t : order_) total += t.queue.size() + t.payload.size();
    return total;
  }

 private:
  std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, std::uint64_t>> by_key_;
  std::set<Task> order_;
};

struct Ids {
  std::uint64_t next = 1;
  std::function<std::uint64_t()> fn() {
    return [this] { return next++; };
  }
};

// Pops everything, checking each task against the model's order.
void drain_and_compare(DelayedSet& set, Model& model) {
  ASSERT_EQ(set.size(), model.order().size());
  ASSERT_EQ(set.bytes(), model.bytes());
  for (const Task& expected : model.order()) {
    auto top = set.top();
    ASSERT_TRUE(top);
    EXPECT_EQ(Task(top->due_ms, top->id, std::string(top->queue), std::string(top->payload)),
              expected);
    set.pop();
  }
  EXPECT_FALSE(set.top());
  EXPECT_EQ(set.size(), 0u);
  EXPECT_EQ(set.bytes(), 0u);
}

// Adds, moves (earlier and later), NX re-adds, removes and pops at random
// over two queues sharing payloads, checked against the model at each step.
void random_steps(DelayedSet& set, std::uint64_t seed, int steps) {
  Ids ids;
  Model model;
  std::mt19937_64 rng(seed);
  const std::string queues[] = {"q", "other"};
  for (int step = 0; step < steps; ++step) {
    const std::string& queue = queues[rng() % 2];
    const int n = static_cast<int>(rng() % 600);
    const std::string payload = payload_of(n, n % 40);
    const auto due = static_cast<std::int64_t>(rng() % 500);
    switch (rng() % 5) {
      case 0:
      case 1:
      case 2: {
        const bool keep_due = rng() % 4 == 0;
        const auto* before = model.find(queue, payload);
        auto result = set.add(queue, payload, due, keep_due, ids.fn());
        if (before == nullptr) {
          ASSERT_EQ(result.change, Change::added);
          model.put(queue, payload, due, result.id);
        } else {
          ASSERT_EQ(result.id, before->second);
          const bool same = keep_due || before->first == due;
          ASSERT_EQ(result.change, same ? Change::unchanged : Change::moved);
          if (!same) model.put(queue, payload, due, result.id);
        }
        break;
      }
      case 3: {
        const auto* before = model.find(queue, payload);
        const auto removed = set.remove(queue, payload);
        ASSERT_EQ(removed.has_value(), before != nullptr);
        if (before != nullptr) {
          ASSERT_EQ(*removed, before->second);
          model.erase(queue, payload);
        }
        break;
      }
      default: {
        auto top = set.top();
        ASSERT_EQ(top.has_value(), !model.order().empty());
        if (!top) break;
        const Task& first = *model.order().begin();
        ASSERT_EQ(Task(top->due_ms, top->id, std::string(top->queue), std::string(top->payload)),
                  first);
        model.erase(first.queue, first.payload);
        set.pop();
      }
    }
    ASSERT_EQ(set.contains(queue, payload), model.find(queue, payload) != nullptr);
    ASSERT_EQ(set.size(), model.order().size());
  }
  drain_and_compare(set, model);
}

TEST(DelayedSetIndex, RandomStepsWithAGoodHash) {
  DelayedSet set;
  random_steps(set, 1, 30'000);
}

// Every entry in one probe chain: equality must still tell payloads apart
// by their bytes and queues by identity, and erasing from the middle of the
// chain must not lose the entries past it.
TEST(DelayedSetIndex, RandomStepsWhenEveryHashCollides) {
  DelayedSet set(&same_hash);
  random_steps(set, 2, 6'000);
}

TEST(DelayedSetIndex, RandomStepsWithThreeHashValues) {
  DelayedSet set(&three_hashes);
  random_steps(set, 3, 6'000);
}

// Payloads that differ only past a NUL, or by length, or sit on both sides
// of the 16 bytes kept inside an entry, are different tasks.
TEST(DelayedSetIndex, PayloadsThatAlmostMatchAreDifferentTasks) {
  DelayedSet set(&same_hash);
  Ids ids;
  const std::vector<std::string> payloads = {
      "",
      std::string("\0", 1),
      std::string("a\0b", 3),
      std::string("a\0c", 3),
      std::string(16, 'x'),
      std::string(17, 'x'),
      std::string(15, 'x'),
      std::string(16, 'x') + std::string("\0", 1),
  };
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    auto result = set.add("q", payloads[i], static_cast<std::int64_t>(i), false, ids.fn());
    EXPECT_EQ(result.change, Change::added) << i;
  }
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    EXPECT_TRUE(set.contains("q", payloads[i])) << i;
    EXPECT_FALSE(set.contains("r", payloads[i])) << i;
    EXPECT_EQ(set.add("q", payloads[i], static_cast<std::int64_t>(i), false, ids.fn()).change,
              Change::unchanged);
  }
  EXPECT_FALSE(set.contains("q", std::string(18, 'x')));
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    auto top = set.top();
    ASSERT_TRUE(top);
    EXPECT_EQ(top->payload, payloads[i]);
    set.pop();
  }
  EXPECT_EQ(set.bytes(), 0u);
}

// A move rewrites the task where it is: its id, queue and payload stay, and
// no other task's view or place changes.
TEST(DelayedSetIndex, MoveInPlaceLeavesTheOthersAlone) {
  DelayedSet set;
  Ids ids;
  Model model;
  for (int i = 0; i < 300; ++i) {
    const std::string payload = payload_of(i, i % 2 == 0 ? 8 : 40);
    const std::int64_t due = 1000 + i;
    model.put("q", payload, due, set.add("q", payload, due, false, ids.fn()).id);
  }
  const auto first = set.top();
  ASSERT_TRUE(first);
  const std::string first_payload(first->payload);
  for (int i = 100; i < 200; ++i) {
    const std::string payload = payload_of(i, i % 2 == 0 ? 8 : 40);
    const std::int64_t due = i % 3 == 0 ? 500 - i : 1500 + i;  // before them all, or later
    auto result = set.add("q", payload, due, false, ids.fn());
    ASSERT_EQ(result.change, Change::moved);
    ASSERT_EQ(result.id, static_cast<std::uint64_t>(i + 1));
    model.put("q", payload, due, result.id);
  }
  // The task that was earliest was not touched: its view still reads its bytes.
  EXPECT_EQ(first->payload, first_payload);
  EXPECT_EQ(set.count("q"), 300u);
  EXPECT_EQ(ids.next, 301u);
  drain_and_compare(set, model);
}

// Removing from the middle of the heap and of the entries: the free list
// hands the entries out again, and the rest stay whole.
TEST(DelayedSetIndex, RemoveFromTheMiddleAndReuse) {
  DelayedSet set;
  Ids ids;
  Model model;
  for (int i = 0; i < 3000; ++i) {
    const std::string payload = payload_of(i, static_cast<std::size_t>(i % 33));
    model.put("q", payload, i % 97, set.add("q", payload, i % 97, false, ids.fn()).id);
  }
  for (int i = 1; i < 3000; i += 3) {
    const std::string payload = payload_of(i, static_cast<std::size_t>(i % 33));
    ASSERT_TRUE(set.remove("q", payload));
    model.erase("q", payload);
  }
  for (int i = 3000; i < 4000; ++i) {
    const std::string payload = payload_of(i, static_cast<std::size_t>(i % 33));
    model.put("r", payload, i % 89, set.add("r", payload, i % 89, false, ids.fn()).id);
  }
  EXPECT_EQ(set.count("q"), 2000u);
  EXPECT_EQ(set.count("r"), 1000u);
  drain_and_compare(set, model);
}

// Growth of the table (rehash) and of the entries while tasks are held:
// views of held tasks stay good, every task is still found, and the order
// holds. Then removing everything leaves nothing, and the set works again.
TEST(DelayedSetIndex, GrowthWhileScheduledThenEmpty) {
  DelayedSet set;
  Ids ids;
  Model model;
  set.add("q", "short", -2, false, ids.fn());
  set.add("q", std::string(100, 'L'), -1, false, ids.fn());
  model.put("q", "short", -2, 1);
  model.put("q", std::string(100, 'L'), -1, 2);
  const auto held = set.top();
  ASSERT_TRUE(held);
  std::mt19937_64 rng(11);
  for (int i = 0; i < 100'000; ++i) {
    const std::string payload = payload_of(i, static_cast<std::size_t>(i % 48));
    const auto due = static_cast<std::int64_t>(rng() % 10'000);
    model.put("g", payload, due, set.add("g", payload, due, false, ids.fn()).id);
  }
  EXPECT_EQ(held->payload, "short");
  EXPECT_EQ(held->queue, "q");
  for (int i = 0; i < 100'000; i += 7) {
    ASSERT_TRUE(set.contains("g", payload_of(i, static_cast<std::size_t>(i % 48)))) << i;
  }
  // Remove half from anywhere, then pop the rest.
  for (int i = 0; i < 100'000; i += 2) {
    const std::string payload = payload_of(i, static_cast<std::size_t>(i % 48));
    ASSERT_TRUE(set.remove("g", payload));
    model.erase("g", payload);
  }
  drain_and_compare(set, model);
  EXPECT_EQ(set.count("g"), 0u);
  EXPECT_EQ(set.count("q"), 0u);
  EXPECT_FALSE(set.contains("g", payload_of(1, 1)));
  // Used again after it emptied: nothing of before is found.
  auto again = set.add("g", payload_of(1, 1), 5, false, ids.fn());
  EXPECT_EQ(again.change, Change::added);
  EXPECT_EQ(set.size(), 1u);
  EXPECT_EQ(set.bytes(), 1u + payload_of(1, 1).size());
  ASSERT_TRUE(set.remove("g", payload_of(1, 1)));
  EXPECT_EQ(set.bytes(), 0u);
  EXPECT_TRUE(set.empty());
}

// Journal replay over a held task: the later record, or the same task
// moved (same id), takes the place of the earlier one in place.
TEST(DelayedSetIndex, RestoreOverAHeldTask) {
  DelayedSet set;
  set.restore(5, "q", std::string(30, 'p'), 100);
  set.restore(6, "q", "x", 200);
  set.restore(5, "q", std::string(30, 'p'), 300);  // moved: same id, new due
  auto top = set.top();
  ASSERT_TRUE(top);
  EXPECT_EQ(top->id, 6u);
  set.restore(7, "q", "x", 400);  // a later record of "x"
  set.restore(4, "q", "x", 1);    // an earlier one: ignored
  // ZADD after replay sees the replayed id and due time.
  Ids ids;
  ids.next = 100;
  auto same = set.add("q", std::string(30, 'p'), 300, false, ids.fn());
  EXPECT_EQ(same.change, Change::unchanged);
  EXPECT_EQ(same.id, 5u);
  auto x = set.add("q", "x", 400, false, ids.fn());
  EXPECT_EQ(x.change, Change::unchanged);
  EXPECT_EQ(x.id, 7u);
  EXPECT_EQ(ids.next, 100u);
  EXPECT_EQ(set.size(), 2u);
  EXPECT_EQ(set.count("q"), 2u);
  EXPECT_EQ(set.bytes(), (1u + 30) + (1u + 1));
  std::vector<std::tuple<std::uint64_t, std::int64_t>> order;
  while (auto t = set.top()) {
    order.emplace_back(t->id, t->due_ms);
    set.pop();
  }
  EXPECT_EQ(order, (std::vector<std::tuple<std::uint64_t, std::int64_t>>{{5, 300}, {7, 400}}));
}

}  // namespace
}  // namespace tasq::schedule::index_test
