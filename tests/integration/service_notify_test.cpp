// Type=notify against a real tasqd, with a datagram socket of the test's
// standing in for systemd's NOTIFY_SOCKET: READY=1 only once the journal is
// replayed and pushes are taken, STATUS= lines before and after, WATCHDOG=1
// when asked for, STOPPING=1 at shutdown; and the socket stays the master's.

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "redis_client.h"
#include "tasqd_process.h"

namespace tasq::test {
namespace {

// A bound AF_UNIX datagram socket, as systemd's notification socket is.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& dir) : path_(dir + "/notify.sock") {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path_.c_str());
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ADD_FAILURE() << "bind " << path_;
    }
  }
  ~NotifySocket() {
    ::close(fd_);
    ::unlink(path_.c_str());
  }
  [[nodiscard]] const std::string& path() const { return path_; }

  /// Datagrams received until `until` holds for one of them, or `timeout`.
  template <typename Until>
  bool receive_until(Until until, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd pfd{fd_, POLLIN, 0};
      if (::poll(&pfd, 1, 100) <= 0) continue;
      char buffer[4096];
      ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) continue;
      messages.emplace_back(buffer, static_cast<std::size_t>(n));
      if (until(messages.back())) return true;
    }
    return false;
  }
  [[nodiscard]] int count(const std::string& line) const {
    int n = 0;
    for (const auto& m : messages) {
      std::istringstream in(m);
      for (std::string l; std::getline(in, l);) n += l == line ? 1 : 0;
    }
    return n;
  }

  std::vector<std::string> messages;

 private:
  std::string path_;
  int fd_ = -1;
};

