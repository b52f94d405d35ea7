// The UDP admin port and tasqctl against a real tasqd: every verb, the
// token (configured, or made at start and kept in a file only tasqd's user
// reads), who may not use it, bad datagrams, and counters that agree with
// an exact accounting.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>

#include "redis_client.h"
#include "task_files.h"
#include "tasqd_process.h"

namespace tasq::test {
namespace {

using json = nlohmann::json;
const std::string kTasqctl = std::string(TASQ_BINARY_DIR) + "/clients/tasqctl";

// Every tasqd and tasqctl of this test process keeps its token files in a
// directory of its own (tasqd and tasqctl both read TASQ_RUNTIME_DIR).
const std::string& runtime_dir() {
  static const std::string dir = [] {
    std::string made = make_temp_dir("admin-runtime");
    ::chmod(made.c_str(), 0700);
    ::setenv("TASQ_RUNTIME_DIR", made.c_str(), 1);
    ::unsetenv("TASQ_ADMIN_TOKEN");
    return made;
  }();
  return dir;
}

std::string token_path(std::uint16_t admin_port) {
  return runtime_dir() + "/admin-" + std::to_string(admin_port) + ".token";
}

// The token tasqd made for its admin port, as tasqctl reads it.
std::string token_of(std::uint16_t admin_port) {
  std::ifstream in(token_path(admin_port));
  std::string token;
  std::getline(in, token);
  return token;
}

// A tasqd with an admin port, by default on a kernel-chosen loopback port.
std::vector<std::string> with_admin(std::vector<std::string> more = {},
                                    const std::string& address = "127.0.0.1:0") {
  runtime_dir();
  std::vector<std::string> args{"--admin", address};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// One datagram out, the reply back ("" when none arrives in time).
std::string udp_request(std::uint16_t port, const std::string& datagram, int timeout_ms = 20000) {
  int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::sendto(fd, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  pollfd pfd{fd, POLLIN, 0};
  std::string reply;
  if (::poll(&pfd, 1, timeout_ms) > 0) {
    char buffer[65536];
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n > 0) reply.assign(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return reply;
}

std::pair<int, std::string> tasqctl(std::uint16_t port, const std::string& args) {
  return run_command(kTasqctl + " --admin 127.0.0.1:" + std::to_string(port) + " " + args + " 2>&1");
}

TEST(Admin, VerbsAnswer) {
  TasqdProcess server(with_admin());
  ASSERT_NE(server.admin_port(), 0);
  const std::string token = token_of(server.admin_port()) + " ";
  EXPECT_EQ(udp_request(server.admin_port(), token + "ping"), "pong");
  EXPECT_EQ(udp_request(server.admin_port(), token + "PING\n"), "pong")
      << "case and newline don't matter";
  auto stats = json::parse(udp_request(server.admin_port(), token + "stats"));
  EXPECT_TRUE(stats.contains("tasks"));
  EXPECT_EQ(stats["workers"].size(), 2u);
  EXPECT_TRUE(stats["ring"].contains("size"));
  auto workers = json::parse(udp_request(server.admin_port(), token + "workers"));
  EXPECT_EQ(workers["workers"].size(), 2u);
  EXPECT_EQ(udp_request(server.admin_port(), token + "nonsense").rfind("ERR", 0), 0u);
}

TEST(Admin, BadDatagramsNeverDisturbTheServer) {
  TasqdProcess server(with_admin());
  auto port = server.admin_port();
  const std::string token = token_of(port) + " ";
  RedisClient c(server.port());
  EXPECT_EQ(udp_request(port, ""), "ERR empty command");
  EXPECT_EQ(udp_request(port, std::string(5000, 'a')), "ERR datagram too long");
  EXPECT_EQ(udp_request(port, std::string("\x01\x02\xff\x00pi", 6)), "ERR not a text command");
  EXPECT_EQ(udp_request(port, token + "stats stats stats").rfind("ERR", 0), 0u);
  EXPECT_EQ(udp_request(port, token), "ERR empty command");
  EXPECT_EQ(udp_request(port, token + "ping"), "pong") << "unterminated is fine";
  EXPECT_EQ(c.command({"PING"}).str, "PONG");
  EXPECT_EQ(udp_request(port, token + "ping"), "pong");
}

TEST(Admin, ConfiguredTokenIsRequired) {
  TasqdProcess server(with_admin({"--admin_token", "t0k3n"}));
  auto port = server.admin_port();
  EXPECT_EQ(udp_request(port, "ping"), "ERR auth");
  EXPECT_EQ(udp_request(port, "wrong ping"), "ERR auth");
  EXPECT_EQ(udp_request(port, "t0k3n ping"), "pong");
  EXPECT_TRUE(server.wait_for_log("refused 1 datagram(s) with a wrong or missing token"));
  auto [status, out] = tasqctl(port, "--token wrong ping");
  EXPECT_EQ(status, 1) << out;
  EXPECT_NE(out.find("ERR auth"), std::string::npos);
  auto [ok_status, ok_out] = tasqctl(port, "--token t0k3n ping");
  EXPECT_EQ(ok_status, 0) << ok_out;
  EXPECT_EQ(ok_out, "pong\n");
  // The configured token is in the file too, so tasqctl needs no flag here either.
  EXPECT_EQ(token_of(port), "t0k3n");
  auto [file_status, file_out] = tasqctl(port, "ping");
  EXPECT_EQ(file_status, 0) << file_out;
}

// Without admin_token nobody may reload or stop tasqd by sending it a
// datagram, while tasqctl run by tasqd's user needs no flag: the token made
// at start is in a mode-0600 file only that user can read.
TEST(Admin, WithoutATokenTheAdminPortStillTakesNoCommandFromJustAnyone) {
  TasqdProcess server(with_admin());
  auto port = server.admin_port();
  for (const char* datagram : {"shutdown", "reload", "ping", "x shutdown"}) {
    EXPECT_EQ(udp_request(port, datagram), "ERR auth") << datagram;
  }
  struct stat st {};
  ASSERT_EQ(::stat(token_path(port).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600U);
  EXPECT_EQ(st.st_uid, ::geteuid());
  EXPECT_EQ(token_of(port).size(), 64U);
  auto [status, out] = tasqctl(port, "reload");
  EXPECT_EQ(status, 0) << out;
  EXPECT_TRUE(server.wait_for_log("admin reload"));
  auto [stopped, bye] = tasqctl(port, "shutdown");
  EXPECT_EQ(stopped, 0) << bye;
  int exit_status = server.wait_exit();
  ASSERT_NE(exit_status, -1);
  EXPECT_TRUE(WIFEXITED(exit_status) && WEXITSTATUS(exit_status) == 0);
  EXPECT_NE(::access(token_path(port).c_str(), F_OK), 0) << "removed at exit";
}

TEST(Admin, ATokenCaughtWhileTasqdWasDownIsWorthNothingAfterARestart) {
  std::string first;
  std::uint16_t port = 0;
  {
    TasqdProcess server(with_admin());
    port = server.admin_port();
    first = token_of(port);
  }
  TasqdProcess again(with_admin({}, "127.0.0.1:" + std::to_string(port)));
  ASSERT_EQ(again.admin_port(), port);
  EXPECT_NE(token_of(port), first);
  EXPECT_EQ(udp_request(port, first + " shutdown"), "ERR auth");
}

// An `exec:` task runs as `nobody` and tries every way to stop tasqd: the
// admin port with tasqctl as its user would run it, a bare datagram, and
// the token file itself.
TEST(Admin, ATaskRunningAsAnotherUserCannotStopTasqd) {
  if (::geteuid() != 0) GTEST_SKIP() << "running tasks as another user needs root";
  TaskFiles files("admin-nobody");
  ::chmod(files.dir.c_str(), 0777);
  // A copy of tasqctl the task can run, wherever the build tree is (a clone
  // only its owner may enter, too).
  const std::string tasqctl = files.dir + "/tasqctl";
  std::filesystem::copy_file(kTasqctl, tasqctl);
  ::chmod(tasqctl.c_str(), 0755);
  // The admin port is given by its number alone inside the task.
  const std::string out = files.dir + "/attempts";
  TasqdProcess server(with_admin({"--user", "nobody", "--task_worker_num", "1", "--handler",
                                  "exec:port=$(cat); {"
                                  " id -u;"
                                  " " +
                                      tasqctl +
                                      " --admin 127.0.0.1:$port --timeout 5 shutdown;"
                                      " echo tasqctl=$?;"
                                      " " +
                                      tasqctl +
                                      " --admin 127.0.0.1:$port --timeout 5 reload;"
                                      " echo tasqctl=$?;"
                                      " cat " +
                                      runtime_dir() +
                                      "/admin-$port.token; echo cat=$?;"
                                      " bash -c 'printf shutdown > /dev/udp/127.0.0.1/'$port;"
                                      " } > " +
                                      out + " 2>&1; touch " + out + ".done"}));
  ASSERT_TRUE(server.started());
  RedisClient c(server.port());
  ASSERT_EQ(c.command({"LPUSH", "q", std::to_string(server.admin_port())}).type,
            Reply::Type::integer);
  ASSERT_TRUE(eventually([&] { return ::access((out + ".done").c_str(), F_OK) == 0; },
                         std::chrono::seconds(60)));
  std::ifstream in(out);
  std::stringstream attempts;
  attempts << in.rdbuf();
  const std::string text = attempts.str();
  EXPECT_EQ(text.substr(0, text.find('\n')), "65534") << text;
  EXPECT_NE(text.find("shutdown: ERR auth"), std::string::npos) << text;
  EXPECT_NE(text.find("reload: ERR auth"), std::string::npos) << text;
  EXPECT_EQ(text.find("tasqctl=0"), std::string::npos) << text;
  EXPECT_NE(text.find("Permission denied"), std::string::npos) << text;
  EXPECT_EQ(text.find("cat=0"), std::string::npos) << text;
  EXPECT_FALSE(server.wait_for_log("shutting down", std::chrono::seconds(1))) << server.log();
  EXPECT_FALSE(server.wait_for_log("admin reload", std::chrono::milliseconds(10)));
  EXPECT_EQ(c.command({"PING"}).str, "PONG");
  EXPECT_TRUE(server.wait_for_log("with a wrong or missing token"));
}

// A flood of refused datagrams makes at most a line a second, and the lines
// count every one of them.
TEST(Admin, RefusalsAreLoggedAtMostOnceASecondWithACount) {
  TasqdProcess server(with_admin());
  auto port = server.admin_port();
  constexpr int kRefused = 300;
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < kRefused; ++i) {
    ASSERT_EQ(udp_request(port, "guess" + std::to_string(i) + " shutdown"), "ERR auth");
  }
  const std::regex line(R"(refused (\d+) datagram\(s\) with a wrong or missing token)");
  expect_counted_once_a_second(server, line, kRefused, started);
}

TEST(Admin, NonLoopbackWithoutTokenRefusesToStart) {
  auto [status, out] = run_command(std::string(TASQ_TASQD_PATH) +
                                   " --listen 127.0.0.1:0 --admin 0.0.0.0:0 2>&1");
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("admin_token"), std::string::npos) << out;
}

TEST(Tasqctl, TablesJsonAndExitCodes) {
  TasqdProcess server(with_admin());
  auto port = server.admin_port();
  auto [s1, workers] = tasqctl(port, "workers");
  EXPECT_EQ(s1, 0) << workers;
  EXPECT_NE(workers.find("PID"), std::string::npos) << workers;
  EXPECT_NE(workers.find("STATE"), std::string::npos);
  EXPECT_NE(workers.find("2 of 2 workers alive"), std::string::npos) << workers;
  auto [s2, stats] = tasqctl(port, "stats");
  EXPECT_EQ(s2, 0);
  EXPECT_NE(stats.find("enqueued"), std::string::npos) << stats;
  auto [s3, raw] = tasqctl(port, "--json stats");
  EXPECT_EQ(s3, 0);
  EXPECT_TRUE(json::accept(raw)) << raw;
  auto [s4, usage] = tasqctl(port, "frobnicate");
  EXPECT_EQ(s4, 2) << usage;
  // Nothing listens on this port: a clear message and a distinct code.
  auto [s5, silent] = run_command(kTasqctl + " --admin 127.0.0.1:9 --timeout 0.5 ping 2>&1");
  EXPECT_EQ(s5, 3) << silent;
  EXPECT_NE(silent.find("127.0.0.1:9"), std::string::npos) << silent;
}

// tasqctl reads --admin with tasqd's own address parser: what tasqd would
// refuse as an admin address, tasqctl refuses with the same reason.
TEST(Tasqctl, AdminAddressesAsTasqdReadsThem) {
  const std::pair<const char*, const char*> cases[] = {
      {"127.0.0.1", "missing port (use HOST:PORT)"},
      {"::1:6381", "IPv6 addresses go in brackets"},
      {"unix:/tmp/tasq-admin.sock", "the admin port is UDP"},
      {"127.0.0.1:70000", "port must be a number from 0 to 65535"},
  };
  for (auto [address, reason] : cases) {
    auto [status, out] = run_command(kTasqctl + " --admin '" + address + "' ping 2>&1");
    EXPECT_EQ(status, 3) << address << ": " << out;
    EXPECT_NE(out.find(std::string("bad admin address '") + address + "': " + reason),
              std::string::npos)
        << out;
  }
}

TEST(Tasqctl, ReloadAndShutdown) {
  TasqdProcess server(with_admin());
  auto port = server.admin_port();
  auto [s1, out1] = tasqctl(port, "reload");
  EXPECT_EQ(s1, 0) << out1;
  EXPECT_EQ(out1.rfind("OK", 0), 0u) << out1;
  EXPECT_TRUE(server.wait_for_log("reloading"));
  auto [s2, out2] = tasqctl(port, "shutdown");
  EXPECT_EQ(s2, 0) << out2;
  int status = server.wait_exit();
  ASSERT_NE(status, -1);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

// enqueued = completed + dead + pending + in_flight at every quiet point,
// against the test's own count of what it pushed, and INFO agrees with stats.
TEST(Counters, AccountingHoldsAndInfoAgreesWithStats) {
  TaskFiles files("counters");
  // Payloads starting with "fail" make the handler fail; task_retry 2.
  TasqdProcess server(
      with_admin({"--task_retry", "2", "--handler",
                  "exec:p=$(cat); case \"$p\" in fail*) exit 3;; esac; echo \"$p\" > " + files.dir +
                      "/$TASQ_TASK_ID"}));
  RedisClient c(server.port());
  long long pushed = 0, failing = 0;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 30; ++i) {
      bool fail = i % 10 == 0;
      ASSERT_EQ(c.command({"LPUSH", "acct", (fail ? "fail " : "ok ") + std::to_string(i)}).type,
                Reply::Type::integer);
      ++pushed;
      failing += fail ? 1 : 0;
    }
    ASSERT_TRUE(eventually([&] {
      return info_field(c, "tasks_pending") == 0 && info_field(c, "tasks_in_flight") == 0 &&
             info_field(c, "tasks_completed") + info_field(c, "tasks_dead") == pushed;
    }, std::chrono::seconds(60)));
    auto stats =
        json::parse(udp_request(server.admin_port(), token_of(server.admin_port()) + " stats"));
    const auto& t = stats["tasks"];
    EXPECT_EQ(t["enqueued"].get<long long>(), pushed);
    EXPECT_EQ(t["enqueued"].get<long long>(),
              t["completed"].get<long long>() + t["dead"].get<long long>() +
                  t["pending"].get<long long>() + t["in_flight"].get<long long>());
    EXPECT_EQ(t["dead"].get<long long>(), failing);
    EXPECT_EQ(t["failed"].get<long long>(), failing * 2) << "two attempts each";
    EXPECT_EQ(t["retried"].get<long long>(), failing);
    EXPECT_EQ(t["completed"].get<long long>(), info_field(c, "tasks_completed"));
    EXPECT_EQ(t["dead"].get<long long>(), info_field(c, "tasks_dead"));
    EXPECT_EQ(t["failed"].get<long long>(), info_field(c, "tasks_failed"));
  }
  EXPECT_EQ(static_cast<long long>(files.count()), pushed - failing);
}

}  // namespace
}  // namespace tasq::test
