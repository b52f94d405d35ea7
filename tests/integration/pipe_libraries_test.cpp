// The PHP and Python worker libraries' examples under a real tasqd: every
// task answered, a thrown error retried then dead-lettered with its class
// and message, a fatal error (PHP's memory_limit; Python's MemoryError) that
// ends the co-process with the language's own message in tasqd's log and the
// attempt retried, and a reload that runs edited code. (The results
// themselves are checked in tests/taskpool/pipe_library_test.cpp, where the
// task pool hands them over; tasqd serves no results over RESP yet.)

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <string>

#include "pipe_support.h"

namespace tasq::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct Library {
  const char* name;
  const char* interpreter;   ///< "php", "python3"
  const char* dir;           ///< clients/<dir>
  const char* library;       ///< the library's file
  const char* example;       ///< examples/<example>
  const char* error_class;   ///< what the example throws for an empty payload
  const char* line_to_edit;  ///< in the example, replaced to show a reload runs new code
  const char* edited_line;
  const char* new_error;  ///< what the edited example fails with
};

const Library kLibraries[] = {
    {"php", "php", "php", "TasqWorker.php", "worker.php", "InvalidArgumentException",
     "return strtoupper($task->payload);", "throw new RuntimeException('new code');",
     "RuntimeException: new code"},
    {"python", "python3", "python", "tasq_worker.py", "worker.py", "ValueError",
     "return task.payload.upper()", "raise RuntimeError('new code')", "RuntimeError: new code"},
};

std::string example_path(const Library& library) {
  return std::string(TASQ_SOURCE_DIR) + "/clients/" + library.dir + "/examples/" + library.example;
}

long long push(RedisClient& client, const std::string& payload) {
  const Reply reply = client.command({"LPUSH", "q", payload});
  EXPECT_EQ(reply.type, Reply::Type::integer) << reply.str;
  return reply.integer;
}

/// The master's dead-letter line for task `id`, once it is there.
std::string dead_letter(TasqdProcess& server, long long id) {
  const std::string needle = "task " + std::to_string(id) + " of queue 'q' dead-lettered";
  server.wait_for_log(needle);
  const std::string log = server.log();
  const auto at = log.find(needle);
  return at == std::string::npos ? std::string() : log.substr(at, log.find('\n', at) - at);
}

class PipeLibraries : public ::testing::TestWithParam<Library> {};

TEST_P(PipeLibraries, ExampleAnswersEveryTaskAndFailsAThrownErrorWithItsClass) {
  const Library& library = GetParam();
  TasqdProcess server({"--handler",
                       std::string("pipe:") + library.interpreter + " " + example_path(library),
                       "--task_worker_num", "2", "--task_retry", "2"});
  RedisClient c(server.port());
  for (int i = 0; i < 200; ++i) push(c, "task " + std::to_string(i));
  ASSERT_TRUE(eventually([&] { return info_field(c, "tasks_completed") == 200; })) << server.log();
  const long long bad = push(c, "");
  EXPECT_NE(dead_letter(server, bad)
                .find("dead-lettered after 2 attempt(s): " + std::string(library.error_class) +
                      ": task " + std::to_string(bad) + ": nothing to upper-case"),
            std::string::npos)
      << server.log();
  EXPECT_EQ(info_field(c, "tasks_retried"), 1);
  EXPECT_EQ(info_field(c, "tasks_failed"), 2);
  // A thrown error keeps the co-process: the log shows no restart.
  EXPECT_EQ(count_of(server.log(), "exited mid-task"), 0);
}

/// The command that makes the example run out of memory on a 1.5 MB
/// payload but not on small ones, and the message the language prints.
std::pair<std::string, std::string> out_of_memory(const Library& library) {
  if (std::string(library.name) == "php") {
    return {"php -d memory_limit=3M " + example_path(library),
            "PHP Fatal error:  Allowed memory size of 3145728 bytes exhausted"};
  }
  // Python has no memory_limit: an address-space limit a little above what
  // the interpreter needs to start, measured here, does the same.
  const auto [status, peak] = run_command(
      "python3 -c \"import os, sys, time, struct, traceback; "
      "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmPeak')][0])\"");
  EXPECT_EQ(status, 0);
  const long limit_kb = std::stol(peak) + 3072;
  return {"ulimit -v " + std::to_string(limit_kb) + "; exec python3 " + example_path(library),
          "MemoryError"};
}

TEST_P(PipeLibraries, FatalErrorEndsTheCoProcessLogsItAndRetries) {
  const Library& library = GetParam();
  const auto [command, message] = out_of_memory(library);
  TasqdProcess server(
      {"--handler", "pipe:" + command, "--task_worker_num", "1", "--task_retry", "2"});
  RedisClient c(server.port());
  push(c, "small");
  ASSERT_TRUE(eventually([&] { return info_field(c, "tasks_completed") == 1; })) << server.log();
  const long long big = push(c, std::string(1'500'000, 'a'));
  const std::string line = dead_letter(server, big);
  EXPECT_NE(line.find("dead-lettered after 2 attempt(s): co-process exited mid-task: exit code"),
            std::string::npos)
      << server.log();
  // The language's own words, in the log line by line and in the reason.
  EXPECT_NE(server.log().find("stderr: " + message), std::string::npos) << server.log();
  EXPECT_EQ(info_field(c, "tasks_retried"), 1);
  // A fresh co-process serves the next task.
  push(c, "after");
  EXPECT_TRUE(eventually([&] { return info_field(c, "tasks_completed") == 2; })) << server.log();
}

TEST_P(PipeLibraries, ReloadRunsTheEditedCode) {
  const Library& library = GetParam();
  // A copy of the library and its example, laid out as installed.
  const std::string root = make_temp_dir(std::string("pipe-library-reload-") + library.name);
  fs::create_directories(root + "/examples");
  const std::string source = std::string(TASQ_SOURCE_DIR) + "/clients/" + library.dir;
  fs::copy_file(source + "/" + library.library, root + "/" + library.library);
  const std::string example = root + "/examples/" + library.example;
  fs::copy_file(source + "/examples/" + library.example, example);

  TasqdProcess server({"--handler", std::string("pipe:") + library.interpreter + " " + example,
                       "--task_worker_num", "2", "--task_retry", "1"});
  RedisClient c(server.port());
  for (int i = 0; i < 100; ++i) push(c, "before");
  std::string code = read_text(example);
  const auto at = code.find(library.line_to_edit);
  ASSERT_NE(at, std::string::npos);
  code.replace(at, std::string(library.line_to_edit).size(), library.edited_line);
  write_text(example, code);
  server.signal(SIGUSR1);
  for (int i = 0; i < 100; ++i) push(c, "during");
  ASSERT_TRUE(server.wait_for_log("reload done", 60s)) << server.log();
  const long long after = push(c, "after");
  EXPECT_NE(dead_letter(server, after).find(library.new_error), std::string::npos) << server.log();
  // Nothing was lost or run twice on the way: 201 ends, each once.
  ASSERT_TRUE(eventually([&] {
    return info_field(c, "tasks_completed") + info_field(c, "tasks_dead") == 201;
  })) << server.log();
  EXPECT_EQ(info_field(c, "tasks_retried"), 0);
}

INSTANTIATE_TEST_SUITE_P(Libraries, PipeLibraries, ::testing::ValuesIn(kLibraries),
                         [](const auto& test) { return std::string(test.param.name); });

}  // namespace
}  // namespace tasq::test
