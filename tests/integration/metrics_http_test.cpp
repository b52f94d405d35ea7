// The `metrics` HTTP listener against a real tasqd: what it serves, and
// that junk, oversized, slow and greedy clients cost only their own
// connection (the RESP side and other HTTP clients go on).

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "http_client.h"
#include "raw_client.h"
#include "redis_client.h"
#include "tasqd_process.h"

namespace tasq::test {
namespace {

TasqdProcess start_with_metrics(std::vector<std::string> extra = {}) {
  std::vector<std::string> args{"--metrics", "127.0.0.1:0"};
  args.insert(args.end(), extra.begin(), extra.end());
  return TasqdProcess(args);
}

void expect_healthy(const TasqdProcess& server) {
  auto metrics = http_get(server.metrics_port(), "/metrics");
  EXPECT_EQ(metrics.status, 200);
  RedisClient client(server.port());
  EXPECT_EQ(client.command({"PING"}).str, "PONG");
}

TEST(MetricsHttp, ServesMetricsAndThePage) {
  auto server = start_with_metrics();
  ASSERT_NE(server.metrics_port(), 0);
  auto metrics = http_get(server.metrics_port(), "/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(metrics.body.find("\nprocess_cpu_seconds_total "), std::string::npos);
  auto page = http_get(server.metrics_port(), "/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_NE(page.headers["content-security-policy"].find("default-src 'none'"), std::string::npos);
  EXPECT_EQ(http_get(server.metrics_port(), "/nope").status, 404);
  EXPECT_EQ(http_call(server.metrics_port(), "DELETE", "/metrics").status, 405);
}

TEST(MetricsHttp, NoListenerWithoutTheDirective) {
  TasqdProcess server;
  ASSERT_TRUE(server.started());
  EXPECT_EQ(server.metrics_port(), 0);
  EXPECT_EQ(server.log().find("metrics listening"), std::string::npos);
}

TEST(MetricsHttp, JunkHarmsOnlyItsConnection) {
  auto server = start_with_metrics();
  const auto port = server.metrics_port();
  ASSERT_NE(port, 0);
  // A kept-alive client that must see none of the trouble.
  RawClient bystander(port);
  std::size_t bystander_offset = 0;
  ASSERT_TRUE(bystander.send(http_request_bytes("GET", "/metrics")));
  ASSERT_EQ(read_http_response(bystander, bystander_offset).status, 200);

  std::string many_fields = "GET /metrics HTTP/1.1\r\nHost: localhost\r\n";
  for (int i = 0; i < 100; ++i) many_fields += "X-" + std::to_string(i) + ": y\r\n";
  many_fields += "\r\n";
  struct Case {
    std::string name;
    std::string bytes;
    int status;  // 0: any 4xx, or just closed
  };
  const std::vector<Case> cases{
      {"not HTTP", "GARBAGE\r\n\r\n", 400},
      {"binary", std::string("\x00\xff\x01\x02\r\n\r\n", 8), 400},
      {"RESP", "*1\r\n$4\r\nPING\r\n", 400},
      {"bad version", "GET / HTTP/9.9\r\nHost: localhost\r\n\r\n", 400},
      {"header too large", "GET / HTTP/1.1\r\nX: " + std::string(20000, 'a') + "\r\n\r\n", 431},
      {"request line without end", "GET /" + std::string(20000, 'a'), 431},
      {"too many header fields", many_fields, 431},
      {"body too large",
       "POST /api/retry HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000000\r\n\r\n", 413},
      {"bad chunk",
       "POST /api/retry HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
       400},
  };
  for (const auto& c : cases) {
    RawClient junk(port);
    ASSERT_TRUE(junk.connected()) << c.name;
    junk.send(c.bytes);
    std::size_t offset = 0;
    auto response = read_http_response(junk, offset);
    if (c.status != 0) {
      EXPECT_EQ(response.status, c.status) << c.name;
    }
    EXPECT_EQ(response.headers["connection"], "close") << c.name;
    EXPECT_TRUE(junk.wait_closed()) << c.name << ": the connection ends";
  }
  ASSERT_TRUE(bystander.send(http_request_bytes("GET", "/metrics")));
  EXPECT_EQ(read_http_response(bystander, bystander_offset).status, 200);
  expect_healthy(server);
}

TEST(MetricsHttp, SlowSendersAreCutAndCannotLockOthersOut) {
  auto server = start_with_metrics();
  const auto port = server.metrics_port();
  ASSERT_NE(port, 0);
  // More half-sent requests than the listener holds (32): the newest
  // connections push the oldest out, and a complete request still gets in.
  std::vector<std::unique_ptr<RawClient>> slow;
  for (int i = 0; i < 40; ++i) {
    slow.push_back(std::make_unique<RawClient>(port));
    ASSERT_TRUE(slow.back()->connected());
    slow.back()->send("GET /metrics HTTP/1.1\r\nHost: local");
  }
  expect_healthy(server);
  // A slowloris keeps sending a byte at a time and never finishes: the
  // deadline is the request's, not the byte's, so it is cut all the same.
  RawClient trickler(port);
  ASSERT_TRUE(trickler.send("GET /metrics HTTP/1.1\r\n"));
  bool cut = false;
  for (int i = 0; i < 300 && !cut; ++i) {  // at most about 60 s
    cut = !trickler.send("X") || trickler.wait_closed(std::chrono::milliseconds(200));
  }
  EXPECT_TRUE(cut) << "a trickling request is closed at its deadline";
  for (auto& client : slow) EXPECT_TRUE(client->wait_closed(std::chrono::seconds(30)));
  expect_healthy(server);
}

TEST(MetricsHttp, KeepAliveIsBounded) {
  auto server = start_with_metrics();
  RawClient client(server.metrics_port());
  std::size_t offset = 0;
  int served = 0;
  for (int i = 0; i < 1100; ++i) {
    if (!client.send(http_request_bytes("GET", "/index.html"))) break;
    auto response = read_http_response(client, offset);
    if (response.status != 200) break;
    ++served;
    if (response.headers["connection"] == "close") break;
  }
  EXPECT_EQ(served, 1000) << "requests on one connection before it is closed";
  EXPECT_TRUE(client.wait_closed());
  expect_healthy(server);
}

TEST(MetricsHttp, TheHostMustNameThisMachine) {
  auto server = start_with_metrics();
  const auto port = server.metrics_port();
  EXPECT_EQ(http_get(port, "/metrics", {{"Host", "attacker.example"}}).status, 403);
  EXPECT_EQ(http_get(port, "/metrics", {{"Host", "localhost:1"}}).status, 200);
  EXPECT_EQ(http_get(port, "/metrics", {{"Host", "[::1]:9"}}).status, 200);
}

TEST(MetricsHttp, ActionsNeedTheAdminToken) {
  {
    auto server = start_with_metrics();
    auto response = http_call(server.metrics_port(), "POST", "/api/retry", {}, "id=all");
    EXPECT_EQ(response.status, 403) << "no token set: no actions";
  }
  auto server = start_with_metrics({"--admin_token", "s3cret"});
  const auto port = server.metrics_port();
  auto none = http_call(port, "POST", "/api/retry", {}, "id=all");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.headers["www-authenticate"], "Bearer realm=\"tasq\"");
  EXPECT_EQ(
      http_call(port, "POST", "/api/retry", {{"Authorization", "Bearer nope"}}, "id=all").status,
      401);
  EXPECT_EQ(
      http_call(port, "POST", "/api/retry", {{"Authorization", "Bearer s3cret"}}, "id=x1").status,
      400);
  EXPECT_EQ(http_call(port, "GET", "/api/retry").status, 405);
  // Reads on a loopback address need no token.
  EXPECT_EQ(http_get(port, "/metrics").status, 200);
}

TEST(MetricsHttp, ANonLoopbackAddressNeedsAToken) {
  const std::string tasqd = TASQ_TASQD_PATH;
  auto [status, output] = run_command(tasqd + " --test-config --metrics 0.0.0.0:9187 2>&1");
  EXPECT_NE(status, 0);
  EXPECT_NE(output.find("metrics: 0.0.0.0:9187 is not a loopback address; set admin_token"),
            std::string::npos)
      << output;
  std::tie(status, output) =
      run_command(tasqd + " --test-config --metrics 0.0.0.0:9187 --admin_token t 2>&1");
  EXPECT_EQ(status, 0) << output;
  std::tie(status, output) = run_command(tasqd + " --test-config --metrics unix:/tmp/x.sock 2>&1");
  EXPECT_NE(status, 0) << output;
  std::tie(status, output) = run_command(tasqd + " --test-config --metrics none 2>&1");
  EXPECT_EQ(status, 0) << output;
}

}  // namespace
}  // namespace tasq::test
