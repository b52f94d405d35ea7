// Privilege separation: the master runs as root and everything a worker runs
// is untrusted. A worker whose handler attacks the pool's shared memory from
// inside (pool_hostile_plugin.c) can make no read-only mapping writable,
// hurts only itself (it is caught, killed and respawned), and every task
// still ends: completed by the other workers, or dead-lettered with a reason.

#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/steady_timer.hpp>
#include <fstream>
#include <map>
#include <sstream>

#include "pool_test_support.h"
#include "tasq/test/reachable_copy.h"
#include "tasq/test/scoped_env.h"

namespace tasq::taskpool::testing {
namespace {

using test::ScopedEnv;

/// Pushes tasks "p0", "p1", ..., about 10 a millisecond, until `enough()`
/// holds or `limit` passes.
std::map<std::uint64_t, std::string> push_until(PoolHarness& h, const std::function<bool()>& enough,
                                                std::chrono::milliseconds limit) {
  std::map<std::uint64_t, std::string> pushed;
  bool stop = false;
  boost::asio::steady_timer feeder(h.io());
  std::function<void()> feed = [&] {
    for (int i = 0; i < 10; ++i) {
      const std::string payload = "p" + std::to_string(pushed.size());
      const std::uint64_t id = h.push("q", payload);
      if (id == 0) break;
      pushed[id] = payload;
    }
    if (stop) return;
    feeder.expires_after(1ms);
    feeder.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) feed();
    });
  };
  feed();
  h.run_until(enough, limit);
  stop = true;
  feeder.cancel();
  return pushed;
}

constexpr const char* kCorrupted = "worker corrupted shared memory";

TEST(PoolHostile, AWorkerAttackingTheSharedMemoryHurtsOnlyItself) {
  constexpr std::size_t kTasks = 4000;
  TempDir dir("tasq-hostile");
  ::chmod(dir.path().c_str(), 0777);  // for workers running as nobody
  const std::string report = (dir.path() / "report").string();
  std::ofstream(report).flush();
  ::chmod(report.c_str(), 0666);
  const ScopedEnv report_env("TASQ_TEST_HOSTILE_REPORT", report);

  // Workers dropped to nobody load the plugin: a copy they can reach.
  const tasq::test::ReachableCopy plugin(TASQ_POOL_HOSTILE_PLUGIN, "hostile.so");
  PoolConfig config = test_config(plugin.path(), 3);
  config.log_level = "off";  // the master reports each caught worker: many lines
  if (::geteuid() == 0) {
    config.user = "nobody";
    config.group = "nogroup";
  }
  PoolHarness h(config);
  h.start();
  // Until the attacker was caught a few times (each new worker 0 attacks
  // again, a little while after its start), at least once holding a task
  // (its tasks are slow, so it mostly does).
  std::size_t looked_at = 0;
  bool caught_holding = false;
  const auto pushed = push_until(
      h,
      [&] {
        for (; looked_at < h.ends.size(); ++looked_at) {
          caught_holding = caught_holding || h.ends[looked_at].reason == kCorrupted;
        }
        return h.finals >= kTasks && h.pool().stats().worker_restarts >= 3 && caught_holding;
      },
      60s);
  ASSERT_TRUE(h.wait_finals(pushed.size(), 120s))
      << h.finals << " of " << pushed.size() << " ended";

  std::map<std::uint64_t, int> finals;
  std::size_t honest = 0, corrupted_reasons = 0, dead = 0;
  for (const auto& end : h.ends) {
    ASSERT_EQ(pushed.count(end.id), 1u) << "an end for a task never pushed: " << end.id;
    if (end.reason == kCorrupted) {
      ++corrupted_reasons;
      // Failed and retried: it ends again, by the next attempt.
      EXPECT_EQ(end.outcome, TASQ_FAILED) << "task " << end.id;
    }
    if (end.outcome == TASQ_FAILED) continue;
    ++finals[end.id];
    if (end.outcome == TASQ_DEAD) {
      ++dead;
      EXPECT_FALSE(end.reason.empty()) << "task " << end.id << " dead without a reason";
      continue;
    }
    // The attacker may garble its own results; the other workers' are exact.
    if (end.result.starts_with("w1:") || end.result.starts_with("w2:")) {
      ++honest;
      EXPECT_EQ(end.result.substr(3), pushed.at(end.id)) << "task " << end.id;
    }
  }
  ASSERT_EQ(finals.size(), pushed.size()) << "some task never ended";
  for (const auto& [id, n] : finals) ASSERT_EQ(n, 1) << "task " << id << " ended " << n << " times";
  EXPECT_GE(honest, pushed.size() / 2) << "the other workers did not carry the load";

  const PoolStats stats = h.pool().stats();
  EXPECT_EQ(stats.pending + stats.in_flight, 0u);
  EXPECT_EQ(stats.ring_used, 0u);
  EXPECT_GE(stats.worker_restarts, 3u) << "the attacker was not caught again and again";
  EXPECT_GT(corrupted_reasons, 0u) << "no task was retried as \"" << kCorrupted << "\"";
  EXPECT_GT(stats.retried, 0u);

  const std::string text = read_file(report);
  std::istringstream lines(text);
  std::string line;
  std::size_t tried_master = 0, scribbled_own = 0;
  while (std::getline(lines, line)) {
    if (line.starts_with("tried") && line.find("tasq-pool") != std::string::npos) {
      ++tried_master;
      EXPECT_NE(line.find("mprotect=0 mem=0"), std::string::npos)
          << "the master's region was made writable: " << line;
    }
    if (line.starts_with("scribbled") && line.find("tasq-worker") != std::string::npos) {
      ++scribbled_own;
    }
    EXPECT_FALSE(line.starts_with("scribbled") && line.find("tasq-pool") != std::string::npos)
        << line;
  }
  EXPECT_GT(tried_master, 0u) << "the attack never ran:\n" << text;
  EXPECT_GT(scribbled_own, 0u) << "the attacker never wrote its own region:\n" << text;
  std::printf(
      "[   INFO   ] %zu tasks: %zu completed by the honest workers, %zu dead-lettered; %llu "
      "attacker restarts; %zu attempts failed as \"worker corrupted shared memory\"\n",
      pushed.size(), honest, dead, static_cast<unsigned long long>(stats.worker_restarts),
      corrupted_reasons);
}

// The report's case: a command that writes into the descriptors a worker had
// (its eventfd, the shared memory) reaches nothing: it never inherited them.
TEST(PoolHostile, ACommandWritingToTheWorkersDescriptorsReachesNothing) {
  PoolHarness h(test_config(
      "exec:for fd in 3 4 5 6; do head -c 4096 /dev/urandom 2>/dev/null >&$fd; done; cat", 2));
  h.start();
  std::map<std::uint64_t, std::string> pushed;
  for (int i = 0; i < 20; ++i) {
    const std::string payload = "payload " + std::to_string(i);
    pushed[h.push("q", payload)] = payload;
  }
  ASSERT_TRUE(h.wait_finals(pushed.size()));
  for (const auto& end : h.ends) {
    EXPECT_EQ(end.outcome, TASQ_COMPLETED) << end.reason;
    EXPECT_EQ(end.result, pushed[end.id]);
  }
  const std::uint64_t after = h.push("q", "still fine");
  ASSERT_TRUE(h.wait_finals(pushed.size() + 1));
  EXPECT_EQ(h.ends_of(after).at(0).result, "still fine");
}

}  // namespace
}  // namespace tasq::taskpool::testing