bool has_line(const std::string& message, const std::string& prefix) {
  std::istringstream in(message);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

// Sets the variables for the tasqd started next, and takes them away after.
class ScopedEnv {
 public:
  ScopedEnv(std::vector<std::pair<std::string, std::string>> vars) : vars_(std::move(vars)) {
    for (const auto& [name, value] : vars_) ::setenv(name.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : vars_) ::unsetenv(name.c_str());
  }

 private:
  std::vector<std::pair<std::string, std::string>> vars_;
};

TEST(ServiceNotify, ReadyOnlyOnceTheJournalIsReplayed) {
  auto dir = make_temp_dir("notify_replay");
  const std::string journal = dir + "/tasq.journal";
  {
    // Tasks that cannot run (one worker, asleep) stay live in the journal.
    TasqdProcess first({"--journal", journal, "--task_worker_num", "1", "--handler",
                        "exec:sleep 60", "--journal_fsync", "always"});
    ASSERT_TRUE(first.started());
    ASSERT_TRUE(first.wait_for_log("journal replayed"));
    RedisClient client(first.port());
    for (int batch = 0; batch < 20; ++batch) {
      std::vector<std::string> push{"LPUSH", "jobs"};
      for (int i = 0; i < 1000; ++i) push.push_back("task-" + std::to_string(batch * 1000 + i));
      ASSERT_FALSE(client.command(push).is_error());
    }
    first.signal(SIGKILL, true);
  }
  NotifySocket notify(dir);
  ScopedEnv env({{"NOTIFY_SOCKET", notify.path()}});
  TasqdProcess server(
      {"--journal", journal, "--task_worker_num", "1", "--handler", "exec:sleep 60"});
  ASSERT_TRUE(server.started());
  ASSERT_TRUE(notify.receive_until([](const std::string& m) { return has_line(m, "READY=1"); }))
      << server.log();
  // At READY, pushes are taken: no -LOADING.
  RedisClient client(server.port());
  auto reply = client.command({"LPUSH", "jobs", "after-ready"});
  EXPECT_EQ(reply.type, Reply::Type::integer) << reply.str;
  EXPECT_EQ(info_field(client, "loading"), 0);
  EXPECT_GE(info_field(client, "tasks_pending"), 20000 - 1);
  // Loading was reported before READY, with the journal's name.
  bool loading_status = false;
  for (const auto& m : notify.messages) {
    if (has_line(m, "READY=1")) break;
    loading_status = loading_status || has_line(m, "STATUS=loading the journal " + journal);
  }
  EXPECT_TRUE(loading_status);
  EXPECT_TRUE(has_line(notify.messages.back(), "STATUS=")) << "READY comes with a status line";
  // Running figures follow, and STOPPING=1 at shutdown.
  ASSERT_TRUE(notify.receive_until(
      [](const std::string& m) { return has_line(m, "STATUS=") && m.find("workers") != m.npos; }));
  server.signal(SIGTERM);
  EXPECT_TRUE(notify.receive_until([](const std::string& m) { return has_line(m, "STOPPING=1"); }));
  EXPECT_EQ(notify.count("READY=1"), 1);
}

TEST(ServiceNotify, ReadyAtOnceWithoutAJournal) {
  auto dir = make_temp_dir("notify_plain");
  NotifySocket notify(dir);
  ScopedEnv env({{"NOTIFY_SOCKET", notify.path()}});
  TasqdProcess server;
  ASSERT_TRUE(server.started());
  EXPECT_TRUE(notify.receive_until([](const std::string& m) { return has_line(m, "READY=1"); }));
  EXPECT_EQ(notify.count("WATCHDOG=1"), 0) << "no watchdog unless the unit sets WatchdogSec";
}

TEST(ServiceNotify, WatchdogWhenTheUnitAsks) {
  auto dir = make_temp_dir("notify_watchdog");
  NotifySocket notify(dir);
  ScopedEnv env({{"NOTIFY_SOCKET", notify.path()}, {"WATCHDOG_USEC", "200000"}});
  TasqdProcess server;
  ASSERT_TRUE(server.started());
  int pets = 0;
  EXPECT_TRUE(notify.receive_until([&](const std::string& m) {
    pets += has_line(m, "WATCHDOG=1") ? 1 : 0;
    return pets >= 3;
  }));
}

TEST(ServiceNotify, AWatchdogMeantForAnotherProcessIsNotPetted) {
  auto dir = make_temp_dir("notify_other_pid");
  NotifySocket notify(dir);
  ScopedEnv env(
      {{"NOTIFY_SOCKET", notify.path()}, {"WATCHDOG_USEC", "200000"}, {"WATCHDOG_PID", "1"}});
  TasqdProcess server;
  ASSERT_TRUE(server.started());
  ASSERT_TRUE(notify.receive_until([](const std::string& m) { return has_line(m, "READY=1"); }));
  notify.receive_until([](const std::string&) { return false; }, std::chrono::seconds(1));
  EXPECT_EQ(notify.count("WATCHDOG=1"), 0);
}

TEST(ServiceNotify, HandlersDoNotInheritTheSocket) {
  auto dir = make_temp_dir("notify_env");
  NotifySocket notify(dir);
  ScopedEnv env({{"NOTIFY_SOCKET", notify.path()}, {"WATCHDOG_USEC", "60000000"}});
  const std::string out = dir + "/env.txt";
  TasqdProcess server({"--handler", "exec:env > " + out});
  ASSERT_TRUE(server.started());
  RedisClient client(server.port());
  client.command({"LPUSH", "q", "x"});
  ASSERT_TRUE(eventually([&] { return info_field(client, "tasks_completed") == 1; }));
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("TASQ_TASK_ID="), std::string::npos) << text.str();
  EXPECT_EQ(text.str().find("NOTIFY_SOCKET"), std::string::npos);
  EXPECT_EQ(text.str().find("WATCHDOG_USEC"), std::string::npos);
}

TEST(ServiceNotify, AMissingSocketIsWarnedOnceAndChangesNothing) {
  auto dir = make_temp_dir("notify_missing");
  ScopedEnv env({{"NOTIFY_SOCKET", dir + "/nobody-listens.sock"}});
  TasqdProcess server;
  ASSERT_TRUE(server.started());
  RedisClient client(server.port());
  EXPECT_EQ(client.command({"LPUSH", "q", "x"}).type, Reply::Type::integer);
  auto log = server.log();
  auto first = log.find("sd_notify");
  EXPECT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find("sd_notify", first + 1), std::string::npos) << "said once";
}

}  // namespace
}  // namespace tasq::test
