// Graceful replacement under load — reload and max_request — never loses a
// task, never runs one twice, and keeps all workers but one alive throughout.

#include <boost/asio/steady_timer.hpp>
#include <filesystem>
#include <set>

#include "pool_test_support.h"

namespace tasq::taskpool::testing {
namespace {

/// Pushes `total` tasks a batch per millisecond, echoed by the test plugin;
/// every `sleeper`th one sleeps a little so that workers are busy when asked
/// to stop. Samples the live workers and their pids meanwhile.
class Load {
 public:
  Load(PoolHarness& h, std::size_t total, std::size_t sleeper)
      : h_(h), total_(total), sleeper_(sleeper), feeder_(h.io()), sampler_(h.io()) {
    feed();
    sample();
  }

  bool all_pushed() const { return pushed.size() == total_; }

  /// Every task ended once, completed at its first attempt, with its payload.
  void expect_each_completed_once() const {
    std::map<std::uint64_t, int> seen;
    for (const auto& end : h_.ends) {
      EXPECT_EQ(end.outcome, TASQ_COMPLETED) << "task " << end.id << ": " << end.reason;
      EXPECT_EQ(end.attempt, 1u) << "task " << end.id << " ran again";
      EXPECT_EQ(end.result, pushed.at(end.id));
      ++seen[end.id];
    }
    ASSERT_EQ(seen.size(), total_);
    for (const auto& [id, n] : seen) ASSERT_EQ(n, 1) << "task " << id << " ended " << n << " times";
  }

  std::map<std::uint64_t, std::string> pushed;
  std::size_t min_alive = ~std::size_t{0};
  std::set<int> pids_seen;

 private:
  void feed() {
    for (int i = 0; i < 100 && pushed.size() < total_; ++i) {
      const std::string payload =
          pushed.size() % sleeper_ == 0 ? "sleep 3" : "task " + std::to_string(pushed.size());
      const std::uint64_t id = h_.push("reload", payload);
      if (id == 0) break;
      pushed[id] = payload;
    }
    if (pushed.size() < total_) {
      feeder_.expires_after(1ms);
      feeder_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) feed();
      });
    }
  }

  void sample() {
    std::size_t alive = 0;
    for (const auto& w : h_.pool().workers()) {
      if (w.pid > 0) {
        ++alive;
        pids_seen.insert(w.pid);
      }
    }
    min_alive = std::min(min_alive, alive);
    sampler_.expires_after(1ms);
    sampler_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) sample();
    });
  }

  PoolHarness& h_;
  std::size_t total_, sleeper_;
  boost::asio::steady_timer feeder_, sampler_;
};

bool all_replaced(PoolHarness& h, const std::vector<int>& old_pids) {
  if (!h.all_ready()) return false;
  for (int pid : h.pids()) {
    if (std::find(old_pids.begin(), old_pids.end(), pid) != old_pids.end()) return false;
  }
  return true;
}

TEST(PoolReload, ReloadUnderLoadReplacesEveryWorkerWithoutLossOrDuplicate) {
  constexpr std::size_t kTasks = 20'000;
  PoolHarness h(test_config(TASQ_POOL_TEST_PLUGIN, 3));
  h.start();
  Load load(h, kTasks, 200);
  ASSERT_TRUE(h.run_until([&] { return load.pushed.size() > 2000; }));

  for (int round = 0; round < 2; ++round) {
    const auto before = h.pids();
    // The last replacement of the previous round can look ready to the test
    // a reactor turn before the pool counts that reload done.
    ASSERT_TRUE(h.run_until([&] { return h.pool().reload(); }));
    EXPECT_FALSE(h.pool().reload()) << "a reload while one runs is ignored";
    ASSERT_TRUE(h.run_until([&] { return all_replaced(h, before); }, 30s)) << "round " << round;
  }
  ASSERT_TRUE(h.run_until([&] { return load.all_pushed(); }, 60s));
  ASSERT_TRUE(h.wait_finals(kTasks, 60s));

  load.expect_each_completed_once();
  EXPECT_GE(load.min_alive, 2u) << "the pool dropped below N-1 live workers";
  EXPECT_GE(load.pids_seen.size(), 9u) << "three generations of three workers";
  const PoolStats stats = h.pool().stats();
  EXPECT_EQ(stats.worker_restarts, 0u) << "a graceful replacement is not a crash";
  EXPECT_EQ(stats.failed + stats.retried + stats.dead, 0u);
  EXPECT_TRUE(h.pool().reload()) << "the last reload finished";
}

