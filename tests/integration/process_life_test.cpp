// Signals, titles, daemonize and pid file, with a real tasqd.

#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "redis_client.h"
#include "task_files.h"
#include "tasqd_process.h"

namespace tasq::test {
namespace {

using Type = Reply::Type;

std::string cmdline(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
  std::string text;
  std::getline(in, text, '\0');
  return text;
}

int count_of(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

// Gone, or a zombie nobody reaps (a container's init may not).
bool running(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

// The pid a daemonized tasqd writes to `pid_file`, once it is there; 0 if
// it never comes.
pid_t pid_in(const std::string& pid_file) {
  pid_t pid = 0;
  eventually([&] {
    std::ifstream in(pid_file);
    return static_cast<bool>(in >> pid) && pid > 0;
  });
  return pid;
}

// A tasqd started with --daemonize yes and `args` (shell words, which may
// redirect), its pid and log files in a fresh directory named after `name`.
struct Daemon {
  std::string pid_file;
  std::string log;
  int status;  ///< the foreground process's
};

Daemon start_daemon(const std::string& name, const std::string& args) {
  const std::string dir = make_temp_dir(name);
  Daemon daemon{dir + "/tasqd.pid", dir + "/tasqd.log", -1};
  daemon.status = run_command(std::string(TASQ_TASQD_PATH) +
                              " --daemonize yes --listen 127.0.0.1:0 --admin none --pid_file " +
                              daemon.pid_file + " --log_file " + daemon.log + " " + args)
                      .first;
  return daemon;
}

std::vector<int> worker_pids(RedisClient& c) {
  auto info = c.command({"INFO", "workers"}).str;
  std::vector<int> pids;
  std::size_t pos = 0;
  while ((pos = info.find(":pid=", pos)) != std::string::npos) {
    pos += 5;
    pids.push_back(std::stoi(info.substr(pos)));
  }
  return pids;
}

TEST(ProcessLife, TitlesShowMasterAndWorkers) {
  TasqdProcess server;
  EXPECT_EQ(cmdline(server.pid()).rfind("tasqd: master", 0), 0u) << cmdline(server.pid());
  RedisClient c(server.port());
  std::vector<int> pids;
  ASSERT_TRUE(eventually([&] {
    pids = worker_pids(c);
    return pids.size() == 2 && pids[0] > 0 && pids[1] > 0;
  }));
  std::set<std::string> titles{cmdline(pids[0]), cmdline(pids[1])};
  EXPECT_TRUE(titles.count("tasqd: task worker 0") == 1) << *titles.begin();
  EXPECT_TRUE(titles.count("tasqd: task worker 1") == 1);
}

// The policy field of /proc/PID/stat (the 41st; the name, in parentheses,
// may hold spaces, so fields are counted after it): 0 SCHED_OTHER, 3 SCHED_BATCH.
int sched_policy_in(const std::string& stat) {
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  for (int i = 3; i <= 41 && fields >> field; ++i) {
    if (i == 41) return std::stoi(field);
  }
  return -1;
}

// The workers, and the commands their handler starts, run under the policy
// worker_sched_policy names: SCHED_BATCH by default, tasqd's own with normal.
void workers_run_under(const std::vector<std::string>& args, int policy) {
  const std::string dir = make_temp_dir("sched-policy");
  std::vector<std::string> argv{"--handler", "exec:cat /proc/self/stat > " + dir + "/stat"};
  argv.insert(argv.end(), args.begin(), args.end());
  TasqdProcess server(argv);
  ASSERT_TRUE(server.started()) << server.log();
  EXPECT_EQ(sched_policy_in(read_file("/proc/" + std::to_string(server.pid()) + "/stat")),
            sched_getscheduler(0))
      << "the master keeps the policy it was started with (this test's)";
  RedisClient c(server.port());
  std::vector<int> pids;
  ASSERT_TRUE(eventually([&] {
    pids = worker_pids(c);
    return pids.size() == 2 && pids[0] > 0 && pids[1] > 0;
  }));
  // A worker sets its policy as it starts, before it says it is ready.
  for (int pid : pids) {
    const std::string stat = "/proc/" + std::to_string(pid) + "/stat";
    EXPECT_TRUE(eventually([&] { return sched_policy_in(read_file(stat)) == policy; }))
        << "worker " << pid << ": " << sched_policy_in(read_file(stat));
  }
  ASSERT_EQ(c.command({"LPUSH", "q", "x"}).type, Type::integer);
  ASSERT_TRUE(eventually([&] { return info_field(c, "tasks_completed") == 1; }));
  EXPECT_EQ(sched_policy_in(read_file(dir + "/stat")), policy) << "the handler's command";
}

TEST(ProcessLife, WorkersAndTheirCommandsRunUnderSchedBatchByDefault) {
  workers_run_under({}, SCHED_BATCH);
}

TEST(ProcessLife, WorkerSchedPolicyNormalLeavesThemAsTasqdWasStarted) {
  workers_run_under({"--worker_sched_policy", "normal"}, sched_getscheduler(0));
}

// A handler that leaves DIR/<id>.<queue>.<attempt> per task, as TaskFiles's
// exec: handler does, and the payload that makes a task take `seconds`.
struct SlowHandler {
  std::string handler;
  std::string payload;
};

SlowHandler exec_handler(const TaskFiles& files, const std::string& seconds) {
  return {files.handler("sleep " + seconds + "; "), "x"};
}

// A pipe: co-process (tests/taskpool/pipe_test_worker.py) doing the same.
SlowHandler pipe_handler(const TaskFiles& files, const std::string& seconds) {
  return {std::string("pipe:python3 ") + TASQ_SOURCE_DIR +
              "/tests/taskpool/pipe_test_worker.py --evidence " + files.dir,
          "sleep:" + seconds};
}

void term_drains_queued_tasks(const TaskFiles& files, const SlowHandler& slow) {
  TasqdProcess server({"--handler", slow.handler, "--max_wait_time", "20"});
  RedisClient c(server.port());
  for (int i = 0; i < 40; ++i) ASSERT_EQ(c.command({"LPUSH", "q", slow.payload}).type, Type::integer);
  int status = server.signal(SIGTERM, true);
  ASSERT_NE(status, -1) << "tasqd did not exit";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(files.count(), 40u) << "queued tasks run before the exit";
}

TEST(ProcessLife, TermDrainsQueuedTasksAndExitsZero) {
  TaskFiles files("term-drain");
  term_drains_queued_tasks(files, exec_handler(files, "0.05"));
}

TEST(ProcessLife, TermDrainsQueuedTasksAndExitsZeroWithPipe) {
  TaskFiles files("term-drain-pipe");
  term_drains_queued_tasks(files, pipe_handler(files, "0.05"));
}

TEST(ProcessLife, TermPastMaxWaitTimeStillExits) {
  TaskFiles files("term-timeout");
  TasqdProcess server({"--handler", files.handler("sleep 600; "), "--max_wait_time", "1"});
  RedisClient c(server.port());
  c.command({"LPUSH", "q", "stuck"});
  // Running, not merely queued, when the shutdown comes.
  ASSERT_TRUE(eventually([&] { return info_field(c, "tasks_in_flight") == 1; })) << server.log();
  // The exit comes from max_wait_time, not from the task (600 s): the bound
  // is generous for a loaded machine and far below the task's end.
  int status = server.signal(SIGINT, true, std::chrono::seconds(120));
  ASSERT_NE(status, -1) << server.log();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_NE(server.log().find("shutdown: 0 task(s) waiting and 1 running after max_wait_time"),
            std::string::npos)
      << server.log();
  EXPECT_EQ(files.count(), 0u) << "the task was stopped, not finished";
}

void reload_replaces_workers(const TaskFiles& files, const SlowHandler& slow) {
  TasqdProcess server({"--handler", slow.handler});
  RedisClient c(server.port());
  std::vector<int> before;
  ASSERT_TRUE(eventually([&] {
    before = worker_pids(c);
    return before.size() == 2 && before[0] > 0 && before[1] > 0;
  }));
  std::set<long long> acked;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 100; ++i) acked.insert(c.command({"LPUSH", "r", slow.payload}).integer);
    server.signal(round % 2 ? SIGUSR2 : SIGUSR1);
    for (int i = 0; i < 100; ++i) acked.insert(c.command({"LPUSH", "r", slow.payload}).integer);
    // A reload asked for while one runs is ignored: wait for this one to end.
    ASSERT_TRUE(eventually([&] { return count_of(server.log(), "reload done") == round + 1; }))
        << server.log();
    auto now = worker_pids(c);
    ASSERT_EQ(now.size(), 2u);
    EXPECT_NE(now[0], before[0]);
    EXPECT_NE(now[1], before[1]);
    before = worker_pids(c);
  }
  ASSERT_TRUE(eventually([&] { return files.count() == acked.size(); }, std::chrono::seconds(60)));
  std::set<long long> ran;
  for (const auto& [id, payload] : files.ran()) ran.insert(id);
  EXPECT_EQ(ran, acked);
  // A reload never runs a task twice: every file is attempt 1.
  for (const auto& entry : std::filesystem::directory_iterator(files.dir)) {
    if (entry.path().filename().string().front() == '.') continue;
    EXPECT_EQ(entry.path().extension(), ".1") << entry.path();
  }
}

TEST(ProcessLife, ReloadReplacesWorkersWithoutLosingTasks) {
  TaskFiles files("reload");
  reload_replaces_workers(files, exec_handler(files, "0.005"));
}

TEST(ProcessLife, ReloadReplacesWorkersWithoutLosingTasksWithPipe) {
  TaskFiles files("reload-pipe");
  reload_replaces_workers(files, pipe_handler(files, "0.005"));
}

TEST(ProcessLife, HupReopensTheLogFile) {
  auto dir = make_temp_dir("hup");
  auto log = dir + "/tasqd.log";
  TasqdProcess server({"--log_file", log});
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(log); }));
  std::filesystem::rename(log, log + ".1");
  server.signal(SIGHUP);
  ASSERT_TRUE(eventually([&] { return std::filesystem::exists(log); }))
      << "SIGHUP should create the log file anew";
  const std::string text = read_file(log);
  EXPECT_NE(text.find("reopened"), std::string::npos) << text;
}

