// dispatch_mode key with real workers: within a queue, tasks start in push
// order and never overlap, a retry (after a failure or a worker death) runs
// before the queue's later tasks, and different queues still run in parallel.
//
// Tasks are the test plugin's "rec FILE MS MODE": each appends a start line
// and an end line to one shared file, so the file's order is the order in
// which the workers really started and ended them.

#include <algorithm>
#include <optional>
#include <set>

#include "pool_test_support.h"

namespace tasq::taskpool::testing {
namespace {

struct Event {
  char kind;  ///< S(tart), E(nd: success), F(ailed attempt)
  std::string queue;
  std::uint64_t id;
  std::uint32_t attempt;
  int pid;  ///< on S lines only
};

std::vector<Event> read_events(const std::string& path) {
  std::vector<Event> events;
  std::istringstream lines(read_file(path));
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    Event e{};
    fields >> e.kind >> e.queue >> e.id >> e.attempt;
    if (e.kind == 'S') fields >> e.pid;
    events.push_back(e);
  }
  return events;
}

using Pushed = std::map<std::string, std::vector<std::uint64_t>>;

/// Walks the events queue by queue: each start must be the queue's next task
/// in push order (or the retry of the one before), and come after the end of
/// the queue's previous attempt — unless that one's worker was killed.
/// Returns what went wrong, one line each; empty when nothing did.
std::string check_key_order(const std::vector<Event>& events, const Pushed& pushed,
                            std::uint32_t task_retry, const std::set<int>& killed = {}) {
  struct State {
    std::optional<Event> running;
    std::size_t next = 0;  ///< index in pushed of the task that runs or runs next
    std::uint32_t attempt = 0;
  };
  std::map<std::string, State> states;
  std::ostringstream problems;
  // The first few tell the story; the rest would follow from them.
  for (std::size_t i = 0; i < events.size() && problems.tellp() < 600; ++i) {
    const Event& e = events[i];
    const auto& ids = pushed.at(e.queue);
    State& s = states[e.queue];
    if (e.kind == 'S') {
      if (s.running) {
        if (killed.count(s.running->pid) == 0 || s.running->id != e.id) {
          problems << "line " << i << ": " << e.queue << " task " << e.id << " started while task "
                   << s.running->id << " ran\n";
        }
        s.running.reset();
      }
      if (s.next >= ids.size() || ids[s.next] != e.id) {
        problems << "line " << i << ": " << e.queue << " started task " << e.id << ", expected "
                 << (s.next < ids.size() ? std::to_string(ids[s.next]) : "none") << "\n";
      }
      if (e.attempt != s.attempt + 1) {
        problems << "line " << i << ": task " << e.id << " attempt " << e.attempt << " after "
                 << s.attempt << "\n";
      }
      s.attempt = e.attempt;
      s.running = e;
      continue;
    }
    if (!s.running || s.running->id != e.id || s.running->attempt != e.attempt) {
      problems << "line " << i << ": " << e.kind << " of task " << e.id
               << " that was not running\n";
      continue;
    }
    s.running.reset();
    if (e.kind == 'E' || e.attempt >= task_retry) {  // ended for good: the queue moves on
      ++s.next;
      s.attempt = 0;
    }
  }
  for (const auto& [queue, ids] : pushed) {
    if (states[queue].next != ids.size()) {
      problems << queue << ": " << states[queue].next << " of " << ids.size() << " tasks ended\n";
    }
  }
  return problems.str();
}

/// Most tasks running at once, across all queues.
int max_overlap(const std::vector<Event>& events) {
  int running = 0, most = 0;
  for (const Event& e : events) {
    running += e.kind == 'S' ? 1 : -1;
    most = std::max(most, running);
  }
  return most;
}

PoolConfig key_config(std::uint32_t workers) {
  PoolConfig config = test_config(TASQ_POOL_TEST_PLUGIN, workers);
  config.dispatch_mode = DispatchMode::key;
  config.log_level = "error";
  return config;
}

std::string rec(const TempDir& dir, int ms, const char* mode = "ok") {
  return "rec " + dir.file("events") + " " + std::to_string(ms) + " " + mode;
}

TEST(PoolKeyOrder, QueuesRunInPushOrderOneAtATimeAndInParallel) {
  TempDir dir("key-order");
  PoolHarness h(key_config(3));
  h.start();

  // Four queues, pushed interleaved, some tasks two to a push.
  constexpr int kQueues = 4, kPerQueue = 20;
  Pushed pushed;
  const std::string task = rec(dir, 5);
  for (int n = 0; n < kPerQueue; n += 2) {
    for (int q = 0; q < kQueues; ++q) {
      const std::string queue = "q" + std::to_string(q);
      if (q % 2 == 0) {
        const std::string_view two[] = {task, task};
        const std::uint64_t last = h.pool().push(queue, two);
        ASSERT_NE(last, 0u);
        pushed[queue].insert(pushed[queue].end(), {last - 1, last});
      } else {
        for (int k = 0; k < 2; ++k) {
          const std::uint64_t id = h.push(queue, task);
          ASSERT_NE(id, 0u);
          pushed[queue].push_back(id);
        }
      }
    }
  }
  // Held tasks count as waiting: at most one per queue has left the count.
  for (const auto& [queue, ids] : pushed) {
    EXPECT_GE(h.pool().pending(queue), ids.size() - 1) << queue;
  }
  const PoolStats before = h.pool().stats();
  EXPECT_EQ(before.pending + before.in_flight, std::uint64_t{kQueues * kPerQueue});

  ASSERT_TRUE(h.wait_finals(kQueues * kPerQueue, 60s));
  const PoolStats after = h.pool().stats();
  EXPECT_EQ(after.completed, std::uint64_t{kQueues * kPerQueue});
  EXPECT_EQ(after.pending, 0u);
  EXPECT_EQ(after.in_flight, 0u);
  for (const auto& [queue, ids] : pushed) EXPECT_EQ(h.pool().pending(queue), 0u);

  const auto events = read_events(dir.file("events"));
  ASSERT_EQ(events.size(), std::size_t{2 * kQueues * kPerQueue});
  EXPECT_EQ(check_key_order(events, pushed, 3), "");
  // With 3 workers and 4 queues of 5 ms tasks, queues did share the workers.
  EXPECT_GE(max_overlap(events), 2);
}

TEST(PoolKeyOrder, RetriesAndDeadLettersKeepTheirPlace) {
  TempDir dir("key-retry");
  PoolConfig config = key_config(3);
  config.task_retry = 2;
  PoolHarness h(config);
  h.start();

  Pushed pushed;
  // "r": fails once, then ok, then fails for good, then two more; "s" beside it.
  for (const char* mode : {"fail1", "ok", "fail", "ok", "ok"}) {
    pushed["r"].push_back(h.push("r", rec(dir, 3, mode)));
  }
  for (int i = 0; i < 5; ++i) pushed["s"].push_back(h.push("s", rec(dir, 3)));
  ASSERT_TRUE(h.wait_finals(10, 60s));

  const auto events = read_events(dir.file("events"));
  EXPECT_EQ(check_key_order(events, pushed, config.task_retry), "");
  std::vector<std::string> r_order;
  for (const Event& e : events) {
    if (e.queue == "r") {
      r_order.push_back(std::string(1, e.kind) + std::to_string(e.id) + "." +
                        std::to_string(e.attempt));
    }
  }
  const auto& r = pushed["r"];
  auto at = [&](std::size_t i, char kind, int attempt) {
    return std::string(1, kind) + std::to_string(r[i]) + "." + std::to_string(attempt);
  };
  const std::vector<std::string> expected = {
      at(0, 'S', 1), at(0, 'F', 1), at(0, 'S', 2), at(0, 'E', 2), at(1, 'S', 1),
      at(1, 'E', 1), at(2, 'S', 1), at(2, 'F', 1), at(2, 'S', 2), at(2, 'F', 2),
      at(3, 'S', 1), at(3, 'E', 1), at(4, 'S', 1), at(4, 'E', 1)};
  EXPECT_EQ(r_order, expected);
  const PoolStats stats = h.pool().stats();
  EXPECT_EQ(stats.completed, 9u);
  EXPECT_EQ(stats.dead, 1u);
  EXPECT_EQ(stats.retried, 2u);
}

TEST(PoolKeyOrder, TaskOfAKilledWorkerRunsAgainBeforeItsQueuesNextOnes) {
  TempDir dir("key-kill");
  PoolHarness h(key_config(3));
  h.start();
  const std::string events_path = dir.file("events");

  Pushed pushed;
  pushed["k"].push_back(h.push("k", rec(dir, 2, "hold1")));
  for (int i = 0; i < 3; ++i) pushed["k"].push_back(h.push("k", rec(dir, 2)));
  for (int i = 0; i < 10; ++i) pushed["o"].push_back(h.push("o", rec(dir, 5)));

  // While k's first task hangs, the other queue runs to its end on the two
  // workers left, and k's later tasks stay held.
  int victim = 0;
  ASSERT_TRUE(h.run_until([&] {
    for (const Event& e : read_events(events_path)) {
      if (e.kind == 'S' && e.queue == "k") victim = e.pid;
    }
    return victim > 0 && h.finals >= 10;
  }));
  EXPECT_EQ(h.pool().pending("k"), 3u);
  ASSERT_EQ(::kill(victim, SIGKILL), 0);
  ASSERT_TRUE(h.wait_finals(14, 60s));

  const auto events = read_events(events_path);
  EXPECT_EQ(check_key_order(events, pushed, 3, {victim}), "");
  const auto first = h.ends_of(pushed["k"][0]);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].outcome, TASQ_FAILED);
  EXPECT_NE(first[0].reason.find("killed by signal 9"), std::string::npos) << first[0].reason;
  EXPECT_EQ(first[1].outcome, TASQ_COMPLETED);
  EXPECT_EQ(first[1].attempt, 2u);
}

