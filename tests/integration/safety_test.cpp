// The safety of the master, with a real tasqd: what a task's command
// inherits, that a command dies with its worker, and that a worker writing
// into the shared memory (from an `exec:` command or a hostile plugin)
// harms neither the master nor the other workers' tasks.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "redis_client.h"
#include "tasq/test/reachable_copy.h"
#include "tasq/test/scoped_env.h"
#include "task_files.h"
#include "tasqd_process.h"

namespace tasq::test {
namespace {

using Type = Reply::Type;
using namespace std::chrono_literals;

int count_of(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

// Alive and not a zombie (an orphan's zombie may wait for an init that never reaps).
bool running(pid_t pid) {
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

std::vector<int> worker_pids(RedisClient& c) {
  const std::string info = c.command({"INFO", "workers"}).str;
  std::vector<int> pids;
  for (auto pos = info.find(":pid="); pos != std::string::npos; pos = info.find(":pid=", pos)) {
    pos += 5;
    pids.push_back(std::atoi(info.c_str() + pos));
  }
  return pids;
}

// The case: SIGUSR1 replaces the worker, which overruns max_wait_time
// and is SIGKILLed; its task runs again. The first run's command must die
// with its worker, not finish beside the second run.
TEST(Safety, ReloadPastMaxWaitTimeKillsTheCommandOfTheKilledWorker) {
  const std::string dir = make_temp_dir("safety-reload");
  const std::string ran = dir + "/ran";
  // The command runs seconds past max_wait_time, so that the kill, not the
  // command's end, decides the first run on a loaded machine.
  TasqdProcess server({"--handler",
                       "exec:echo start $$ >> " + ran + "; sleep 8; echo ran $$ >> " + ran,
                       "--task_worker_num", "1", "--max_wait_time", "1"});
  ASSERT_TRUE(server.started()) << server.log();
  RedisClient c(server.port());
  ASSERT_EQ(c.command({"LPUSH", "q", "once"}).type, Type::integer);
  ASSERT_TRUE(eventually([&] { return count_of(read_file(ran), "start") == 1; }));
  server.signal(SIGUSR1);
  ASSERT_TRUE(eventually([&] { return info_field(c, "tasks_completed") == 1; }, 60s))
      << server.log();

  // Every shell that started (one per run) is gone, whichever way it ended.
  std::set<int> shells;
  std::istringstream lines(read_file(ran));
  std::string word;
  int pid = 0;
  while (lines >> word >> pid) shells.insert(pid);
  ASSERT_EQ(shells.size(), 2u) << read_file(ran);
  EXPECT_TRUE(eventually(
      [&] {
        for (int shell : shells) {
          if (running(shell)) return false;
        }
        return true;
      },
      30s));
  const std::string text = read_file(ran);
  EXPECT_EQ(count_of(text, "start"), 2) << text;
  EXPECT_EQ(count_of(text, "ran"), 1) << "the killed worker's command ran on:\n" << text;
  EXPECT_EQ(info_field(c, "tasks_retried"), 1);
}

// A pipe: co-process and what it started in the background die with their
// worker when the worker is SIGKILLed, and a new worker's co-process takes
// the next tasks.
TEST(Safety, APipeCoProcessAndItsChildrenDieWithTheirWorker) {
  const std::string dir = make_temp_dir("safety-pipe");
  const std::string worker_py = std::string(TASQ_SOURCE_DIR) + "/clients/python/examples/worker.py";
  TasqdProcess server({"--handler",
                       "pipe:sleep 300 & echo $! >> " + dir + "/children; echo $$ >> " + dir +
                           "/coprocesses; exec python3 " + worker_py,
                       "--task_worker_num", "1"});
  ASSERT_TRUE(server.started()) << server.log();
  RedisClient c(server.port());
  ASSERT_EQ(c.command({"LPUSH", "q", "first"}).type, Type::integer);
  ASSERT_TRUE(eventually([&] { return info_field(c, "tasks_completed") == 1; })) << server.log();
  const int coprocess = std::atoi(read_file(dir + "/coprocesses").c_str());
  const int child = std::atoi(read_file(dir + "/children").c_str());
  ASSERT_GT(coprocess, 0);
  ASSERT_GT(child, 0);
  ASSERT_TRUE(running(coprocess) && running(child));

  const std::vector<int> workers = worker_pids(c);
  ASSERT_EQ(workers.size(), 1u);
  ASSERT_EQ(::kill(workers[0], SIGKILL), 0);
  EXPECT_TRUE(eventually([&] { return !running(coprocess) && !running(child); }, 30s))
      << "co-process " << coprocess << (running(coprocess) ? " alive" : " gone") << ", child "
      << child << (running(child) ? " alive" : " gone");
  if (running(child)) ::kill(child, SIGKILL);  // no sleep left behind by a failure

  // The replacement worker starts its own co-process, which answers.
  ASSERT_EQ(c.command({"LPUSH", "q", "second"}).type, Type::integer);
  EXPECT_TRUE(eventually([&] { return info_field(c, "tasks_completed") == 2; }, 60s))
      << server.log();
  EXPECT_EQ(count_of(read_file(dir + "/coprocesses"), "\n"), 2);
}

// A command gets stdin, stdout and stderr and nothing else of its worker's
// (shared memory, eventfd, log file), nor the master's admin token.
TEST(Safety, CommandsInheritOnlyStdioAndNotTheAdminToken) {
  const ScopedEnv token("TASQ_ADMIN_TOKEN", "s3cret-token-of-the-master");
  const ScopedEnv ordinary("TASQ_TEST_ORDINARY", "passed-on");
  const std::string dir = make_temp_dir("safety-inherit");
  TasqdProcess server({"--handler",
                       "exec:ls -l /proc/self/fd > " + dir + "/fds.$TASQ_TASK_ID; env > " + dir +
                           "/env.$TASQ_TASK_ID",
                       "--log_file", dir + "/tasqd.log"});
  ASSERT_TRUE(server.started()) << server.log();
  RedisClient c(server.port());
  const Reply id = c.command({"LPUSH", "q", "x"});
  ASSERT_EQ(id.type, Type::integer);
  ASSERT_TRUE(eventually([&] { return info_field(c, "tasks_completed") == 1; }));

  // ls's own handle on the directory it lists aside, only 0, 1 and 2.
  const std::string fds = read_file(dir + "/fds." + std::to_string(id.integer));
  std::istringstream lines(fds);
  std::string line;
  std::set<int> seen;
  while (std::getline(lines, line)) {
    const auto arrow = line.find(" -> ");
    if (arrow == std::string::npos) continue;
    const int fd = std::atoi(line.c_str() + line.rfind(' ', arrow - 1) + 1);
    seen.insert(fd);
    if (fd > 2) {
      EXPECT_EQ(line.find("/proc/"), arrow + 4) << "inherited: " << line << "\n" << fds;
    }
  }
  EXPECT_TRUE(seen.count(0) && seen.count(1) && seen.count(2)) << fds;

  const std::string env = read_file(dir + "/env." + std::to_string(id.integer));
  EXPECT_NE(env.find("TASQ_TEST_ORDINARY=passed-on"), std::string::npos) << env;
  EXPECT_EQ(env.find("TASQ_ADMIN_TOKEN"), std::string::npos) << env;
  EXPECT_EQ(env.find("s3cret-token-of-the-master"), std::string::npos) << env;
  for (int worker : worker_pids(c)) {
    ASSERT_GT(worker, 0);
    const std::string environ = read_file("/proc/" + std::to_string(worker) + "/environ");
    EXPECT_EQ(environ.find("TASQ_ADMIN_TOKEN"), std::string::npos) << "worker " << worker;
  }
}

// The reproduction, `head -c 64 /dev/urandom >&4`, for every
// descriptor a worker holds: the commands reach nothing, the master lives on.
TEST(Safety, CommandsWritingIntoTheWorkersDescriptorsReachNothing) {
  TaskFiles files("safety-fds");
  TasqdProcess server(
      {"--handler",
       files.handler("for fd in 3 4 5 6 7; do head -c 64 /dev/urandom >&$fd; done 2>/dev/null; ")});
  ASSERT_TRUE(server.started()) << server.log();
  RedisClient c(server.port());
  std::map<long long, std::string> pushed;
  for (int i = 0; i < 20; ++i) {
    const std::string payload = "payload-" + std::to_string(i);
    const Reply id = c.command({"LPUSH", "q", payload});
    ASSERT_EQ(id.type, Type::integer) << id.str;
    pushed[id.integer] = payload;
  }
  ASSERT_TRUE(eventually([&] { return files.count() == pushed.size(); })) << server.log();
  EXPECT_EQ(files.ran(), pushed);
  EXPECT_TRUE(running(server.pid()));
  EXPECT_EQ(info_field(c, "tasks_failed"), 0);
  EXPECT_EQ(c.command({"PING"}).str, "PONG");
}

// A hostile plugin in worker 0 attacks every shared mapping it finds, at
// random moments, for as long as it lives (tests/taskpool/pool_hostile_plugin.c).
// The master logs it, kills it, retries its task with the reason "worker
// corrupted shared memory", and every task ends once.
TEST(Safety, AHostilePluginIsCaughtAndItsTaskRetried) {
  // Workers dropped to nobody load the plugin: a copy they can reach.
  const ReachableCopy plugin(TASQ_POOL_HOSTILE_PLUGIN, "hostile.so");
  std::vector<std::string> args{"--handler", plugin.path(), "--task_worker_num", "3",
                                "--log_level", "debug"};
  if (::geteuid() == 0) {
    // Root workers could simply signal or trace the master.
    args.insert(args.end(), {"--user", "nobody", "--group", "nogroup"});
  }
  TasqdProcess server(args);
  ASSERT_TRUE(server.started()) << server.log();
  RedisClient c(server.port());
  const std::string retried = ": worker corrupted shared memory)";  // a task's end, at debug
  long long pushed = 0;
  // Pushing until then, bounded generously for sanitizer builds.
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  for (int round = 0; std::chrono::steady_clock::now() < deadline; ++round) {
    for (int i = 0; i < 20; ++i) {
      const Reply id = c.command({"LPUSH", "q", "p" + std::to_string(pushed)});
      ASSERT_EQ(id.type, Type::integer) << id.str << "\n" << server.log();
      ++pushed;
    }
    std::this_thread::sleep_for(2ms);
    if (round % 25 != 24) continue;
    const std::string log = server.log();
    if (count_of(log, "corrupted its shared memory") >= 3 && log.find(retried) != std::string::npos) {
      break;
    }
  }
  ASSERT_TRUE(eventually(
      [&] { return info_field(c, "tasks_completed") + info_field(c, "tasks_dead") == pushed; },
      60s))
      << info_field(c, "tasks_completed") << " completed, " << info_field(c, "tasks_dead")
      << " dead of " << pushed;
  const std::string log = server.log();
  EXPECT_GE(count_of(log, "corrupted its shared memory"), 3) << "caught fewer than 3 times";
  EXPECT_NE(log.find(retried), std::string::npos) << "no task retried for it";
  EXPECT_TRUE(running(server.pid()));
  EXPECT_EQ(info_field(c, "tasks_pending"), 0);
  EXPECT_EQ(c.command({"PING"}).str, "PONG");
  const int status = server.signal(SIGTERM, true);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

}  // namespace
}  // namespace tasq::test
