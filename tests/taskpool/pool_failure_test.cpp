// Tasks that fail, time out or take their worker down: retried up to
// task_retry attempts, then dead-lettered with the reason, and every end
// reported once — to on_task_end and to the plugin's finish hook.

#include <dlfcn.h>

#include <algorithm>

#include "pool_test_support.h"

namespace tasq::taskpool::testing {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(PoolFailure, FailingTaskIsRetriedThenDeadLetteredWithItsStderr) {
  PoolConfig config =
      test_config("exec:cat >/dev/null; echo \"oops on $TASQ_ATTEMPT\" >&2; exit 3");
  config.task_retry = 3;
  PoolHarness h(config);
  h.start();
  const std::uint64_t first = h.push("mail", "payload 1");
  h.push("mail", "payload 2");
  const std::uint64_t third = h.push("mail", "payload 3");
  ASSERT_TRUE(h.wait_finals(3));

  const auto ends = h.ends_of(first);
  ASSERT_EQ(ends.size(), 3u);
  for (std::uint32_t i = 0; i < 3; ++i) {
    EXPECT_EQ(ends[i].attempt, i + 1);
    EXPECT_EQ(ends[i].outcome, i < 2 ? TASQ_FAILED : TASQ_DEAD);
    EXPECT_EQ(ends[i].status, 3);
    EXPECT_EQ(ends[i].queue, "mail");
    EXPECT_TRUE(contains(ends[i].reason, "exit code 3")) << ends[i].reason;
    EXPECT_TRUE(contains(ends[i].reason, "oops on " + std::to_string(i + 1))) << ends[i].reason;
  }
  const PoolStats stats = h.pool().stats();
  EXPECT_EQ(stats.failed, 9u);
  EXPECT_EQ(stats.retried, 6u);
  EXPECT_EQ(stats.dead, 3u);
  EXPECT_EQ(stats.completed, 0u);
  EXPECT_EQ(stats.pending + stats.in_flight, 0u);
  EXPECT_EQ(stats.worker_restarts, 0u) << "a failing handler is not a dying worker";