TEST(PoolKeyOrder, ReloadMidRunKeepsOrderAndRerunsNothing) {
  TempDir dir("key-reload");
  PoolHarness h(key_config(2));
  h.start();

  Pushed pushed;
  for (int n = 0; n < 15; ++n) {
    for (const char* queue : {"a", "b", "c"}) pushed[queue].push_back(h.push(queue, rec(dir, 4)));
  }
  ASSERT_TRUE(h.run_until([&] { return h.finals >= 5; }));
  ASSERT_TRUE(h.pool().reload());
  ASSERT_TRUE(h.wait_finals(45, 60s));

  EXPECT_EQ(check_key_order(read_events(dir.file("events")), pushed, 3), "");
  EXPECT_EQ(h.ends.size(), 45u) << "a task ran twice";
}

TEST(PoolKeyOrder, ShutdownRunsHeldTasksBeforeItStops) {
  TempDir dir("key-shutdown");
  PoolConfig config = key_config(2);
  config.max_wait = 30s;
  PoolHarness h(config);
  h.start();

  Pushed pushed;
  for (int n = 0; n < 5; ++n) {
    for (const char* queue : {"a", "b"}) pushed[queue].push_back(h.push(queue, rec(dir, 3)));
  }
  bool stopped = false;
  h.pool().shutdown([&] { stopped = true; });
  ASSERT_TRUE(h.run_until([&] { return stopped; }, 60s));

  EXPECT_EQ(h.pool().stats().completed, 10u);
  EXPECT_EQ(check_key_order(read_events(dir.file("events")), pushed, 3), "");
}

}  // namespace
}  // namespace tasq::taskpool::testing
