// The life of pipe: co-processes under a real tasqd, one test per item of it:
// start-up and back-off, exits and kills mid-task, task_timeout, protocol
// garbage, max_request, reload (signals, admin, reload_watch) and shutdown,
// and what a co-process is given. The co-process is
// tests/taskpool/pipe_test_worker.py, which misbehaves on request.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>
#include <thread>

#include "pipe_support.h"
#include "tasq/test/reachable_copy.h"

namespace tasq::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Type = Reply::Type;

long long push(RedisClient& client, const std::string& payload, const std::string& queue = "q") {
  const Reply reply = client.command({"LPUSH", queue, payload});
  EXPECT_EQ(reply.type, Type::integer) << reply.str;
  return reply.integer;
}

/// Waits until the master logs the dead letter of task `id` and returns its line.
std::string dead_letter(TasqdProcess& server, long long id) {
  const std::string needle = "task " + std::to_string(id) + " of queue ";
  std::string line;
  eventually([&] {
    const std::string log = server.log();
    for (auto at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) {
      const auto end = log.find('\n', at);
      const std::string candidate = log.substr(at, end - at);
      if (candidate.find("dead-lettered") != std::string::npos) {
        line = candidate;
        return true;
      }
    }
    return false;
  });
  return line;
}

TEST(PipeLife, NoTaskIsTakenUntilReadyAndNoneIsLost) {
  EvidenceDir evidence("pipe-startup");
  // Beside the evidence, not in it; private, so that concurrent runs never share it.
  const std::string mode = make_temp_dir("pipe-startup-mode") + "/mode";
  write_text(mode, "no-ready\n");
  TasqdProcess server({"--handler",
                       pipe_test_worker("--evidence " + evidence.dir + " --mode-file " + mode),
                       "--task_worker_num", "1", "--pipe_start_timeout", "5"});
  ASSERT_TRUE(server.started());
  RedisClient c(server.port());
  std::set<long long> acked;
  for (int i = 0; i < 20; ++i) acked.insert(push(c, "t" + std::to_string(i)));
  ASSERT_TRUE(server.wait_for_log("no READY within pipe_start_timeout (5 s)")) << server.log();
  // Not ready: pushes are acknowledged and wait in the ring, unclaimed.
  EXPECT_EQ(info_field(c, "tasks_pending"), 20);
  EXPECT_EQ(info_field(c, "tasks_in_flight"), 0);
  EXPECT_EQ(info_field(c, "tasks_failed"), 0);
  // The next start, after the back-off, gets a working co-process.
  write_text(mode, "ready\n");
  ASSERT_TRUE(eventually([&] { return evidence.count() == acked.size(); }, 60s)) << server.log();
  for (const auto& [id, task] : evidence.tasks()) {
    EXPECT_TRUE(acked.count(id)) << id;
    EXPECT_EQ(task.attempt, 1) << "a task waited, it did not fail";
  }
  EXPECT_EQ(info_field(c, "tasks_completed"), 20);
}

// A co-process that cannot start costs a start per back-off step, not a busy
// loop: the worker sleeps between tries and tasqd goes on accepting pushes.
void expect_no_busy_loop(const std::string& handler, const std::string& expected_log) {
  TasqdProcess server({"--handler", handler, "--task_worker_num", "1"});
  ASSERT_TRUE(server.started());
  RedisClient c(server.port());
  ASSERT_TRUE(server.wait_for_log(expected_log)) << server.log();
  std::vector<int> workers;
  ASSERT_TRUE(eventually([&] {
    workers = worker_pids(c);
    return workers.size() == 1 && workers[0] > 0;
  }));
  const long ticks_before = cpu_ticks(workers[0]);
  const auto began = std::chrono::steady_clock::now();
  int pushes = 0;
  while (std::chrono::steady_clock::now() - began < 3500ms) {
    push(c, "waits");
    ++pushes;
    std::this_thread::sleep_for(20ms);
  }
  const long ticks = cpu_ticks(workers[0]) - ticks_before;
  const auto window = std::chrono::steady_clock::now() - began;
  EXPECT_EQ(info_field(c, "tasks_pending"), pushes) << "every push was accepted and waits";
  // Starts at 0 s, then 1 s and 2 s later: a handful, however slow the machine.
  EXPECT_LE(count_of(server.log(), "did not start"), 4) << server.log();
  // The worker's own CPU time, which a loaded machine does not inflate: a
  // busy loop spends about all of the window on a CPU, sleeping next to none
  // (a sanitizer build's start attempts included). Half the window tells
  // them apart with room to spare either way.
  const long window_ticks = static_cast<long>(std::chrono::duration<double>(window).count() *
                                              static_cast<double>(sysconf(_SC_CLK_TCK)));
  EXPECT_LT(ticks, window_ticks / 2) << "worker CPU ticks while backing off, of " << window_ticks;
  EXPECT_EQ(worker_pids(c), workers) << "the worker itself keeps running";
}

