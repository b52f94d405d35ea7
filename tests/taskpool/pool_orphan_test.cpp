// A worker that dies takes its handler's processes with it: an `exec:`
// command runs in a process group of its own, so without the master (a child
// subreaper) killing what the dead worker left behind, the command would run
// on beside its task's next attempt.

#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <iterator>
#include <thread>

#include "pool_test_support.h"
#include "sleep_probe.h"

namespace tasq::taskpool::testing {
namespace {

int lines_of(const std::filesystem::path& file) {
  const std::string text = read_file(file.string());
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

// The case of the report: a reload whose worker overruns max_wait_time is
// SIGKILLed, its task runs again, and the first run must not go on beside it.
TEST(PoolOrphans, ReloadPastMaxWaitKillsTheRunningCommand) {
  TempDir dir("tasq-orphans");
  const auto ran = dir.path() / "ran";
  // The command outlasts max_wait_time by seconds, so that the kill, not the
  // command's end, decides the first run even when the reload comes late.
  const std::string nap = unique_nap(8, 1);
  PoolConfig config = test_config(
      "exec:echo start >> " + ran.string() + "; sleep " + nap + "; echo ran >> " + ran.string(), 1);
  config.max_wait = 1000ms;
  PoolHarness h(config);
  h.start();
  const std::uint64_t id = h.push("q", "");
  ASSERT_TRUE(h.run_until([&] { return live_sleeps(nap) == 1; }));
  ASSERT_TRUE(h.pool().reload());
  ASSERT_TRUE(h.wait_finals(1, 30s));

  const auto ends = h.ends_of(id);
  ASSERT_EQ(ends.size(), 2u);
  EXPECT_EQ(ends[0].outcome, TASQ_FAILED);
  EXPECT_NE(ends[0].reason.find("asked to stop"), std::string::npos) << ends[0].reason;
  EXPECT_EQ(ends[1].outcome, TASQ_COMPLETED);
  EXPECT_EQ(ends[1].attempt, 2u);
  // Two starts, one end: the first run died with its worker.
  EXPECT_EQ(read_file(ran.string()), "start\nstart\nran\n");
  EXPECT_EQ(live_sleeps(nap), 0);
}

TEST(PoolOrphans, KilledWorkerTakesItsCommandAndWhatEscapedItsGroup) {
  TempDir dir("tasq-orphans");
  const auto ran = dir.path() / "ran";
  const std::string nap = unique_nap(30, 2);
  const std::string escaped = unique_nap(30, 3);
  // The second sleep leaves the command's process group (and session): only
  // the subreaper can still find it once the shell is gone.
  PoolConfig config =
      test_config("exec:if [ \"$(cat)\" = hold ] && [ \"$TASQ_ATTEMPT\" = 1 ]; then setsid sleep " +
                      escaped + " & sleep " + nap + "; fi; echo ran >> " + ran.string(),
                  2);
  PoolHarness h(config);
  h.start();
  const std::uint64_t id = h.push("q", "hold");
  ASSERT_TRUE(h.run_until([&] { return live_sleeps(nap) == 1 && live_sleeps(escaped) == 1; }));
  int busy = 0;
  for (const auto& w : h.pool().workers()) {
    if (w.state == WorkerState::busy) busy = w.pid;
  }
  ASSERT_GT(busy, 0);
  ::kill(busy, SIGKILL);
  ASSERT_TRUE(h.wait_finals(1, 30s));
  const auto ends = h.ends_of(id);
  ASSERT_EQ(ends.size(), 2u);
  EXPECT_NE(ends[0].reason.find("killed by signal 9"), std::string::npos) << ends[0].reason;
  EXPECT_EQ(ends[1].outcome, TASQ_COMPLETED);
  EXPECT_EQ(lines_of(ran), 1);
  // SIGKILL is delivered asynchronously; give the kernel time, generously.
  EXPECT_TRUE(h.run_until([&] { return live_sleeps(nap) == 0 && live_sleeps(escaped) == 0; }, 10s))
      << live_sleeps(nap) << " sleep(s) of the command, " << live_sleeps(escaped)
      << " that escaped its group";

  // The reaping of orphans left the workers' own reaping intact.
  ASSERT_TRUE(h.run_until([&] { return h.all_ready(); }));
  EXPECT_EQ(h.pool().stats().worker_restarts, 1u);
  const std::uint64_t next = h.push("q", "");
  ASSERT_TRUE(h.wait_finals(2));
  EXPECT_EQ(h.ends_of(next).at(0).outcome, TASQ_COMPLETED);
  EXPECT_EQ(lines_of(ran), 2);
}

}  // namespace
}  // namespace tasq::taskpool::testing
