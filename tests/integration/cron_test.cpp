// Cron lines with a real tasqd: firings arrive as tasks, a worker reload
// does not fire a due time twice, a bad line stops the start.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <set>
#include <string>

#include "redis_client.h"
#include "task_files.h"
#include "tasqd_process.h"

namespace tasq::test {
namespace {

using namespace std::chrono_literals;

std::uint64_t info_field(RedisClient& c, const std::string& section, const std::string& name) {
  auto info = c.command({"INFO", section}).str;
  auto pos = info.find(name + ":");
  if (pos == std::string::npos) return ~0ull;
  return std::stoull(info.substr(pos + name.size() + 1));
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

std::set<int> worker_pids(RedisClient& c) {
  auto info = c.command({"INFO", "workers"}).str;
  std::set<int> pids;
  for (auto pos = info.find(":pid="); pos != std::string::npos; pos = info.find(":pid=", pos)) {
    pos += 5;
    pids.insert(std::stoi(info.substr(pos)));
  }
  return pids;
}

TEST(Cron, EveryLineFiresTasks) {
  TaskFiles files("cron-every");
  TasqdProcess server({"--handler", files.handler(), "--cron", "@every 100ms tick hello"});
  ASSERT_TRUE(server.started());
  ASSERT_TRUE(eventually([&] { return files.count() >= 3; })) << server.log();
  for (const auto& [id, payload] : files.ran()) EXPECT_EQ(payload, "hello") << id;
  for (const auto& entry : std::filesystem::directory_iterator(files.dir)) {
    auto name = entry.path().filename().string();
    if (name.front() != '.') {
      EXPECT_NE(name.find(".tick."), std::string::npos) << name;
    }
  }
  RedisClient c(server.port());
  EXPECT_GE(info_field(c, "tasks", "cron_fired"), 3u);
}

// A reload replaces the workers; the cron state is the master's, so the
// firings go on, and no due time fires twice: over the run there are never
// more tasks than due times (one per 200 ms, plus the one due at the end).
TEST(Cron, WorkerReloadDoesNotFireTwice) {
  TaskFiles files("cron-reload");
  auto begin = std::chrono::steady_clock::now();
  TasqdProcess server({"--handler", files.handler(), "--cron", "@every 200ms beat b"});
  ASSERT_TRUE(server.started());
  RedisClient c(server.port());
  ASSERT_TRUE(eventually([&] { return files.count() >= 1; })) << server.log();

  for (std::size_t round = 1; round <= 2; ++round) {
    auto before = worker_pids(c);
    server.signal(SIGUSR1);
    ASSERT_TRUE(eventually([&] { return count_of(server.log(), "reload done") == round; }))
        << server.log();
    auto after = worker_pids(c);
    for (int pid : after) EXPECT_EQ(before.count(pid), 0u) << "worker " << pid << " was kept";
  }
  auto fired_before = info_field(c, "tasks", "cron_fired");
  ASSERT_TRUE(eventually([&] { return info_field(c, "tasks", "cron_fired") > fired_before; }))
      << "firing goes on after reloads";

  int status = server.signal(SIGTERM, true);
  auto elapsed = std::chrono::steady_clock::now() - begin;
  ASSERT_NE(status, -1);
  auto due_times = static_cast<std::size_t>(elapsed / 200ms) + 1;
  auto ran = files.ran();
  EXPECT_GE(ran.size(), 2u);
  EXPECT_LE(ran.size(), due_times) << "more tasks than due times: a firing was doubled";
  for (const auto& [id, payload] : ran) EXPECT_EQ(payload, "b") << id;
}

TEST(Cron, BadLineStopsTheStartNamingIt) {
  const std::string tasqd = TASQ_TASQD_PATH;
  auto [status, out] =
      run_command(tasqd + " --listen 127.0.0.1:0 --admin none --cron '61 * * * * q p' 2>&1");
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("cron: '61 * * * * q p': minute 61 is out of range 0..59"),
            std::string::npos)
      << out;

  auto [test_status, test_out] =
      run_command(tasqd + " --test-config --cron '@every 5s beat tick' --cron '@reboot q p' 2>&1");
  EXPECT_NE(test_status, 0);
  EXPECT_NE(test_out.find("cron: '@reboot q p': @reboot is not supported"), std::string::npos)
      << test_out;
}

}  // namespace
}  // namespace tasq::test