TEST(PipeLife, MissingCommandBacksOffWithoutBusyLooping) {
  expect_no_busy_loop("pipe:/nonexistent/tasq-worker",
                      "exited before READY (exit code 127); stderr: ");
}

TEST(PipeLife, CommandExitingAtOnceBacksOffWithoutBusyLooping) {
  expect_no_busy_loop(pipe_test_worker("--start exit"),
                      "exited before READY (exit code 3); stderr: cannot start: configuration "
                      "missing; next try in 1 s");
}

TEST(PipeLife, ExitOrKillMidTaskFailsTheAttemptAndRetries) {
  EvidenceDir evidence("pipe-exit");
  TasqdProcess server({"--handler", pipe_test_worker("--evidence " + evidence.dir),
                       "--task_worker_num", "1", "--task_retry", "2"});
  RedisClient c(server.port());
  const long long exit_id = push(c, "exit:3");
  const std::string exit_line = dead_letter(server, exit_id);
  EXPECT_NE(exit_line.find("dead-lettered after 2 attempt(s): co-process exited mid-task: exit "
                           "code 3; stderr: dying with 3"),
            std::string::npos)
      << server.log();
  const long long kill_id = push(c, "kill:");
  EXPECT_NE(dead_letter(server, kill_id).find("killed by signal 9"), std::string::npos)
      << server.log();
  EXPECT_EQ(info_field(c, "tasks_retried"), 2);
  // Each death brought a new co-process, which serves the next task.
  const long long fine = push(c, "fine");
  ASSERT_TRUE(eventually([&] { return evidence.tasks().count(fine) == 1; })) << server.log();
  EXPECT_EQ(evidence.tasks().find(fine)->second.result, "FINE");
}

TEST(PipeLife, TaskTimeoutKillsTheCoProcessGroup) {
  EvidenceDir evidence("pipe-timeout");
  TasqdProcess server({"--handler", pipe_test_worker("--evidence " + evidence.dir),
                       "--task_worker_num", "1", "--task_retry", "1", "--task_timeout", "3"});
  RedisClient c(server.port());
  const std::string child_file = make_temp_dir("pipe-timeout-child") + "/child";
  const long long id = push(c, "spawn-sleep:" + child_file);
  EXPECT_NE(dead_letter(server, id).find("timed out after 3 s"), std::string::npos) << server.log();
  const int child = std::stoi(read_text(child_file));
  EXPECT_TRUE(eventually([&] { return !process_alive(child); }))
      << "the co-process's own child outlived the timeout";
  const long long next = push(c, "next");
  EXPECT_TRUE(eventually([&] { return evidence.tasks().count(next) == 1; })) << server.log();
}

