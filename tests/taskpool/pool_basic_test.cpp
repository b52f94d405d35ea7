// The Pool with real worker processes: round trips, every payload size,
// backpressure, per-queue counts, titles and descriptors, shutdown.

#include <algorithm>
#include <filesystem>
#include <set>

#include "pool_test_support.h"

namespace tasq::taskpool::testing {
namespace {

std::string payload_of(std::size_t size, std::uint64_t seed) {
  std::string payload(size, '\0');
  for (std::size_t i = 0; i < size; ++i)
    payload[i] = static_cast<char>((seed * 131 + i * 7) & 0xff);
  return payload;
}

// What the server's door for task ends passes on to results, dead letters
// and metrics: the payload, and when the attempt was queued, started and
// ended. The start is the worker's own, not when the master heard of the end.
TEST(PoolBasic, EndsCarryThePayloadAndTheAttemptsTimes) {
  PoolConfig config = test_config(TASQ_POOL_TEST_PLUGIN);
  config.task_retry = 1;
  PoolHarness h(config);
  struct Seen {
    std::string payload;
    tasq_outcome outcome;
    TaskEnd::Time enqueued, started, ended;
  };
  std::map<std::uint64_t, Seen> seen;
  h.on_end = [&](const TaskEnd& end) {
    seen[end.id] = {std::string(end.payload), end.outcome, end.enqueued, end.started, end.ended};
  };
  h.start();
  const auto before = std::chrono::steady_clock::now();
  const std::uint64_t slow = h.push("q", "sleep 50");
  const std::uint64_t dead = h.push("q", "crash");
  ASSERT_TRUE(h.wait_finals(2, 20s));
  const auto after = std::chrono::steady_clock::now();
  for (const auto& [id, s] : seen) {
    EXPECT_LE(before, s.enqueued) << id;
    EXPECT_LE(s.enqueued, s.started) << id;
    EXPECT_LE(s.started, s.ended) << id;
    EXPECT_LE(s.ended, after) << id;
  }
  EXPECT_EQ(seen.at(slow).payload, "sleep 50");
  EXPECT_EQ(seen.at(slow).outcome, TASQ_COMPLETED);
  EXPECT_GE(seen.at(slow).ended - seen.at(slow).started, 50ms) << "the task slept in between";
  EXPECT_EQ(seen.at(dead).payload, "crash");
  EXPECT_EQ(seen.at(dead).outcome, TASQ_DEAD);
}

TEST(PoolBasic, EchoesEveryTaskOnceWithIncreasingIds) {
  PoolHarness h(test_config());
  h.start();
  std::map<std::uint64_t, std::string> pushed;
  std::uint64_t last = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::string payload = "task " + std::to_string(i);
    const std::uint64_t id = h.push(i % 2 ? "odd" : "even", payload);
    ASSERT_GT(id, last);
    last = id;
    pushed[id] = payload;
    if (i % 100 == 99) h.run_for(1ms);  // let some finish while more arrive
  }
  ASSERT_TRUE(h.wait_finals(pushed.size()));
  ASSERT_EQ(h.ends.size(), pushed.size());
  std::set<std::uint64_t> seen;
  for (const auto& end : h.ends) {
    EXPECT_EQ(end.outcome, TASQ_COMPLETED);
    EXPECT_EQ(end.attempt, 1u);
    EXPECT_TRUE(seen.insert(end.id).second) << "task " << end.id << " ended twice";
    EXPECT_EQ(end.result, pushed[end.id]);
    EXPECT_EQ(end.queue, (std::stoi(pushed[end.id].substr(5)) % 2) ? "odd" : "even");
  }
  const PoolStats stats = h.pool().stats();
  EXPECT_EQ(stats.enqueued, pushed.size());
  EXPECT_EQ(stats.completed, pushed.size());
  EXPECT_EQ(stats.pending, 0u);
  EXPECT_EQ(stats.in_flight, 0u);
  EXPECT_EQ(stats.failed + stats.dead + stats.retried + stats.worker_restarts, 0u);
  EXPECT_EQ(stats.workers_alive, 2u);
  EXPECT_EQ(stats.ring_used, 0u);
  std::uint64_t per_worker = 0;
  for (const auto& w : h.pool().workers()) per_worker += w.tasks;
  EXPECT_EQ(per_worker, pushed.size());
}

TEST(PoolBasic, CarriesEveryPayloadSizeUpToTheLimit) {
  PoolConfig config = test_config();
  config.max_payload_bytes = 64u << 10;
  PoolHarness h(config);
  h.start();
  std::vector<std::size_t> sizes;
  for (std::size_t s = 0; s <= 300; ++s) sizes.push_back(s);
  for (std::size_t s = 512; s <= config.max_payload_bytes; s *= 2) {
    for (std::size_t d : {s - 9, s - 1, s, s + 1, s + 7}) {
      if (d <= config.max_payload_bytes) sizes.push_back(d);
    }
  }
  sizes.push_back(config.max_payload_bytes);
  std::map<std::uint64_t, std::string> pushed;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const std::string payload = payload_of(sizes[i], i);
    std::uint64_t id = 0;
    ASSERT_TRUE(h.run_until([&] { return (id = h.push("sizes", payload)) != 0; }));
    pushed[id] = payload;
  }
  ASSERT_TRUE(h.wait_finals(pushed.size()));
  for (const auto& end : h.ends) {
    ASSERT_EQ(end.outcome, TASQ_COMPLETED);
    ASSERT_EQ(end.result, pushed[end.id]) << "size " << pushed[end.id].size();
  }
  EXPECT_EQ(h.ends.size(), pushed.size());
}

