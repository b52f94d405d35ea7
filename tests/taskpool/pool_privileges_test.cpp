// Workers started by root drop to `user`/`group` and enter `chroot` before
// they load the handler; the tasks they run inherit that identity.

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "pool_test_support.h"
#include "tasq/test/reachable_copy.h"

namespace tasq::taskpool::testing {
namespace {

namespace fs = std::filesystem;

/// The test plugin, or the copy of it that TASQ_PRIVILEGES_PLUGIN names
/// (tests/deploy's private_tree check puts one where `nobody` cannot reach).
std::string plugin_under_test() {
  const char* path = std::getenv("TASQ_PRIVILEGES_PLUGIN");
  return path != nullptr ? path : TASQ_POOL_TEST_PLUGIN;
}

/// The value of a "Name:\t..." line of /proc/PID/status, tabs and all.
std::string status_line(int pid, const std::string& name) {
  const std::string status = read_file("/proc/" + std::to_string(pid) + "/status");
  const std::size_t at = status.find("\n" + name + ":");
  if (at == std::string::npos) return {};
  const std::size_t start = at + name.size() + 2;
  return status.substr(start, status.find('\n', start) - start);
}

class PoolPrivileges : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "dropping privileges needs root";
  }
};

TEST_F(PoolPrivileges, WorkersRunAsTheConfiguredUserAndGroup) {
  const tasq::test::ReachableCopy plugin(plugin_under_test(), "plugin.so");
  ASSERT_EQ(plugin.closed_ancestor(), "") << "nobody cannot reach the temporary directory: set TMPDIR";
  PoolConfig config = test_config(plugin.path());
  config.user = "nobody";
  config.group = "nogroup";
  PoolHarness h(config);
  h.start();
  for (const auto& w : h.pool().workers()) {
    EXPECT_EQ(status_line(w.pid, "Uid"), "\t65534\t65534\t65534\t65534") << "worker " << w.id;
    EXPECT_EQ(status_line(w.pid, "Gid"), "\t65534\t65534\t65534\t65534") << "worker " << w.id;
    EXPECT_EQ(status_line(w.pid, "Groups").find(" 0 "), std::string::npos);
    EXPECT_NE(status_line(w.pid, "Groups").find("65534"), std::string::npos);
  }
  const std::uint64_t id = h.push("q", "ids");
  ASSERT_TRUE(h.wait_finals(1));
  EXPECT_NE(h.ends_of(id).at(0).result.find("uid=65534 gid=65534"), std::string::npos)
      << h.ends_of(id).at(0).result;
}

TEST_F(PoolPrivileges, ExecTasksInheritTheWorkersIdentity) {
  PoolConfig config = test_config("exec:id -u; id -g");
  config.user = "nobody";
  config.group = "nogroup";
  PoolHarness h(config);
  h.start();
  const std::uint64_t id = h.push("q", "");
  ASSERT_TRUE(h.wait_finals(1));
  EXPECT_EQ(h.ends_of(id).at(0).result, "65534\n65534\n");
}

TEST_F(PoolPrivileges, WorkersEnterTheChroot) {
  TempDir jail("jail");
  PoolConfig config = test_config("echo");
  config.chroot = jail.path().string();
  config.user = "nobody";
  PoolHarness h(config);
  h.start();
  for (const auto& w : h.pool().workers()) {
    const std::string proc = "/proc/" + std::to_string(w.pid);
    EXPECT_EQ(std::filesystem::read_symlink(proc + "/root"), jail.path()) << "worker " << w.id;
    EXPECT_EQ(std::filesystem::read_symlink(proc + "/cwd"), jail.path()) << "worker " << w.id;
  }
  const std::uint64_t id = h.push("q", "from the jail");
  ASSERT_TRUE(h.wait_finals(1));
  EXPECT_EQ(h.ends_of(id).at(0).result, "from the jail");
}

TEST_F(PoolPrivileges, UnknownUserKeepsWorkersDownWithoutLosingTasks) {
  PoolConfig config = test_config("echo", 1);
  config.user = "no-such-user-for-tasq";
  config.log_level = "off";
  PoolHarness h(config);
  h.pool().start();
  h.push("q", "kept");
  ASSERT_TRUE(h.run_until([&] { return h.pool().workers().at(0).restarts >= 2; }, 10s));
  EXPECT_EQ(h.pool().stats().pending, 1u);
  EXPECT_EQ(h.pool().stats().failed + h.pool().stats().dead, 0u);
}

}  // namespace
}  // namespace tasq::taskpool::testing
