// What a task's command inherits from its worker: stdin, stdout and stderr,
// and none of the worker's descriptors (shared memory, eventfd, log file) nor
// the master's secrets.

#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "pool_test_support.h"
#include "tasq/test/scoped_env.h"

namespace tasq::taskpool::testing {
namespace {

using test::ScopedEnv;

/// The descriptors above 2 in `ls -l /proc/self/fd` output that are not ls's
/// own handle on the directory it lists, as "N -> TARGET" lines.
std::vector<std::string> foreign_descriptors(const std::string& listing) {
  std::vector<std::string> out;
  std::istringstream lines(listing);
  std::string line;
  while (std::getline(lines, line)) {
    const std::size_t arrow = line.find(" -> ");
    if (arrow == std::string::npos) continue;  // "total 0"
    const std::size_t name_at = line.rfind(' ', arrow - 1);
    const int fd = std::atoi(line.c_str() + name_at + 1);
    const std::string target = line.substr(arrow + 4);
    if (fd <= 2 || target.starts_with("/proc/")) continue;
    out.push_back(std::to_string(fd) + " -> " + target);
  }
  return out;
}

TEST(PoolInherit, ExecCommandsGetOnlyStdinStdoutAndStderr) {
  TempDir dir("tasq-inherit");
  // With a log file, the worker holds one more descriptor of its own.
  PoolConfig config = test_config("exec:ls -l /proc/self/fd", 1);
  config.log_file = (dir.path() / "tasq.log").string();
  PoolHarness h(config);
  h.start();
  const std::uint64_t id = h.push("q", "");
  ASSERT_TRUE(h.wait_finals(1));
  const EndCopy end = h.ends_of(id).at(0);
  ASSERT_EQ(end.outcome, TASQ_COMPLETED) << end.reason;
  EXPECT_NE(end.result.find(" 2 -> "), std::string::npos) << end.result;
  EXPECT_EQ(foreign_descriptors(end.result), std::vector<std::string>{}) << end.result;
}

TEST(PoolInherit, WorkersAndTheirCommandsDoNotGetTheAdminToken) {
  const ScopedEnv token("TASQ_ADMIN_TOKEN", "s3cret-token");
  const ScopedEnv token_file("TASQ_ADMIN_TOKEN_FILE", "/run/secrets/tasq-admin");
  const ScopedEnv ordinary("TASQ_TEST_ORDINARY", "passed-on");
  PoolHarness h(test_config("exec:env", 1));
  h.start();
  const std::uint64_t id = h.push("q", "");
  ASSERT_TRUE(h.wait_finals(1));
  const EndCopy end = h.ends_of(id).at(0);
  ASSERT_EQ(end.outcome, TASQ_COMPLETED) << end.reason;
  EXPECT_EQ(end.result.find("TASQ_ADMIN_TOKEN"), std::string::npos) << end.result;
  EXPECT_EQ(end.result.find("s3cret-token"), std::string::npos) << end.result;
  // The rest of the environment is the worker's, plus the task's own.
  EXPECT_NE(end.result.find("TASQ_TEST_ORDINARY=passed-on"), std::string::npos) << end.result;
  EXPECT_NE(end.result.find("TASQ_TASK_ID=" + std::to_string(id)), std::string::npos);

  // The worker process itself never had it either.
  const int pid = h.pids().at(0);
  ASSERT_GT(pid, 0);
  const std::string environ = read_file("/proc/" + std::to_string(pid) + "/environ");
  EXPECT_NE(environ.find("TASQ_TEST_ORDINARY=passed-on"), std::string::npos);
  EXPECT_EQ(environ.find("TASQ_ADMIN_TOKEN"), std::string::npos);
}

}  // namespace
}  // namespace tasq::taskpool::testing
