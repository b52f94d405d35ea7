// Who may use the `metrics` listener, against a real tasqd: its bearer token
// is the admin token, the one made at start included (tasqd's user reads it
// from the token file), and refused tokens are logged as the admin port's
// are, at most a line a second with a count.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "http_client.h"
#include "tasqd_process.h"

namespace tasq::test {
namespace {

// Token files of this test process go to a private directory of its own.
const std::string& runtime_dir() {
  static const std::string dir = [] {
    std::string made = make_temp_dir("metrics-runtime");
    ::chmod(made.c_str(), 0700);
    ::setenv("TASQ_RUNTIME_DIR", made.c_str(), 1);
    return made;
  }();
  return dir;
}

TasqdProcess start_with_admin_and_metrics() {
  runtime_dir();
  return TasqdProcess({"--admin", "127.0.0.1:0", "--metrics", "127.0.0.1:0"});
}

std::string token_of(std::uint16_t admin_port) {
  std::ifstream in(runtime_dir() + "/admin-" + std::to_string(admin_port) + ".token");
  std::string token;
  std::getline(in, token);
  return token;
}

HttpResponse retry_with(std::uint16_t port, const std::string& token, const std::string& body) {
  return http_call(port, "POST", "/api/retry", {{"Authorization", "Bearer " + token}}, body);
}

// Without admin_token, actions still need a token: the one in the token file.
TEST(MetricsAccess, TheTokenMadeAtStartIsTheBearerToken) {
  auto server = start_with_admin_and_metrics();
  ASSERT_NE(server.metrics_port(), 0);
  ASSERT_NE(server.admin_port(), 0);
  const std::string token = token_of(server.admin_port());
  ASSERT_EQ(token.size(), 64U);
  const auto port = server.metrics_port();
  EXPECT_EQ(http_call(port, "POST", "/api/retry", {}, "id=all").status, 401);
  EXPECT_EQ(retry_with(port, token.substr(1), "id=all").status, 401);
  EXPECT_EQ(retry_with(port, token + "0", "id=all").status, 401);
  // Past the token check: the id is read (and refused for its shape).
  EXPECT_EQ(retry_with(port, token, "id=x1").status, 400);
}

TEST(MetricsAccess, RefusedTokensAreLoggedAtMostOnceASecondWithACount) {
  auto server = start_with_admin_and_metrics();
  const auto port = server.metrics_port();
  ASSERT_NE(port, 0);
  constexpr int kRefused = 200;
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < kRefused; ++i) {
    ASSERT_EQ(retry_with(port, "guess" + std::to_string(i), "id=all").status, 401);
  }
  const std::regex line(
      R"(metrics: refused (\d+) request\(s\) with a wrong or missing admin token, the last from 127\.0\.0\.1:\d+)");
  expect_counted_once_a_second(server, line, kRefused, started);
}

}  // namespace
}  // namespace tasq::test