TEST(PipeLife, ProtocolGarbageKillsTheCoProcessAndFailsTheAttempt) {
  EvidenceDir evidence("pipe-garbage");
  TasqdProcess server({"--handler", pipe_test_worker("--evidence " + evidence.dir),
                       "--task_worker_num", "1", "--task_retry", "1", "--package_max_length", "1k",
                       "--ring_size", "1m", "--pipe_start_timeout", "5"});
  RedisClient c(server.port());
  const std::pair<const char*, const char*> cases[] = {
      {"garbage:magic", "protocol error: bad magic"},
      {"garbage:version", "protocol error: bad version 2"},
      {"garbage:type", "protocol error: bad frame type 9"},
      {"garbage:id", "protocol error: DONE for task "},
      {"big:2000", "protocol error: a part of 2000 bytes, over package_max_length"},
      {"garbage:eof", "protocol error: EOF inside a frame"},
      {"garbage:stall",
       "protocol error: a frame begun and not finished within pipe_start_timeout (5 s)"},
  };
  for (const auto& [payload, reason] : cases) {
    const long long id = push(c, payload);
    const std::string line = dead_letter(server, id);
    EXPECT_NE(line.find(std::string("dead-lettered after 1 attempt(s): ") + reason),
              std::string::npos)
        << payload << ": " << line;
  }
  const long long fine = push(c, "fine");
  ASSERT_TRUE(eventually([&] { return evidence.tasks().count(fine) == 1; })) << server.log();
  // The oversized result's co-process (it left evidence before its DONE)
  // was killed: a new one answered.
  const auto tasks = evidence.tasks();
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_NE(tasks.begin()->second.pid, tasks.rbegin()->second.pid);
}

TEST(PipeLife, MaxRequestSendsStopAndLosesNothing) {
  EvidenceDir evidence("pipe-max-request");
  TasqdProcess server({"--handler", pipe_test_worker("--evidence " + evidence.dir),
                       "--task_worker_num", "2", "--max_request", "5"});
  RedisClient c(server.port());
  std::set<long long> acked;
  for (int i = 0; i < 60; ++i) acked.insert(push(c, "sleep:0.01"));
  ASSERT_TRUE(eventually([&] { return evidence.count() == acked.size(); }, 60s)) << server.log();
  std::set<int> pids;
  for (const auto& [id, task] : evidence.tasks()) {
    EXPECT_TRUE(acked.count(id));
    EXPECT_EQ(task.attempt, 1) << "a recycle never runs a task twice";
    pids.insert(task.pid);
  }
  EXPECT_GE(pids.size(), 12u) << "5 tasks per co-process";
  // Every co-process but the (at most two) current ones was told to STOP.
  ASSERT_TRUE(eventually([&] { return evidence.stopped().size() + 2 >= pids.size(); }));
  for (int pid : evidence.stopped()) {
    EXPECT_TRUE(eventually([&] { return !process_alive(pid); })) << pid;
  }
}

