// Crash test: several clients push steadily to a tasqd with
// `journal_fsync always` while the master (and with it its workers) is
// SIGKILLed at random moments, again and again. Every push that was
// acknowledged must run after the restarts, with its payload; a task runs
// twice only when a kill came while it was running or before its end was
// journaled. It runs with a plugin and with an `exec:` command, which die
// differently: a plugin with its worker, a command in a process group of its
// own. (tasqd leads no group of its own here, and its workers lead theirs:
// SIGKILL of the master is what killing tasqd's whole process group does.)

#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "redis_client.h"
#include "tasqd_process.h"

namespace tasq::test {
namespace {

namespace fs = std::filesystem;

constexpr int kWorkers = 2;
constexpr int kClients = 3;

// The record plugin (tests/deploy/record_plugin.c) appends one line per run,
// "QUEUE ID ATTEMPT PAYLOAD", to DIR/worker.<pid>.log: a second run of an id
// is a second line. Returns id -> the payloads of its runs, from the logs
// `only` names (every log when empty).
std::map<long long, std::vector<std::string>> runs(const std::string& dir,
                                                   const std::set<std::string>& only = {}) {
  std::map<long long, std::vector<std::string>> result;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!only.empty() && !only.count(entry.path().filename().string())) continue;
    std::ifstream in(entry.path());
    std::string queue, payload;
    long long id = 0;
    unsigned attempt = 0;
    while (in >> queue >> id >> attempt >> payload) result[id].push_back(payload);
  }
  return result;
}

int rounds_from_env(int fallback) {
  const char* text = std::getenv("TASQ_CRASH_ROUNDS");
  return text != nullptr ? std::max(1, std::atoi(text)) : fallback;
}

// What the record plugin does, as a command: one line per run, one write
// (dash's printf), in a log named after the worker ($PPID of the shell).
constexpr const char* kRecordCommand =
    "exec:printf '%s %s %s %s\\n' \"$TASQ_QUEUE\" \"$TASQ_TASK_ID\" \"$TASQ_ATTEMPT\" "
    "\"$(cat)\" >> \"$TASQ_TEST_RECORD_DIR/worker.$PPID.log\"";

void crash_and_recover(const std::string& handler, int rounds) {
  const std::string dir = make_temp_dir("journal-crash");
  const std::string ran_dir = dir + "/ran";
  fs::create_directories(ran_dir);
  const std::string journal = dir + "/tasq.journal";
  // Inherited by every tasqd and its workers, where the handler reads it.
  ::setenv("TASQ_TEST_RECORD_DIR", ran_dir.c_str(), 1);
  const std::vector<std::string> args{"--journal",         journal,
                                      "--journal_fsync",   "always",
                                      "--handler",         handler,
                                      "--task_worker_num", std::to_string(kWorkers)};
  std::mt19937 random(std::random_device{}());
  std::map<long long, std::string> acked;
  std::mutex acked_mutex;

  for (int round = 0; round < rounds; ++round) {
    TasqdProcess tasqd(args);
    ASSERT_TRUE(tasqd.started()) << tasqd.log();
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        RedisClient client(tasqd.port());
        for (int seq = 0; !stop && seq < 100000; ++seq) {
          std::string payload =
              "r" + std::to_string(round) + "c" + std::to_string(c) + "s" + std::to_string(seq);
          auto reply = client.command({"LPUSH", "crash", payload});
          if (reply.type == Reply::Type::integer) {
            std::lock_guard lock(acked_mutex);
            acked[reply.integer] = payload;
          } else if (reply.type == Reply::Type::other) {
            return;  // the connection died with the server
          } else if (reply.str.rfind("LOADING", 0) == 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
          }
        }
      });
    }
    std::uniform_int_distribution<int> pause_ms(50, 400);
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(random)));
    tasqd.signal(SIGKILL, true);
    stop = true;
    for (auto& thread : clients) thread.join();
  }
  ASSERT_FALSE(acked.empty());

  // A last start runs whatever is still queued, then drains. Its workers
  // write logs of their own, told apart from the killed runs' by name.
  std::set<std::string> before;
  for (const auto& entry : fs::directory_iterator(ran_dir)) {
    before.insert(entry.path().filename().string());
  }
  {
    TasqdProcess tasqd(args);
    ASSERT_TRUE(tasqd.started()) << tasqd.log();
    RedisClient client(tasqd.port());
    // Live tasks are counted once the journal is loaded; before, INFO says 0.
    ASSERT_TRUE(eventually([&] { return info_field(client, "loading") == 0; },
                           std::chrono::seconds(120)));
    ASSERT_TRUE(eventually(
        [&] { return info_field(client, "journal_live_tasks") == 0; }, std::chrono::seconds(120)))
        << "live tasks: " << info_field(client, "journal_live_tasks");
    tasqd.signal(SIGTERM, true);
  }

  auto ran = runs(ran_dir);
  std::size_t duplicates = 0;
  for (const auto& [id, payload] : acked) {
    auto it = ran.find(id);
    ASSERT_NE(it, ran.end()) << "acknowledged task " << id << " (" << payload << ") never ran";
    for (const auto& seen : it->second) EXPECT_EQ(seen, payload) << "task " << id;
    duplicates += it->second.size() - 1;
  }
  // Re-runs come only from the kills: a task running then, or ended in its
  // worker but not yet journaled by the master (how many depends on how far
  // the master lagged, so they are not bounded here). The last lifetime was
  // not killed: there, no task runs twice.
  std::set<std::string> last;
  for (const auto& entry : fs::directory_iterator(ran_dir)) {
    auto name = entry.path().filename().string();
    if (!before.count(name)) last.insert(name);
  }
  if (!last.empty()) {
    for (const auto& [id, seen] : runs(ran_dir, last)) {
      EXPECT_EQ(seen.size(), 1u) << "task " << id << " ran twice without a kill";
    }
  }
  std::printf("crash test (%s): %d kills, %zu acknowledged pushes, %zu re-runs\n",
              handler.substr(0, 5).c_str(), rounds, acked.size(), duplicates);
}

TEST(JournalCrash, EveryAcknowledgedPushRunsAfterRepeatedKills) {
  crash_and_recover(TASQ_RECORD_PLUGIN, rounds_from_env(25));
}

// A process per task: fewer tasks per round, so fewer rounds by default.
TEST(JournalCrash, EveryAcknowledgedPushRunsAfterRepeatedKillsWithAnExecHandler) {
  crash_and_recover(kRecordCommand, rounds_from_env(10));
}

}  // namespace
}  // namespace tasq::test