TEST(ProcessLife, DaemonizeWritesPidFile) {
  const Daemon daemon = start_daemon("daemon", "--task_worker_num 1");
  const std::string& pid_file = daemon.pid_file;
  EXPECT_EQ(daemon.status, 0) << "the foreground process exits at once";
  const pid_t pid = pid_in(pid_file);
  ASSERT_GT(pid, 0) << "no pid in " << pid_file;
  EXPECT_EQ(cmdline(pid).rfind("tasqd: master", 0), 0u);
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  EXPECT_TRUE(eventually([&] { return !running(pid); }));
  EXPECT_TRUE(eventually([&] { return !std::filesystem::exists(pid_file); }))
      << "the pid file is removed at exit";
}

// Some supervisors start daemons with fds 0-2 closed. The master must not
// give those numbers to its log or its workers' descriptors: daemonize and a
// worker's start put /dev/null on them, which would silence the log or cut a
// worker off from the master.
TEST(ProcessLife, RunsWithItsStandardDescriptorsClosed) {
  const Daemon daemon =
      start_daemon("closed-fds",
                   "--journal none --task_worker_num 1 --handler 'exec:tr a-z A-Z' 0<&- 1>&- 2>&-");
  const std::string& pid_file = daemon.pid_file;
  const std::string& log = daemon.log;
  ASSERT_EQ(daemon.status, 0) << "the foreground process exits at once";
  const pid_t pid = pid_in(pid_file);
  ASSERT_GT(pid, 0) << "no pid in " << pid_file;
  struct Stop {
    pid_t pid;
    ~Stop() { ::kill(pid, SIGTERM); }
  } stop{pid};
  const std::regex listening(R"(listening on 127\.0\.0\.1:(\d+))");
  std::smatch match;
  std::string text;
  ASSERT_TRUE(eventually([&] {
    text = read_file(log);
    return std::regex_search(text, match, listening);
  })) << "the log file got no listening line:\n"
      << text;
  for (int fd = 0; fd <= 2; ++fd) {
    std::error_code ec;
    const auto target = std::filesystem::read_symlink(
        "/proc/" + std::to_string(pid) + "/fd/" + std::to_string(fd), ec);
    EXPECT_EQ(target, "/dev/null") << "fd " << fd << ": " << ec.message();
  }
  RedisClient c(static_cast<std::uint16_t>(std::stoi(match[1])));
  const Reply id = c.command({"LPUSH", "q", "hello"});
  ASSERT_EQ(id.type, Type::integer);
  Reply result;
  ASSERT_TRUE(eventually([&] {
    result = c.command({"XRANGE", "tasq:result:" + std::to_string(id.integer), "-", "+"});
    return result.type == Type::array && !result.elements.empty();
  })) << read_file(log);
  bool upper = false;
  for (const Reply& field : result.elements[0].elements[1].elements) upper |= field.str == "HELLO";
  EXPECT_TRUE(upper) << "the worker ran the task and the master got its result";
}

TEST(ProcessLife, BadConfigStopsWithOneLineNamingTheDirective) {
  auto [status, out] = run_command(std::string(TASQ_TASQD_PATH) + " --ring_size banana 2>&1");
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("ring_size"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
}

TEST(ProcessLife, ListenerInUseIsAClearError) {
  TasqdProcess first;
  auto [status, out] = run_command(std::string(TASQ_TASQD_PATH) + " --admin none --listen 127.0.0.1:" +
                                   std::to_string(first.port()) + " 2>&1");
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("listen"), std::string::npos) << out;
  EXPECT_NE(out.find("in use"), std::string::npos) << out;
}

}  // namespace
}  // namespace tasq::test
