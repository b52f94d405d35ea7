// The UDP admin port and tasqctl against a real tasqd: every verb, the
// token, bad datagrams, and counters that agree with an exact accounting.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>

#include "redis_client.h"
#include "task_files.h"
#include "tasqd_process.h"

namespace tasq::test {
namespace {

using json = nlohmann::json;
const std::string kTasqctl = std::string(TASQ_BINARY_DIR) + "/clients/tasqctl";

// One datagram out, the reply back ("" when none arrives in time).
std::string udp_request(std::uint16_t port, const std::string& datagram, int timeout_ms = 2000) {
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
  TasqdProcess server({"--admin", "127.0.0.1:0"});
  ASSERT_NE(server.admin_port(), 0);
  EXPECT_EQ(udp_request(server.admin_port(), "ping"), "pong");
  EXPECT_EQ(udp_request(server.admin_port(), "PING\n"), "pong") << "case and newline don't matter";
  auto stats = json::parse(udp_request(server.admin_port(), "stats"));
  EXPECT_TRUE(stats.contains("tasks"));
  EXPECT_EQ(stats["workers"].size(), 2u);
  EXPECT_TRUE(stats["ring"].contains("size"));
  auto workers = json::parse(udp_request(server.admin_port(), "workers"));
  EXPECT_EQ(workers["workers"].size(), 2u);
  EXPECT_EQ(udp_request(server.admin_port(), "nonsense").rfind("ERR", 0), 0u);
}

TEST(Admin, BadDatagramsNeverDisturbTheServer) {
  TasqdProcess server({"--admin", "127.0.0.1:0"});
  auto port = server.admin_port();
  RedisClient c(server.port());
  EXPECT_EQ(udp_request(port, ""), "ERR empty command");
  EXPECT_EQ(udp_request(port, std::string(5000, 'a')), "ERR datagram too long");
  EXPECT_EQ(udp_request(port, std::string("\x01\x02\xff\x00pi", 6)), "ERR not a text command");
  EXPECT_EQ(udp_request(port, "stats stats stats").rfind("ERR", 0), 0u);
  EXPECT_EQ(udp_request(port, "ping"), "pong") << "unterminated is fine";
  EXPECT_EQ(c.command({"PING"}).str, "PONG");
  EXPECT_EQ(udp_request(port, "ping"), "pong");
}

TEST(Admin, TokenIsRequiredAndRefusalsAreLogged) {
  TasqdProcess server({"--admin", "127.0.0.1:0", "--admin_token", "t0k3n"});
  auto port = server.admin_port();
  EXPECT_EQ(udp_request(port, "ping"), "ERR auth");
  EXPECT_EQ(udp_request(port, "wrong ping"), "ERR auth");
  EXPECT_EQ(udp_request(port, "t0k3n ping"), "pong");
  EXPECT_TRUE(server.wait_for_log("refused a datagram from 127.0.0.1:"));
  auto [status, out] = tasqctl(port, "ping");
  EXPECT_EQ(status, 1) << out;
  EXPECT_NE(out.find("ERR auth"), std::string::npos);
  auto [ok_status, ok_out] = tasqctl(port, "--token t0k3n ping");
  EXPECT_EQ(ok_status, 0) << ok_out;
  EXPECT_EQ(ok_out, "pong\n");
}

TEST(Admin, NonLoopbackWithoutTokenRefusesToStart) {
  auto [status, out] = run_command(std::string(TASQ_TASQD_PATH) +
                                   " --listen 127.0.0.1:0 --admin 0.0.0.0:0 2>&1");
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("admin_token"), std::string::npos) << out;
}

TEST(Tasqctl, TablesJsonAndExitCodes) {
  TasqdProcess server({"--admin", "127.0.0.1:0"});
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
  TasqdProcess server({"--admin", "127.0.0.1:0"});
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
  TasqdProcess server({"--admin", "127.0.0.1:0", "--task_retry", "2", "--handler",
                       "exec:p=$(cat); case \"$p\" in fail*) exit 3;; esac; echo \"$p\" > " +
                           files.dir + "/$TASQ_TASK_ID"});
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
    auto stats = json::parse(udp_request(server.admin_port(), "stats"));
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