  // A dead end carries what the server keeps of a dead letter: its payload.
  for (std::uint64_t id = first; id <= third; ++id) {
    const auto last = h.ends_of(id).back();
    EXPECT_EQ(last.outcome, TASQ_DEAD);
    EXPECT_EQ(last.payload, "payload " + std::to_string(id - first + 1));
    EXPECT_TRUE(contains(last.reason, "oops on 3")) << last.reason;
  }
}

TEST(PoolFailure, RetryThatSucceedsCompletesOnce) {
  PoolConfig config = test_config("exec:[ \"$TASQ_ATTEMPT\" -ge 2 ] && cat");
  config.task_retry = 3;
  PoolHarness h(config);
  h.start();
  const std::uint64_t id = h.push("q", "second time lucky");
  ASSERT_TRUE(h.wait_finals(1));
  const auto ends = h.ends_of(id);
  ASSERT_EQ(ends.size(), 2u);
  EXPECT_EQ(ends[0].outcome, TASQ_FAILED);
  EXPECT_EQ(ends[0].attempt, 1u);
  EXPECT_EQ(ends[1].outcome, TASQ_COMPLETED);
  EXPECT_EQ(ends[1].attempt, 2u);
  EXPECT_EQ(ends[1].result, "second time lucky");
  EXPECT_EQ(h.pool().stats().completed, 1u);
  EXPECT_EQ(h.pool().stats().retried, 1u);
}

TEST(PoolFailure, ExecTimeoutFailsTheTask) {
  PoolConfig config = test_config("exec:sleep 5");
  config.task_timeout = 300ms;
  config.task_retry = 1;
  PoolHarness h(config);
  h.start();
  const std::uint64_t slow = h.push("q", "x");
  ASSERT_TRUE(h.wait_finals(1, 20s));
  const auto ends = h.ends_of(slow);
  ASSERT_EQ(ends.size(), 1u);
  EXPECT_EQ(ends[0].outcome, TASQ_DEAD);
  EXPECT_TRUE(contains(ends[0].reason, "timeout")) << ends[0].reason;
  EXPECT_EQ(h.pool().stats().dead, 1u);
}

TEST(PoolFailure, MasterKillsAPluginTaskPastTaskTimeout) {
  PoolConfig config = test_config(TASQ_POOL_TEST_PLUGIN);
  config.task_timeout = 200ms;
  config.task_retry = 2;
  PoolHarness h(config);
  h.start();
  const std::uint64_t hung = h.push("q", "hang");
  const std::uint64_t fine = h.push("q", "fine");
  ASSERT_TRUE(h.wait_finals(2, 20s));
  const auto ends = h.ends_of(hung);
  ASSERT_EQ(ends.size(), 2u);
  EXPECT_EQ(ends[0].outcome, TASQ_FAILED);
  EXPECT_EQ(ends[1].outcome, TASQ_DEAD);
  for (const auto& end : ends) {
    EXPECT_EQ(end.status, -1);
    EXPECT_TRUE(contains(end.reason, "timeout")) << end.reason;
  }
  EXPECT_EQ(h.ends_of(fine).at(0).result, "fine");
  EXPECT_EQ(h.pool().stats().worker_restarts, 2u);
  ASSERT_TRUE(h.run_until([&] { return h.all_ready(); })) << "workers respawned after the kills";
}

TEST(PoolFailure, WorkerKilledByItsTaskIsRetriedThenDeadLettered) {
  PoolConfig config = test_config("exec:kill -9 $PPID");
  config.task_retry = 2;
  PoolHarness h(config);
  h.start();
  const std::uint64_t id = h.push("q", "deadly");
  ASSERT_TRUE(h.wait_finals(1, 20s));
  const auto ends = h.ends_of(id);
  ASSERT_EQ(ends.size(), 2u);
  for (std::uint32_t i = 0; i < 2; ++i) {
    EXPECT_EQ(ends[i].attempt, i + 1);
    EXPECT_EQ(ends[i].status, -1);
    EXPECT_TRUE(contains(ends[i].reason, "killed by signal 9")) << ends[i].reason;
  }
  EXPECT_EQ(ends[1].outcome, TASQ_DEAD);
  EXPECT_GE(h.pool().stats().worker_restarts, 2u);
  EXPECT_EQ(ends[1].payload, "deadly") << "the dead end carries its payload";
}

TEST(PoolFailure, CrashingPluginIsReportedWithItsSignal) {
  PoolConfig config = test_config(TASQ_POOL_TEST_PLUGIN);
  config.task_retry = 1;
  PoolHarness h(config);
  h.start();
  const std::uint64_t crash = h.push("q", "crash");
  const std::uint64_t fail = h.push("q", "fail");
  ASSERT_TRUE(h.wait_finals(2, 20s));
  EXPECT_TRUE(contains(h.ends_of(crash).at(0).reason, "SIGABRT")) << h.ends_of(crash).at(0).reason;
  const EndCopy failed = h.ends_of(fail).at(0);
  EXPECT_EQ(failed.status, 5);
  EXPECT_TRUE(contains(failed.reason, "bad input")) << failed.reason;
}

TEST(PoolFailure, FinishHookRunsInTheMasterOncePerEnd) {
  PoolConfig config = test_config(TASQ_HANDLER_TEST_PLUGIN);
  config.task_retry = 2;
  PoolHarness h(config);
  h.start();
  const std::uint64_t ok = h.push("hooks", "hello");
  const std::uint64_t bad = h.push("hooks", "fail");
  ASSERT_TRUE(h.wait_finals(2));
  // The master's copy of the plugin kept the log of its tasq_finish calls.
  void* library = ::dlopen(TASQ_HANDLER_TEST_PLUGIN, RTLD_NOW | RTLD_NOLOAD);
  ASSERT_NE(library, nullptr) << "the pool did not load the plugin in the master";
  auto events = reinterpret_cast<const char* (*)()>(::dlsym(library, "handler_test_plugin_events"));
  ASSERT_NE(events, nullptr);
  const std::string log = events();
  ::dlclose(library);
  const std::string id_ok = std::to_string(ok), id_bad = std::to_string(bad);
  EXPECT_TRUE(contains(log, "finish " + id_ok + " hooks 1 0 0 [olleh] [];")) << log;
  // The reason is the plugin runner's wording around the plugin's message.
  EXPECT_TRUE(contains(log, "finish " + id_bad + " hooks 1 1 7 [] [")) << log;
  EXPECT_TRUE(contains(log, "finish " + id_bad + " hooks 2 2 7 [] [")) << log;
  EXPECT_TRUE(contains(log, "bad input];")) << log;
  EXPECT_EQ(log.find("finish " + id_ok), log.rfind("finish " + id_ok)) << "one end, one call";
  EXPECT_FALSE(contains(log, "task ")) << "tasks ran in the master: " << log;
}

TEST(PoolFailure, UnloadablePluginFailsStart) {
  boost::asio::io_context io;
  Pool pool(io, test_config("/nonexistent/plugin.so"));
  EXPECT_THROW(pool.start(), std::runtime_error);
}

TEST(PoolFailure, WorkerThatCannotStartBacksOffAndKeepsItsTasks) {
  PoolConfig config = test_config(TASQ_POOL_TEST_PLUGIN_REFUSE, 1);
  config.max_wait = 200ms;
  config.log_level = "off";
  PoolHarness h(config);
  h.pool().start();
  h.push("q", "waits");
  // Two failed starts, however long a start takes on this machine; then
  // 1.5 s more. The back-off doubles from 100 ms, so a handful of restarts
  // fit in that time, not the hundreds of a respawn loop; a slow machine
  // only makes them fewer.
  ASSERT_TRUE(h.run_until([&] { return h.pool().workers().at(0).restarts >= 2; }));
  h.run_for(1500ms);
  const auto worker = h.pool().workers().at(0);
  EXPECT_GE(worker.restarts, 2u);
  EXPECT_LE(worker.restarts, 8u);
  EXPECT_EQ(h.pool().stats().pending, 1u);
  EXPECT_EQ(h.pool().stats().dead + h.pool().stats().failed, 0u);
  bool done = false;
  h.pool().shutdown([&] { done = true; });
  ASSERT_TRUE(h.run_until([&] { return done; }, 15s));
}

}  // namespace
}  // namespace tasq::taskpool::testing