TEST(PoolReload, MaxRequestRecyclesUnderLoadWithoutLossOrDuplicate) {
  constexpr std::size_t kTasks = 12'000;
  PoolConfig config = test_config(TASQ_POOL_TEST_PLUGIN, 3);
  config.max_request = 400;
  PoolHarness h(config);
  h.start();
  Load load(h, kTasks, 300);
  ASSERT_TRUE(h.run_until([&] { return load.all_pushed(); }, 60s));
  ASSERT_TRUE(h.wait_finals(kTasks, 60s));

  load.expect_each_completed_once();
  EXPECT_GE(load.min_alive, 2u) << "recycling dropped the pool below N-1 live workers";
  // Each process ends at most 400 tasks, so at least 30 ran them; the 1 ms
  // sampler may miss a short-lived one or two.
  EXPECT_GE(load.pids_seen.size(), 20u) << "workers were not recycled";
  const PoolStats stats = h.pool().stats();
  EXPECT_EQ(stats.worker_restarts, 0u);
  EXPECT_EQ(stats.failed + stats.retried + stats.dead, 0u);
}

TEST(PoolReload, MaxRequestRecyclesAWorkerAfterThatManyTasks) {
  PoolConfig config = test_config(TASQ_POOL_TEST_PLUGIN, 1);
  config.max_request = 4;
  PoolHarness h(config);
  h.start();
  for (int i = 0; i < 24; ++i) h.push("q", "ids");
  ASSERT_TRUE(h.wait_finals(24));
  std::map<std::string, int> per_process;
  for (const auto& end : h.ends) {
    ASSERT_EQ(end.outcome, TASQ_COMPLETED);
    ++per_process[end.result.substr(0, end.result.find(' '))];  // "pid=P"
  }
  // The worker counts for itself: exactly max_request each, however fast.
  for (const auto& [pid, tasks] : per_process) EXPECT_EQ(tasks, 4) << pid;
  EXPECT_EQ(per_process.size(), 6u);
  EXPECT_EQ(h.pool().stats().worker_restarts, 0u);
}

TEST(PoolReload, WorkerStillBusyAfterMaxWaitIsKilledAndItsTaskRequeued) {
  PoolConfig config = test_config(TASQ_POOL_TEST_PLUGIN, 2);
  config.max_wait = 300ms;
  config.task_retry = 5;
  PoolHarness h(config);
  h.start();
  const auto before = h.pids();
  // Seconds past max_wait, so that the kill, not the task's end, decides the
  // first attempt even when the reload comes late on a loaded machine.
  const std::uint64_t slow = h.push("q", "sleep 4000");
  ASSERT_TRUE(h.run_until([&] { return h.pool().stats().in_flight == 1; }));
  ASSERT_TRUE(h.pool().reload());
  ASSERT_TRUE(h.run_until([&] { return all_replaced(h, before); }, 30s));
  ASSERT_TRUE(h.wait_finals(1, 30s));
  const auto ends = h.ends_of(slow);
  ASSERT_GE(ends.size(), 2u);
  EXPECT_EQ(ends.front().outcome, TASQ_FAILED);
  EXPECT_NE(ends.front().reason.find("asked to stop"), std::string::npos) << ends.front().reason;
  EXPECT_EQ(ends.back().outcome, TASQ_COMPLETED);
  EXPECT_EQ(ends.back().result, "sleep 4000");
}

TEST(PoolReload, ReloadStopsWhenTheNewCodeCannotStart) {
  TempDir dir("reload");
  const auto plugin = dir.path() / "handler.so";
  const auto swap_in = [&](const char* source) {
    // Replace by rename, as deployments should: a library in use is never
    // rewritten in place.
    std::filesystem::copy_file(source, dir.path() / "next.so",
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::rename(dir.path() / "next.so", plugin);
  };
  swap_in(TASQ_POOL_TEST_PLUGIN);
  PoolConfig config = test_config(plugin.string(), 3);
  config.log_level = "off";
  PoolHarness h(config);
  h.start();
  const auto before = h.pids();

  swap_in(TASQ_POOL_TEST_PLUGIN_REFUSE);
  ASSERT_TRUE(h.pool().reload());
  // The first replacement refuses to start; the reload stops there.
  ASSERT_TRUE(h.run_until([&] { return h.pool().stats().worker_restarts >= 1; }, 20s));
  h.run_for(300ms);
  std::size_t kept = 0;
  for (int pid : h.pids()) kept += std::count(before.begin(), before.end(), pid);
  EXPECT_EQ(kept, 2u) << "the other workers keep running the code that works";
  const std::uint64_t id = h.push("q", "still served");
  ASSERT_TRUE(h.wait_finals(1));
  EXPECT_EQ(h.ends_of(id).at(0).result, "still served");

  // Fixed code: the next reload goes through, and the failed slot recovers.
  swap_in(TASQ_POOL_TEST_PLUGIN);
  EXPECT_TRUE(h.pool().reload()) << "the failed reload is over";
  ASSERT_TRUE(h.run_until([&] { return all_replaced(h, before); }, 30s));
}

}  // namespace
}  // namespace tasq::taskpool::testing