TEST(PoolBasic, BatchPushIsAllOrNoneWithConsecutiveIds) {
  PoolHarness h(test_config());
  h.start();
  const std::string_view batch[] = {"a", "b", "c"};
  const std::uint64_t last = h.pool().push("batch", batch);
  ASSERT_GE(last, 3u);
  ASSERT_TRUE(h.wait_finals(3));
  std::set<std::uint64_t> ids;
  for (const auto& end : h.ends) ids.insert(end.id);
  EXPECT_EQ(ids, (std::set<std::uint64_t>{last - 2, last - 1, last}));
  EXPECT_EQ(h.ends_of(last - 2).at(0).result, "a");
  EXPECT_EQ(h.ends_of(last).at(0).result, "c");

  // A batch that cannot fit as a whole is refused as a whole.
  const std::string big(60u << 10, 'x');
  std::vector<std::string_view> too_many(40, big);  // 2.4 MB > 1 MB ring
  EXPECT_EQ(h.pool().push("batch", too_many), 0u);
  EXPECT_EQ(h.pool().stats().enqueued, 3u);
  EXPECT_EQ(h.pool().stats().ring_used, 0u);
}

TEST(PoolBasic, FullRingPushesBackAndNeverDrops) {
  PoolConfig config = test_config("exec:sleep 0.1; wc -c");
  config.max_payload_bytes = 200u << 10;
  config.ring_bytes = 1u << 20;
  PoolHarness h(config);
  h.start();
  const std::string payload(200u << 10, 'p');
  std::size_t accepted = 0;
  std::size_t refused = 0;
  while (refused == 0) {
    if (h.push("big", payload) != 0) {
      ++accepted;
    } else {
      ++refused;
    }
    ASSERT_LT(accepted, 10u) << "a 1 MB ring took ten 200 KB payloads";
  }
  EXPECT_GE(accepted, 3u);
  // Once space is freed, the rest goes in too; nothing acknowledged is lost.
  const std::size_t total = accepted + 6;
  h.on_space = [&] {
    while (accepted < total && h.push("big", payload) != 0) ++accepted;
  };
  ASSERT_TRUE(h.run_until([&] { return accepted == total; }));
  EXPECT_GE(h.space_freed, 1u);
  ASSERT_TRUE(h.wait_finals(total));
  for (const auto& end : h.ends) {
    EXPECT_EQ(end.outcome, TASQ_COMPLETED);
    EXPECT_EQ(std::stoul(end.result), payload.size());
  }
  EXPECT_EQ(h.ends.size(), total);
  EXPECT_EQ(h.pool().stats().ring_used, 0u);
}

