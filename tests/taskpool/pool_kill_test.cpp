// Workers SIGKILLed at random moments under load: every task id ends exactly
// once for good, and a task runs again only when the worker running it died.

#include <boost/asio/steady_timer.hpp>
#include <random>
#include <set>

#include "pool_test_support.h"

namespace tasq::taskpool::testing {
namespace {

TEST(PoolKill, RandomSigkillsUnderLoadLoseNoTask) {
  // At least kTasks; more while fewer than half the kills have landed, since
  // how fast the workers drain the tasks and how often the killer finds a
  // victim are the scheduler's. The cap only ends a hung run.
  constexpr std::size_t kTasks = 30'000, kCap = 300'000;
  constexpr std::size_t kKills = 25;
  // Mostly instant tasks (kills land in claim and publish code), every 30th
  // sleeps 2 ms (kills land inside a task).
  PoolConfig config = test_config(TASQ_POOL_TEST_PLUGIN, 3);
  config.log_level = "error";
  PoolHarness h(config);
  h.start();

  std::map<std::uint64_t, std::string> pushed;
  std::minstd_rand random(20240601);
  boost::asio::steady_timer feeder(h.io()), killer(h.io());
  std::size_t kills = 0, kills_under_load = 0;
  const auto streaming = [&] {
    return pushed.size() < kTasks || (kills_under_load < kKills / 2 && pushed.size() < kCap);
  };
  std::function<void()> feed = [&] {
    for (int i = 0; i < 300 && streaming(); ++i) {
      const std::string payload =
          pushed.size() % 30 == 0 ? "sleep 2" : "p" + std::to_string(pushed.size());
      const std::uint64_t id = h.push("load", payload);
      if (id == 0) break;  // ring full: try next tick
      pushed[id] = payload;
    }
    if (streaming()) {
      feeder.expires_after(1ms);
      feeder.async_wait([&](const boost::system::error_code& ec) {
        if (!ec) feed();
      });
    }
  };
  std::set<int> killed;
  std::function<void()> kill_one = [&] {
    const auto workers = h.pool().workers();
    const auto& victim = workers[random() % workers.size()];
    // A victim that has been working (a fresh one killed before its first
    // task would only test the crash-loop back-off) and is not dying already.
    if (victim.pid > 0 && victim.tasks > 0 && killed.insert(victim.pid).second) {
      ::kill(victim.pid, SIGKILL);
      ++kills;
      if (streaming()) ++kills_under_load;
    }
    if (kills < kKills) {
      killer.expires_after(std::chrono::milliseconds(2 + random() % 20));
      killer.async_wait([&](const boost::system::error_code& ec) {
        if (!ec) kill_one();
      });
    }
  };
  feed();
  kill_one();
  ASSERT_TRUE(h.run_until([&] { return kills >= kKills && !streaming(); }, 120s));
  const std::size_t tasks = pushed.size();
  ASSERT_TRUE(h.wait_finals(tasks, 60s));

  std::map<std::uint64_t, int> finals;
  std::size_t reruns = 0;
  for (const auto& end : h.ends) {
    ASSERT_EQ(pushed.count(end.id), 1u) << "an end for a task never pushed: " << end.id;
    if (end.outcome == TASQ_FAILED) {
      ++reruns;
      EXPECT_EQ(end.status, -1);
      EXPECT_NE(end.reason.find("killed by signal 9"), std::string::npos) << end.reason;
      continue;
    }
    ++finals[end.id];
    if (end.outcome == TASQ_COMPLETED) {
      EXPECT_EQ(end.result, pushed[end.id]);
    }
  }
  ASSERT_EQ(finals.size(), tasks) << "some task never ended";
  for (const auto& [id, n] : finals) ASSERT_EQ(n, 1) << "task " << id << " ended " << n << " times";
  // Each killed worker held at most the one task it was running.
  EXPECT_LE(reruns, kills);
  EXPECT_GE(kills_under_load, kKills / 2) << "most kills should land while tasks stream in";
  std::printf("[   INFO   ] %zu tasks, %zu kills (%zu under load), %zu task(s) re-run\n", tasks,
              kills, kills_under_load, reruns);
  const PoolStats stats = h.pool().stats();
  EXPECT_EQ(stats.enqueued, tasks);
  EXPECT_EQ(stats.completed + stats.dead, tasks);
  EXPECT_EQ(stats.pending + stats.in_flight, 0u);
  EXPECT_EQ(stats.worker_restarts, kills);
  EXPECT_EQ(stats.ring_used, 0u);
  ASSERT_TRUE(h.run_until([&] { return h.all_ready(); })) << "every slot respawned";
}

TEST(PoolKill, SlowTaskOfALiveWorkerIsNeverRunTwice) {
  PoolHarness h(test_config(TASQ_POOL_TEST_PLUGIN, 2));
  h.start();
  const std::uint64_t slow = h.push("q", "sleep 1500");
  ASSERT_TRUE(h.run_until([&] { return h.pool().stats().in_flight == 1; }));
  int busy_pid = 0;
  for (const auto& w : h.pool().workers()) {
    if (w.state == WorkerState::busy) busy_pid = w.pid;
  }
  ASSERT_GT(busy_pid, 0);
  // Kill the other worker again and again while the slow task runs.
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(h.run_until([&] { return h.all_ready(); }));
    for (const auto& w : h.pool().workers()) {
      if (w.pid != busy_pid) ::kill(w.pid, SIGKILL);
    }
    ASSERT_TRUE(h.run_until([&] { return h.pool().stats().worker_restarts == round + 1u; }));
  }
  ASSERT_TRUE(h.wait_finals(1, 20s));
  const auto ends = h.ends_of(slow);
  ASSERT_EQ(ends.size(), 1u);
  EXPECT_EQ(ends[0].outcome, TASQ_COMPLETED);
  EXPECT_EQ(ends[0].attempt, 1u);
  EXPECT_EQ(h.pool().stats().retried, 0u);
}

}  // namespace
}  // namespace tasq::taskpool::testing
