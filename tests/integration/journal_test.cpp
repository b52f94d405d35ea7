// The journal, end to end with real tasqd processes: tasks acknowledged
// before a SIGKILL or a shutdown run after the restart with their ids and
// payloads, ids continue above the journal's, a second tasqd is refused, a
// damaged journal stops tasqd, and a journal that cannot be written turns
// pushes into errors until it can again.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "redis_client.h"
#include "task_files.h"
#include "tasqd_process.h"

namespace tasq::test {
namespace {

namespace fs = std::filesystem;

// A text INFO field ("journal_last_write_status"), or "" when absent.
std::string info_text(RedisClient& client, const std::string& field) {
  auto reply = client.command({"INFO", "persistence"});
  auto at = reply.str.find(field + ":");
  if (at == std::string::npos) return {};
  at += field.size() + 1;
  return reply.str.substr(at, reply.str.find("\r\n", at) - at);
}

// Pushes `count` tasks to `queue`; returns id -> payload of the acknowledged.
std::map<long long, std::string> push_tasks(RedisClient& client, const std::string& queue,
                                            int count, const std::string& tag) {
  std::map<long long, std::string> acked;
  for (int i = 0; i < count; ++i) {
    std::string payload = tag + "-" + std::to_string(i);
    auto reply = client.command({"LPUSH", queue, payload});
    if (reply.type == Reply::Type::integer) acked[reply.integer] = payload;
  }
  return acked;
}

// Unix time in whole seconds, as ZADD takes a due time.
long long unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A handler that holds the one worker on its first task for longer than any
// test below runs, so that every other task stays queued however slow the
// machine is (the worker and its command die with tasqd).
constexpr const char* kStuckHandler = "exec:sleep 120";

bool loaded(RedisClient& client) {
  auto reply = client.command({"INFO", "persistence"});
  return reply.str.find("loading:0") != std::string::npos;
}

std::vector<std::string> journal_args(const std::string& journal, const std::string& handler,
                                      std::vector<std::string> more = {}) {
  std::vector<std::string> args{"--journal", journal, "--handler", handler};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

TEST(Journal, TasksQueuedAtAKillRunAfterTheRestartWithTheirIds) {
  TaskFiles files("journal-kill");
  // Beside the task files, not among them; a directory of its own, so that
  // concurrent runs of the suite never share it.
  std::string journal = make_temp_dir("journal-kill") + "/tasq.journal";
  std::map<long long, std::string> acked;
  {
    // One worker stuck on its first task: everything else stays queued.
    TasqdProcess tasqd(journal_args(journal, kStuckHandler, {"--task_worker_num", "1"}));
    ASSERT_TRUE(tasqd.started()) << tasqd.log();
    RedisClient client(tasqd.port());
    ASSERT_TRUE(eventually([&] { return loaded(client); }));
    acked = push_tasks(client, "mail", 50, "before");
    ASSERT_EQ(acked.size(), 50u);
    EXPECT_EQ(info_field(client, "journal_live_tasks"), 50);
    EXPECT_EQ(info_text(client, "journal_last_write_status"), "ok");
    tasqd.signal(SIGKILL, true);
  }
  TasqdProcess tasqd(journal_args(journal, files.handler()));
  ASSERT_TRUE(tasqd.started()) << tasqd.log();
  RedisClient client(tasqd.port());
  ASSERT_TRUE(eventually([&] { return files.count() >= acked.size(); })) << tasqd.log();
  auto ran = files.ran();
  for (const auto& [id, payload] : acked) {
    ASSERT_TRUE(ran.count(id)) << "task " << id << " was lost";
    EXPECT_EQ(ran[id], payload);
  }
  // New ids continue above every id the journal had given out.
  auto next = client.command({"LPUSH", "mail", "after"});
  ASSERT_EQ(next.type, Reply::Type::integer) << next.str;
  EXPECT_GT(next.integer, acked.rbegin()->first);
  EXPECT_TRUE(tasqd.wait_for_log("journal replayed: 50 task(s)")) << tasqd.log();
  // Ended tasks are no longer live.
  EXPECT_TRUE(eventually([&] { return info_field(client, "journal_live_tasks") == 0; }));
}

TEST(Journal, ScheduledTasksKeepTheirDueTimesAcrossAKill) {
  TaskFiles files("journal-delayed");
  std::string journal = make_temp_dir("journal-delayed") + "/tasq.journal";
  long long now = 0;
  long long later_id = 0, cancelled_id = 0, overdue_id = 0;
  {
    TasqdProcess tasqd(journal_args(journal, kStuckHandler, {"--task_worker_num", "1"}));
    ASSERT_TRUE(tasqd.started()) << tasqd.log();
    RedisClient client(tasqd.port());
    ASSERT_TRUE(eventually([&] { return loaded(client); }));
    // Taken once tasqd is up: however long its start took, "soon" is still
    // some seconds ahead while it is scheduled and counted below.
    now = unix_seconds();
    later_id = client.command({"ZADD", "mail", std::to_string(now + 3600), "in an hour"}).integer;
    cancelled_id = client.command({"ZADD", "mail", std::to_string(now + 3600), "cancelled"}).integer;
    overdue_id = client.command({"ZADD", "mail", std::to_string(now + 4), "soon"}).integer;
    ASSERT_GT(later_id, 0);
    ASSERT_EQ(client.command({"ZREM", "mail", "cancelled"}).integer, 1);
    EXPECT_EQ(client.command({"ZCARD", "mail"}).integer, 2);
    tasqd.signal(SIGKILL, true);
  }
  // Down past the due time of "soon": it runs at once after the restart.
  ASSERT_TRUE(eventually([&] { return unix_seconds() > now + 4; }, std::chrono::seconds(10)));
  TasqdProcess tasqd(journal_args(journal, files.handler()));
  ASSERT_TRUE(tasqd.started()) << tasqd.log();
  RedisClient client(tasqd.port());
  ASSERT_TRUE(eventually([&] { return files.count() >= 1; })) << tasqd.log();
  ASSERT_TRUE(eventually([&] { return loaded(client); }));
  auto ran = files.ran();
  EXPECT_EQ(ran[overdue_id], "soon");
  EXPECT_EQ(ran.count(cancelled_id), 0u) << "a cancelled task came back";
  // The other keeps its hour: still scheduled, with its id.
  EXPECT_EQ(client.command({"ZCARD", "mail"}).integer, 1);
  EXPECT_EQ(client.command({"ZADD", "mail", "NX", std::to_string(now + 60), "in an hour"}).integer,
            later_id);
  EXPECT_EQ(ran.count(later_id), 0u);
}

TEST(Journal, CronFiringsAreJournaled) {
  std::string dir = make_temp_dir("journal-cron");
  std::string journal = dir + "/tasq.journal";
  TasqdProcess tasqd(journal_args(journal, "exec:sleep 5",
                                  {"--task_worker_num", "1", "--cron", "@every 100ms tick beat"}));
  ASSERT_TRUE(tasqd.started()) << tasqd.log();
  RedisClient client(tasqd.port());
  ASSERT_TRUE(eventually([&] { return info_field(client, "journal_live_tasks") >= 3; }))
      << tasqd.log();
}

TEST(Journal, ShutdownPastMaxWaitTimeKeepsTheQueuedTasks) {
  TaskFiles files("journal-term");
  std::string journal = make_temp_dir("journal-term") + "/tasq.journal";
  std::map<long long, std::string> acked;
  {
    // Its first task outlasts max_wait_time whatever the pushes cost.
    TasqdProcess tasqd(
        journal_args(journal, kStuckHandler, {"--task_worker_num", "1", "--max_wait_time", "1"}));
    ASSERT_TRUE(tasqd.started()) << tasqd.log();
    RedisClient client(tasqd.port());
    ASSERT_TRUE(eventually([&] { return loaded(client); }));
    acked = push_tasks(client, "reports", 5, "queued");
    ASSERT_EQ(acked.size(), 5u);
    int status = tasqd.signal(SIGTERM, true);
    ASSERT_TRUE(WIFEXITED(status)) << tasqd.log();
    EXPECT_EQ(WEXITSTATUS(status), 0) << tasqd.log();
  }
  TasqdProcess tasqd(journal_args(journal, files.handler()));
  ASSERT_TRUE(tasqd.started()) << tasqd.log();
  // Even the task the shutdown interrupted comes back: it never ended.
  ASSERT_TRUE(eventually([&] { return files.count() >= acked.size(); })) << tasqd.log();
  auto ran = files.ran();
  for (const auto& [id, payload] : acked) EXPECT_EQ(ran[id], payload) << "task " << id;
}

TEST(Journal, ASecondTasqdOnTheSameJournalRefusesToStart) {
  std::string dir = make_temp_dir("journal-lock");
  std::string journal = dir + "/tasq.journal";
  TasqdProcess first(journal_args(journal, "echo"));
  ASSERT_TRUE(first.started()) << first.log();
  auto [status, output] = run_command(std::string(TASQ_TASQD_PATH) +
                                      " --listen 127.0.0.1:0 --admin none --journal " + journal +
                                      " 2>&1");
  EXPECT_NE(status, 0);
  EXPECT_NE(output.find("journal " + journal + " is in use by another process"),
            std::string::npos)
      << output;
  // The first one is unharmed (once its own load is over: before that a push
  // is answered -LOADING, whatever the second one did).
  RedisClient client(first.port());
  ASSERT_TRUE(eventually([&] { return loaded(client); }));
  auto reply = client.command({"LPUSH", "q", "x"});
  EXPECT_EQ(reply.type, Reply::Type::integer) << reply.str;
}

TEST(Journal, DamageInTheMiddleStopsTasqdNamingTheOffset) {
  std::string dir = make_temp_dir("journal-damage");
  std::string journal = dir + "/tasq.journal";
  {
    TasqdProcess tasqd(journal_args(journal, "exec:sleep 2", {"--task_worker_num", "1"}));
    ASSERT_TRUE(tasqd.started()) << tasqd.log();
    RedisClient client(tasqd.port());
    ASSERT_TRUE(eventually([&] { return loaded(client); }));
    ASSERT_EQ(push_tasks(client, "q", 200, std::string(40, 'p')).size(), 200u);
    tasqd.signal(SIGKILL, true);
  }
  auto size = fs::file_size(journal);
  {
    std::fstream file(journal, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(static_cast<std::streamoff>(size / 2));
    char byte = 0;
    file.read(&byte, 1);
    byte = static_cast<char>(byte ^ 0x5a);
    file.seekp(static_cast<std::streamoff>(size / 2));
    file.write(&byte, 1);
  }
  TasqdProcess tasqd(journal_args(journal, "echo"));
  int status = tasqd.wait_exit(std::chrono::seconds(20));
  ASSERT_TRUE(WIFEXITED(status)) << tasqd.log();
  EXPECT_NE(WEXITSTATUS(status), 0);
  EXPECT_NE(tasqd.log().find("damaged at byte"), std::string::npos) << tasqd.log();
  // The file is left as it was, for --check-journal to look at.
  EXPECT_EQ(fs::file_size(journal), size);
}

// RLIMIT_FSIZE stands in for a full disk: set on the running master with
// prlimit(2) (set before the start it would also stop the shared-memory
// ring from being sized), and lifted again the same way.
// Group commit, seen from outside: a pipelined batch that arrives in one
// read is written and fsynced once, not once per push, and INFO counts it.
TEST(Journal, APipelinedBatchCostsOneWriteAndOneFsync) {
  std::string dir = make_temp_dir("journal-group");
  TasqdProcess tasqd(journal_args(dir + "/tasq.journal", "exec:sleep 5",
                                  {"--journal_fsync", "always", "--task_worker_num", "1"}));
  ASSERT_TRUE(tasqd.started()) << tasqd.log();
  RedisClient client(tasqd.port());
  ASSERT_TRUE(eventually([&] { return loaded(client); }));
  ASSERT_EQ(client.command({"LPUSH", "q", "first"}).type, Reply::Type::integer);
  const long long fsyncs = info_field(client, "journal_fsyncs");
  const long long writes = info_field(client, "journal_writes");
  ASSERT_GE(fsyncs, 1);
  ASSERT_GE(writes, 1);
  constexpr int kBatch = 100;
  for (int i = 0; i < kBatch; ++i) client.append({"LPUSH", "q", "task-" + std::to_string(i)});
  for (int i = 0; i < kBatch; ++i) {
    ASSERT_EQ(client.read_reply().type, Reply::Type::integer);
  }
  // The 100 pushes (about 3 KB) come in one read, or at worst a few.
  EXPECT_GE(info_field(client, "journal_fsyncs") - fsyncs, 1);
  EXPECT_LE(info_field(client, "journal_fsyncs") - fsyncs, 3);
  EXPECT_LE(info_field(client, "journal_writes") - writes, 3);
}

TEST(Journal, AFailingWriteIsAnErrorUntilWritesSucceedAgain) {
  std::string dir = make_temp_dir("journal-full");
  std::string journal = dir + "/tasq.journal";
  // Tasks that do not end write no end records, which would fit and so
  // turn the status back to ok between the pushes.
  TasqdProcess tasqd(journal_args(journal, kStuckHandler,
                                  {"--journal_fsync", "always", "--task_worker_num", "1"}));
  ASSERT_TRUE(tasqd.started()) << tasqd.log();
  RedisClient client(tasqd.port());
  ASSERT_TRUE(eventually([&] { return loaded(client); }));
  rlimit unlimited{};
  ASSERT_EQ(::prlimit(tasqd.pid(), RLIMIT_FSIZE, nullptr, &unlimited), 0);
  rlimit small = unlimited;
  small.rlim_cur = static_cast<rlim_t>(fs::file_size(journal)) + 32 * 1024;
  ASSERT_EQ(::prlimit(tasqd.pid(), RLIMIT_FSIZE, &small, nullptr), 0);

  std::string payload(200, 'x');
  Reply reply;
  int accepted = 0;
  for (int i = 0; i < 1000; ++i) {
    reply = client.command({"LPUSH", "q", payload});
    if (reply.type != Reply::Type::integer) break;
    ++accepted;
  }
  ASSERT_TRUE(reply.is_error()) << "1000 pushes of 200 bytes fit in 32 KiB?";
  EXPECT_GT(accepted, 10);
  EXPECT_EQ(reply.str.rfind("ERR journal write failed: ", 0), 0u) << reply.str;
  EXPECT_NE(info_text(client, "journal_last_write_status"), "ok");
  // Still refused while the disk is full; the connection stays usable.
  EXPECT_TRUE(client.command({"LPUSH", "q", payload}).is_error());
  EXPECT_EQ(client.command({"PING"}).str, "PONG");

  ASSERT_EQ(::prlimit(tasqd.pid(), RLIMIT_FSIZE, &unlimited, nullptr), 0);
  auto after = client.command({"LPUSH", "q", payload});
  ASSERT_EQ(after.type, Reply::Type::integer) << after.str;
  EXPECT_EQ(info_text(client, "journal_last_write_status"), "ok");
  EXPECT_TRUE(tasqd.wait_for_log("journal write failed")) << tasqd.log();
}

}  // namespace
}  // namespace tasq::test