TEST(PoolBasic, CountsPendingPerQueue) {
  // Tasks wait for a gate: the counts below are read while the first two
  // still run, however late this process gets to look.
  TempDir dir("pending-gate");
  const std::string gate = dir.file("open");
  PoolHarness h(test_config("exec:while [ ! -e " + gate + " ]; do sleep 0.05; done; cat"));
  h.start();
  for (int i = 0; i < 5; ++i) h.push("alpha", "a");
  for (int i = 0; i < 3; ++i) h.push("beta", "b");
  EXPECT_EQ(h.pool().pending("alpha"), 5u);  // nothing ran yet: still this turn
  EXPECT_EQ(h.pool().pending("beta"), 3u);
  EXPECT_EQ(h.pool().pending("gamma"), 0u);
  ASSERT_TRUE(h.run_until([&] { return h.pool().stats().in_flight == 2; }));
  const PoolStats stats = h.pool().stats();
  EXPECT_EQ(stats.pending, 6u);
  EXPECT_EQ(h.pool().pending("alpha") + h.pool().pending("beta"), 6u);
  ASSERT_TRUE(tasq::test::write_file(gate, ""));
  ASSERT_TRUE(h.wait_finals(8));
  EXPECT_EQ(h.pool().pending("alpha"), 0u);
  EXPECT_EQ(h.pool().pending("beta"), 0u);
}

TEST(PoolBasic, WorkersCarryTheirTitleAndOnlyTheirDescriptors) {
  PoolHarness h(test_config());
  h.start();
  const auto workers = h.pool().workers();
  ASSERT_EQ(workers.size(), 2u);
  for (const auto& w : workers) {
    ASSERT_GT(w.pid, 0);
    EXPECT_EQ(w.state, WorkerState::idle);
    const std::string cmdline = read_file("/proc/" + std::to_string(w.pid) + "/cmdline");
    EXPECT_EQ(cmdline.substr(0, cmdline.find('\0')), "tasqd: task worker " + std::to_string(w.id));
    std::set<int> fds;
    for (const auto& entry :
         std::filesystem::directory_iterator("/proc/" + std::to_string(w.pid) + "/fd")) {
      fds.insert(std::stoi(entry.path().filename().string()));
    }
    // Its eventfd to the master; the two memfds are closed once mapped.
    EXPECT_EQ(fds, (std::set<int>{0, 1, 2, 3})) << "worker " << w.id << " inherited extra fds";
    EXPECT_EQ(std::filesystem::read_symlink("/proc/" + std::to_string(w.pid) + "/fd/0"),
              "/dev/null");
  }
}

TEST(PoolBasic, ShutdownRunsQueuedTasksThenStopsTheWorkers) {
  PoolHarness h(test_config("exec:sleep 0.1; cat"));
  h.start();
  const auto pids = h.pids();
  for (int i = 0; i < 8; ++i) h.push("q", "t" + std::to_string(i));
  bool done = false;
  h.pool().shutdown([&] { done = true; });
  EXPECT_EQ(h.push("q", "late"), 0u);
  ASSERT_TRUE(h.run_until([&] { return done; }));
  EXPECT_EQ(h.finals, 8u);
  EXPECT_EQ(h.pool().stats().completed, 8u);
  EXPECT_EQ(h.pool().stats().workers_alive, 0u);
  for (int pid : pids) EXPECT_FALSE(process_exists(pid));
}

TEST(PoolBasic, ShutdownGivesUpOnTasksPastMaxWait) {
  PoolConfig config = test_config("exec:sleep 5");
  config.max_wait = 300ms;
  PoolHarness h(config);
  h.start();
  const auto pids = h.pids();
  for (int i = 0; i < 3; ++i) h.push("q", "forever");
  ASSERT_TRUE(h.run_until([&] { return h.pool().stats().in_flight == 2; }));
  bool done = false;
  h.pool().shutdown([&] { done = true; });
  ASSERT_TRUE(h.run_until([&] { return done; }, 10s));
  const PoolStats stats = h.pool().stats();
  EXPECT_EQ(stats.completed, 0u);
  EXPECT_EQ(stats.pending + stats.in_flight, 3u);  // unfinished, not lost silently
  for (int pid : pids) EXPECT_FALSE(process_exists(pid));
}

}  // namespace
}  // namespace tasq::taskpool::testing
