// The `metrics` listener's routes as plain functions: who may see what, on
// loopback and open addresses, with the content sources stubbed by fixed
// strings (the transport and real content are tested against tasqd).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http/routes.h"

namespace tasq::server::http {
namespace {

Sources fixed_sources(std::string* last_admin) {
  Sources s;
  s.metrics_text = [] { return std::string("m 1\n"); };
  s.dashboard_json = [](std::int64_t since) { return "{\"since\":" + std::to_string(since) + "}"; };
  s.admin = [last_admin](std::string_view command) {
    *last_admin = std::string(command);
    return std::string(command == "retry 7" ? "OK 1" : "ERR no such dead task");
  };
  s.token_matches = [](std::string_view token) { return token == "tok"; };
  s.token_set = [] { return true; };
  return s;
}

Request get(std::string_view target, std::string_view authorization = {}) {
  return Request{
      .method = "GET", .target = target, .host = "localhost", .authorization = authorization};
}

TEST(HttpRoutes, LoopbackHosts) {
  for (std::string_view host : {"localhost", "LOCALHOST:8080", "127.0.0.1", "127.1.2.3:9", "[::1]",
                                "[::1]:9187", "app.localhost", "localhost."}) {
    EXPECT_TRUE(loopback_host(host)) << host;
  }
  for (std::string_view host : {"", "example.com", "127.0.0.1.nip.io", "128.0.0.1", "127.0.0",
                                "127.0.0.256", "[::2]", "localhost:x", "[::1]x", "10.0.0.1:80"}) {
    EXPECT_FALSE(loopback_host(host)) << host;
  }
}

TEST(HttpRoutes, BearerAndForms) {
  EXPECT_EQ(bearer_token("Bearer abc"), "abc");
  EXPECT_EQ(bearer_token("bearer   abc  "), "abc");
  EXPECT_EQ(bearer_token("Basic abc"), "");
  EXPECT_EQ(bearer_token(""), "");
  EXPECT_EQ(form_value("id=12&x=3", "id"), "12");
  EXPECT_EQ(form_value("x=3&id=all", "id"), "all");
  EXPECT_EQ(form_value("idx=3", "id"), "");
}

TEST(HttpRoutes, LoopbackReadsNeedNoTokenButTheHost) {
  std::string admin;
  Routes routes(fixed_sources(&admin), true);
  EXPECT_EQ(routes(get("/metrics")).body, "m 1\n");
  EXPECT_EQ(routes(get("/api/dashboard?since=42")).body, "{\"since\":42}");
  EXPECT_EQ(routes(get("/api/dashboard?since=-1")).status, 400u);
  EXPECT_EQ(routes(get("/api/dashboard?since=1x")).status, 400u);
  Request foreign = get("/metrics");
  foreign.host = "rebound.example";
  EXPECT_EQ(routes(foreign).status, 403u);
}

TEST(HttpRoutes, AnOpenAddressAsksForTheTokenForAllButThePage) {
  std::string admin;
  Routes routes(fixed_sources(&admin), false);
  EXPECT_EQ(routes(get("/")).status, 200u);
  EXPECT_EQ(routes(get("/metrics")).status, 401u);
  EXPECT_EQ(routes(get("/metrics", "Bearer nope")).status, 401u);
  EXPECT_EQ(routes(get("/metrics", "Bearer tok")).status, 200u);
  EXPECT_EQ(routes(get("/api/dashboard")).status, 401u);
  EXPECT_EQ(routes(get("/nothing")).status, 401u) << "not even whether a path exists";
  Request any_host = get("/metrics", "Bearer tok");
  any_host.host = "tasq.example:9187";
  EXPECT_EQ(routes(any_host).status, 200u);
}

TEST(HttpRoutes, RetryIsAnAdminVerbBehindTheToken) {
  std::string admin;
  Routes routes(fixed_sources(&admin), true);
  Request post{.method = "POST", .target = "/api/retry", .host = "localhost", .body = "id=7"};
  EXPECT_EQ(routes(post).status, 401u);
  EXPECT_EQ(admin, "");
  post.authorization = "Bearer tok";
  auto reply = routes(post);
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(admin, "retry 7");
  EXPECT_EQ(reply.body, "OK 1\n");
  post.body = "id=8";
  EXPECT_EQ(routes(post).status, 409u);
  post.body = "id=all";
  routes(post);
  EXPECT_EQ(admin, "retry all");
  post.body = "id=7;shutdown";
  EXPECT_EQ(routes(post).status, 400u);
  EXPECT_EQ(admin, "retry all") << "nothing but an id or all reaches the admin verbs";

  Sources no_token = fixed_sources(&admin);
  no_token.token_set = [] { return false; };
  Routes closed(no_token, true);
  post.body = "id=7";
  EXPECT_EQ(closed(post).status, 403u);
}

// Every 401 is reported with the client's address (tasqd logs the reports
// at a bounded rate); nothing else is.
TEST(HttpRoutes, RefusedTokensAreReportedWithThePeer) {
  std::string admin;
  std::vector<std::string> refused;
  Sources sources = fixed_sources(&admin);
  sources.refused = [&refused](std::string_view peer) { refused.emplace_back(peer); };
  Routes open(sources, false);
  Request scrape = get("/metrics", "Bearer nope");
  scrape.peer = "192.0.2.7:4000";
  EXPECT_EQ(open(scrape).status, 401u);
  scrape.authorization = "Bearer tok";
  EXPECT_EQ(open(scrape).status, 200u);
  EXPECT_EQ(open(get("/")).status, 200u) << "the page needs no token";
  Request retry{.method = "POST", .target = "/api/retry", .host = "localhost", .body = "id=7",
                .peer = "127.0.0.1:5000"};
  Routes loopback(sources, true);
  EXPECT_EQ(loopback(retry).status, 401u);
  EXPECT_EQ(loopback(get("/metrics")).status, 200u);
  EXPECT_EQ(refused, (std::vector<std::string>{"192.0.2.7:4000", "127.0.0.1:5000"}));
}

}  // namespace
}  // namespace tasq::server::http
