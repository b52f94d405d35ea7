// The results side on the `metrics` listener, against a real tasqd: the
// figures of /metrics are INFO's, and the dashboard's dead letters and retry
// are tasq:dead's and the admin `retry`'s, with the admin port off.

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "http_client.h"
#include "redis_client.h"
#include "results_wire.h"
#include "tasqd_process.h"

namespace tasq::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* kToken = "results-metrics-token";

/// The value of an unlabelled sample of a /metrics page, or -1.
long long sample(const std::string& page, const std::string& name) {
  const std::string head = "\n" + name + " ";
  const auto at = page.find(head);
  if (at == std::string::npos) return -1;
  return std::stoll(page.substr(at + head.size()));
}

std::string metrics_page(const TasqdProcess& tasqd) {
  auto response = http_get(tasqd.metrics_port(), "/metrics");
  EXPECT_EQ(response.status, 200);
  return response.body;
}

TEST(ResultsMetrics, BlockedClientsAndKeptResultsAsInfo) {
  TasqdProcess tasqd({"--metrics", "127.0.0.1:0", "--result_max_memory", "3k"});
  RedisClient client(tasqd.port());
  for (int i = 0; i < 30; ++i) {
    const long long id = client.command({"LPUSH", "q", std::string(200, 'a')}).integer;
    ASSERT_EQ(wait_result(client, id).type, Reply::Type::array);
  }
  // Two clients wait for a task that does not exist yet.
  auto first = std::make_unique<WireClient>(tasqd.port());
  WireClient second(tasqd.port());
  first->send({"XREAD", "BLOCK", "0", "STREAMS", "tasq:result:1000000", "0"});
  second.send({"XREAD", "BLOCK", "0", "STREAMS", "tasq:result:1000000", "0"});
  ASSERT_TRUE(eventually([&] { return info_field(client, "blocked_clients") == 2; }));

  const std::string page = metrics_page(tasqd);
  EXPECT_EQ(sample(page, "tasq_blocked_clients"), 2);
  const long long kept = info_field(client, "results_kept");
  const long long evicted = info_field(client, "results_evicted");
  EXPECT_GT(evicted, 0) << "30 results of 200 bytes do not fit 3k";
  EXPECT_EQ(kept + evicted, 30);
  EXPECT_EQ(sample(page, "tasq_results_kept"), kept);
  EXPECT_EQ(sample(page, "tasq_results_evicted_total"), evicted);
  EXPECT_EQ(sample(page, "tasq_results_bytes"), info_field(client, "results_bytes"));
  EXPECT_EQ(sample(page, "tasq_results_expired_total"), 0);
  EXPECT_EQ(sample(page, "tasq_finished_events"), 30);
  EXPECT_EQ(sample(page, "tasq_dead_letters"), 0);
  EXPECT_NE(page.find("# TYPE tasq_results_evicted_total counter"), std::string::npos);
  EXPECT_NE(page.find("# TYPE tasq_blocked_clients gauge"), std::string::npos);

  // A disconnect frees its wait, and the gauge follows.
  first.reset();
  ASSERT_TRUE(eventually([&] { return sample(metrics_page(tasqd), "tasq_blocked_clients") == 1; }));
}

class DashboardRetry : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_);
    broken_ = dir_ + "/broken";
    std::ofstream(broken_) << "";
    // Fails while `broken` exists; dead at once with task_retry 1. The admin
    // port is off: the dashboard's retry must not need it.
    tasqd_ = std::make_unique<TasqdProcess>(std::vector<std::string>{
        "--metrics", "127.0.0.1:0", "--admin", "none", "--admin_token", kToken, "--task_retry",
        "1", "--task_worker_num", "1", "--handler",
        "exec:if [ -e " + broken_ + " ]; then echo refused >&2; exit 3; fi; cat"});
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  HttpResponse retry(const std::string& form) {
    return http_call(tasqd_->metrics_port(), "POST", "/api/retry",
                     {{"Authorization", std::string("Bearer ") + kToken}}, form);
  }
  nlohmann::json dashboard() {
    auto response = http_get(tasqd_->metrics_port(), "/api/dashboard");
    EXPECT_EQ(response.status, 200);
    return nlohmann::json::parse(response.body);
  }

  std::string dir_ = std::filesystem::temp_directory_path().string() + "/tasq-dashboard-retry-" +
                     std::to_string(::getpid());
  std::string broken_;
  std::unique_ptr<TasqdProcess> tasqd_;
};

TEST_F(DashboardRetry, TheDeadListIsTasqDeadAndRetryKeepsTheId) {
  RedisClient client(tasqd_->port());
  std::vector<long long> ids;
  for (const char* payload : {"one", "two", "three"}) {
    ids.push_back(client.command({"LPUSH", "billing", payload}).integer);
  }
  ASSERT_TRUE(eventually([&] { return info_field(client, "dead_letters") == 3; }));

  // Newest first, as XREVRANGE tasq:dead gives them.
  auto dead = dashboard()["dead"];
  auto stream = client.command({"XREVRANGE", "tasq:dead", "+", "-"});
  ASSERT_EQ(dead.size(), 3u);
  ASSERT_EQ(stream.elements.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(std::to_string(dead[i]["id"].get<long long>()), field(stream.elements[i], "id"));
    EXPECT_EQ(dead[i]["payload"], field(stream.elements[i], "payload"));
    EXPECT_EQ(dead[i]["error"], field(stream.elements[i], "error"));
  }
  EXPECT_EQ(dead[0]["id"], ids[2]);

  // A waiter on the first task sees `dead`, then, after the retry, the new outcome.
  EXPECT_EQ(field(wait_result(client, ids[0]), "status"), "dead");
  std::filesystem::remove(broken_);
  EXPECT_EQ(retry("id=" + std::to_string(ids[0])).body, "OK 1\n");
  RedisClient waiter(tasqd_->port());
  auto entry = wait_result(waiter, ids[0]);
  EXPECT_EQ(field(entry, "status"), "completed");
  EXPECT_EQ(field(entry, "result"), "one");
  EXPECT_EQ(field(entry, "attempts"), "1") << "a fresh attempt count";
  EXPECT_EQ(info_field(client, "dead_letters_retried"), 1);
  EXPECT_EQ(dashboard()["dead"].size(), 2u);

  EXPECT_EQ(retry("id=" + std::to_string(ids[0])).body, "OK 0\n") << "no longer dead";
  EXPECT_EQ(retry("id=all").body, "OK 2\n");
  ASSERT_TRUE(eventually([&] { return info_field(client, "tasks_completed") == 3; }));
  EXPECT_EQ(dashboard()["dead"].size(), 0u);
  EXPECT_EQ(client.command({"XLEN", "tasq:dead"}).integer, 0);
  EXPECT_EQ(field(wait_result(client, ids[2]), "result"), "three");
}

}  // namespace
}  // namespace tasq::test