// Tasks pushed while reloads run: every one runs exactly once, and every
// task pushed after a reload is done runs the new code.
void reload_under_load(const std::vector<std::function<void(TasqdProcess&)>>& reloads,
                       const std::vector<std::string>& extra_args = {}) {
  EvidenceDir evidence("pipe-reload");
  const std::string version_file = make_temp_dir("pipe-reload-version") + "/version";
  write_text(version_file, "v0\n");
  std::vector<std::string> args{
      "--handler",
      pipe_test_worker("--evidence " + evidence.dir + " --version-file " + version_file),
      "--task_worker_num", "2"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  TasqdProcess server(args);
  RedisClient c(server.port());
  std::set<long long> acked;
  // Both co-processes up before the first reload, so that each reload
  // replaces two that can be sent STOP.
  ASSERT_TRUE(eventually([&] {
    acked.insert(push(c, "sleep:0.05"));
    acked.insert(push(c, "sleep:0.05"));
    std::set<int> pids;
    for (const auto& [id, task] : evidence.tasks()) pids.insert(task.pid);
    return pids.size() == 2;
  }));
  std::map<long long, std::string> after_reload;  // id -> the oldest version it may run
  for (std::size_t round = 0; round < reloads.size(); ++round) {
    for (int i = 0; i < 100; ++i) acked.insert(push(c, "sleep:0.002"));
    const std::string version = "v" + std::to_string(round + 1);
    write_text(version_file, version + "\n");
    reloads[round](server);
    for (int i = 0; i < 100; ++i) acked.insert(push(c, "during"));
    ASSERT_TRUE(eventually(
        [&] { return count_of(server.log(), "reload done") == static_cast<int>(round + 1); }, 60s))
        << server.log();
    for (int i = 0; i < 20; ++i) {
      const long long id = push(c, "after");
      acked.insert(id);
      after_reload[id] = version;
    }
  }
  ASSERT_TRUE(eventually([&] { return evidence.count() == acked.size(); }, 120s))
      << evidence.count() << " of " << acked.size() << "\n"
      << server.log();
  const auto tasks = evidence.tasks();
  EXPECT_EQ(tasks.size(), acked.size()) << "a task ran twice";
  for (const auto& [id, task] : tasks) {
    EXPECT_TRUE(acked.count(id)) << id;
    EXPECT_EQ(task.attempt, 1) << "a reload never runs a task twice";
    // At least that reload's code: one still queued at the next reload may run newer code.
    if (auto it = after_reload.find(id); it != after_reload.end()) {
      EXPECT_GE(task.version, it->second) << "task " << id << " ran old code after the reload";
    }
  }
  // Every replaced co-process was sent STOP and is gone.
  EXPECT_GE(evidence.stopped().size(), 2 * reloads.size()) << server.log();
  for (int pid : evidence.stopped()) {
    EXPECT_TRUE(eventually([&] { return !process_alive(pid); })) << pid;
  }
}

TEST(PipeLife, ReloadBySignalsAndAdminRunsNewCodeLosesNothing) {
  const std::string tasqctl = std::string(TASQ_BINARY_DIR) + "/clients/tasqctl";
  reload_under_load(
      {[](TasqdProcess& s) { s.signal(SIGUSR1); }, [](TasqdProcess& s) { s.signal(SIGUSR2); },
       [tasqctl](TasqdProcess& s) {
         const auto [status, out] = run_command(
             tasqctl + " --admin 127.0.0.1:" + std::to_string(s.admin_port()) + " reload 2>&1");
         EXPECT_EQ(status, 0) << out;
       }},
      {"--admin", "127.0.0.1:0"});
}

TEST(PipeLife, ReloadWatchOnTheWorkersCodeRunsTheNewCode) {
  // A copy of the co-process's code in a watched directory, edited in place.
  const std::string dir = make_temp_dir("pipe-reload-watch");
  const std::string script = dir + "/worker.py";
  const std::string code =
      read_text(std::string(TASQ_SOURCE_DIR) + "/tests/taskpool/pipe_test_worker.py");
  write_text(script, code);
  EvidenceDir evidence("pipe-reload-watch-evidence");
  TasqdProcess server({"--handler", pipe_test_worker("--evidence " + evidence.dir, script),
                       "--task_worker_num", "2", "--reload_watch", dir, "--reload_watch_delay_ms",
                       "100"});
  RedisClient c(server.port());
  std::set<long long> acked;
  for (int i = 0; i < 50; ++i) acked.insert(push(c, "sleep:0.002"));
  std::string edited = code;
  const std::string old_line = "VERSION = \"v1\"";
  edited.replace(edited.find(old_line), old_line.size(), "VERSION = \"v2\"");
  write_text(script, edited);
  for (int i = 0; i < 50; ++i) acked.insert(push(c, "during"));
  ASSERT_TRUE(eventually([&] { return count_of(server.log(), "reload done") == 1; }, 60s))
      << server.log();
  std::set<long long> after;
  for (int i = 0; i < 20; ++i) {
    after.insert(push(c, "after"));
    acked.insert(*after.rbegin());
  }
  ASSERT_TRUE(eventually([&] { return evidence.count() == acked.size(); }, 60s)) << server.log();
  for (const auto& [id, task] : evidence.tasks()) {
    EXPECT_EQ(task.attempt, 1);
    if (after.count(id)) {
      EXPECT_EQ(task.version, "v2") << id;
    }
  }
}

TEST(PipeLife, CoProcessIgnoringStopIsKilledAfterMaxWaitTime) {
  EvidenceDir evidence("pipe-ignore-stop");
  TasqdProcess server({"--handler",
                       pipe_test_worker("--start ignore-stop --evidence " + evidence.dir),
                       "--task_worker_num", "1", "--max_wait_time", "1"});
  RedisClient c(server.port());
  const long long first = push(c, "ids:");
  ASSERT_TRUE(eventually([&] { return evidence.tasks().count(first) == 1; })) << server.log();
  const int pid = evidence.tasks().find(first)->second.pid;
  server.signal(SIGUSR1);
  // The worker kills the group itself, just before the master would kill the
  // worker; a worker that wakes too late on a loaded machine is killed by the
  // master first, and the master then kills what its worker left behind.
  // Either way the co-process is gone and the reload ends.
  ASSERT_TRUE(eventually([&] { return !process_alive(pid); }, std::chrono::seconds(60)))
      << server.log();
  ASSERT_TRUE(eventually([&] { return count_of(server.log(), "reload done") == 1; }))
      << server.log();
  const std::string log = server.log();
  EXPECT_TRUE(log.find("did not exit within 0.75 s after STOP") != std::string::npos ||
              log.find("killing task worker 0") != std::string::npos)
      << log;
  const long long next = push(c, "next");
  EXPECT_TRUE(eventually([&] { return evidence.tasks().count(next) == 1; })) << server.log();
}

TEST(PipeLife, ShutdownDrainsThenStopsEveryCoProcess) {
  EvidenceDir evidence("pipe-shutdown");
  const std::string starts = make_temp_dir("pipe-shutdown-starts") + "/starts";
  TasqdProcess server({"--handler",
                       pipe_test_worker("--evidence " + evidence.dir + " --starts " + starts),
                       "--task_worker_num", "2", "--max_wait_time", "20"});
  RedisClient c(server.port());
  std::set<long long> acked;
  for (int i = 0; i < 40; ++i) acked.insert(push(c, "sleep:0.05"));
  const int status = server.signal(SIGTERM, true);
  ASSERT_NE(status, -1) << "tasqd did not exit";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(evidence.count(), acked.size()) << "queued tasks run before the exit";
  std::set<int> pids;
  for (const auto& [id, task] : evidence.tasks()) {
    EXPECT_EQ(task.attempt, 1);
    pids.insert(task.pid);
  }
  // Which worker took how many of the tasks is the scheduler's choice: a
  // co-process may have had none (and still be sent STOP), so the check is
  // that every one that ran tasks was sent STOP, and that none is left.
  const std::set<int> stopped = evidence.stopped();
  for (int pid : pids) EXPECT_EQ(stopped.count(pid), 1u) << pid << " was not sent STOP";
  std::set<int> started;
  std::istringstream lines(read_text(starts));
  for (int pid = 0; lines >> pid && lines.ignore(1 << 10, '\n');) started.insert(pid);
  EXPECT_TRUE(std::includes(started.begin(), started.end(), stopped.begin(), stopped.end()));
  for (int pid : started) EXPECT_FALSE(process_alive(pid)) << pid;
}

TEST(PipeLife, CoProcessDiesWithItsWorker) {
  EvidenceDir evidence("pipe-worker-death");
  TasqdProcess server(
      {"--handler", pipe_test_worker("--evidence " + evidence.dir), "--task_worker_num", "1"});
  RedisClient c(server.port());
  const long long first = push(c, "ids:");
  ASSERT_TRUE(eventually([&] { return evidence.tasks().count(first) == 1; })) << server.log();
  const int coprocess = evidence.tasks().find(first)->second.pid;
  const std::vector<int> workers = worker_pids(c);
  ASSERT_EQ(workers.size(), 1u);
  ASSERT_EQ(::kill(workers[0], SIGKILL), 0);
  EXPECT_TRUE(eventually([&] { return !process_alive(coprocess); }))
      << "the co-process outlived its worker";
  const long long next = push(c, "next");
  EXPECT_TRUE(eventually([&] { return evidence.tasks().count(next) == 1; })) << server.log();
  EXPECT_NE(evidence.tasks().find(next)->second.pid, coprocess);
}

TEST(PipeLife, CoProcessGetsOnlyItsDescriptorsAndItsOutputIsLogged) {
  EvidenceDir evidence("pipe-descriptors");
  TasqdProcess server(
      {"--handler", pipe_test_worker("--evidence " + evidence.dir), "--task_worker_num", "1"});
  RedisClient c(server.port());
  const long long fds = push(c, "fds:");
  const long long env = push(c, "env:");
  const long long ids = push(c, "ids:");
  push(c, "print:hello from the co-process");
  ASSERT_TRUE(eventually([&] { return evidence.count() == 4; })) << server.log();
  const auto tasks = evidence.tasks();
  EXPECT_EQ(tasks.find(fds)->second.result, "0 1 2 3 4");
  EXPECT_EQ(tasks.find(env)->second.result, "0 1");
  std::istringstream id_text(tasks.find(ids)->second.result);
  int pid = 0, pgid = 0, ppid = 0;
  id_text >> pid >> pgid >> ppid;
  EXPECT_EQ(pgid, pid) << "a process group of its own";
  EXPECT_EQ(worker_pids(c), std::vector<int>{ppid}) << "started by its worker";
  EXPECT_TRUE(server.wait_for_log("[worker 0 " + std::to_string(ppid) + "] [info] co-process " +
                                  std::to_string(pid) + " stdout: hello from the co-process"))
      << server.log();
  EXPECT_TRUE(server.wait_for_log("] [warning] co-process " + std::to_string(pid) +
                                  " stderr: err hello from the co-process"))
      << server.log();
}

TEST(PipeLife, CoProcessRunsAsTheWorkersUser) {
  if (::getuid() != 0) GTEST_SKIP() << "needs root to drop to another user";
  EvidenceDir evidence("pipe-user");
  fs::permissions(evidence.dir, fs::perms::all);
  // The co-process, as nobody, opens its script: a copy it can reach.
  const ReachableCopy script(std::string(TASQ_SOURCE_DIR) + "/tests/taskpool/pipe_test_worker.py",
                             "pipe_test_worker.py");
  TasqdProcess server({"--handler", pipe_test_worker("--evidence " + evidence.dir, script.path()),
                       "--user", "nobody", "--task_worker_num", "1"});
  RedisClient c(server.port());
  const long long ids = push(c, "ids:");
  ASSERT_TRUE(eventually([&] { return evidence.tasks().count(ids) == 1; })) << server.log();
  std::istringstream id_text(evidence.tasks().find(ids)->second.result);
  int pid = 0, pgid = 0, ppid = 0, uid = -1;
  id_text >> pid >> pgid >> ppid >> uid;
  EXPECT_EQ(uid, 65534) << "nobody";
}

TEST(PipeLife, CoProcessRunsInTheWorkersChroot) {
  if (::getuid() != 0) GTEST_SKIP() << "chroot needs root";
  // A jail with a shell, what it links to, and a co-process script that
  // exists only in the jail: it leaves a marker at its / and says READY.
  const std::string jail = make_temp_dir("pipe-chroot");
  std::vector<std::string> files{fs::canonical("/bin/sh").string()};
  const auto [status, libraries] = run_command("ldd /bin/sh");
  ASSERT_EQ(status, 0) << libraries;
  std::istringstream words(libraries);
  for (std::string word; words >> word;) {
    if (word.front() == '/') files.push_back(word);
  }
  for (const std::string& file : files) {
    fs::create_directories(jail + fs::path(file).parent_path().string());
    fs::copy_file(file, jail + file, fs::copy_options::overwrite_existing);
  }
  fs::create_directories(jail + "/bin");
  if (!fs::exists(jail + "/bin/sh")) fs::copy_file(files[0], jail + "/bin/sh");
  write_text(jail + "/coprocess.sh",
             "echo $$ > /marker\n"
             "printf 'TQ\\001\\004\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000"
             "\\000\\000\\000\\000\\000\\000\\000\\000\\000\\000' >&4\n"
             "read line <&3\n");
  TasqdProcess server({"--handler", "pipe:/bin/sh /coprocess.sh", "--chroot", jail,
                       "--task_worker_num", "1", "--max_wait_time", "1"});
  ASSERT_TRUE(server.started());
  EXPECT_TRUE(eventually([&] { return fs::exists(jail + "/marker"); })) << server.log();
  EXPECT_FALSE(fs::exists("/marker")) << "the co-process ran outside the jail";
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(server.log().find("did not start"), std::string::npos) << server.log();
}

}  // namespace
}  // namespace tasq::test
