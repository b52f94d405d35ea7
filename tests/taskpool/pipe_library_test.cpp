// The PHP and Python worker libraries, through their examples, with a real
// task pool and real worker processes: every DONE becomes the TaskEnd's
// result (what the finish hook and the counters see), a thrown error fails
// the attempt with its class and message, and the frames each library
// writes decode with tasqd's reader and are the fuzzer's seeds.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "handler_pipe_frame.h"
#include "pool_test_support.h"

namespace tasq::taskpool {
namespace {

using handlers::encode_frame;
using handlers::Frame;
using handlers::FrameReader;
using handlers::FrameStatus;
using handlers::FrameType;
using testing::PoolHarness;
using testing::test_config;

struct Library {
  const char* name;
  std::string command;      ///< runs the library's example
  const char* error_class;  ///< what the example throws for an empty payload
  const char* corpus;       ///< the fuzzer seed captured from it
};

std::string source(const std::string& path) { return std::string(TASQ_SOURCE_DIR) + "/" + path; }

std::vector<Library> libraries() {
  return {{"php", "php " + source("clients/php/examples/worker.php"), "InvalidArgumentException",
           "php_library_replies"},
          {"python", "python3 " + source("clients/python/examples/worker.py"), "ValueError",
           "python_library_replies"}};
}

std::string ascii_upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) {
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : static_cast<char>(c);
  });
  return text;
}

class PipeLibrary : public ::testing::TestWithParam<Library> {};

TEST_P(PipeLibrary, EveryDoneIsTheTasksResult) {
  PoolHarness harness(test_config("pipe:" + GetParam().command));
  harness.start();
  std::vector<std::string> payloads{"hello", "Mixed Case 123", std::string("nul\0byte", 8),
                                    std::string("\xff\xfe high bytes", 14),
                                    std::string(60'000, 'x')};
  std::map<std::uint64_t, std::string> expected;
  for (const auto& payload : payloads) expected[harness.push("q", payload)] = ascii_upper(payload);
  ASSERT_TRUE(harness.wait_finals(payloads.size()));
  for (const auto& [id, result] : expected) {
    const auto ends = harness.ends_of(id);
    ASSERT_EQ(ends.size(), 1u) << id;
    EXPECT_EQ(ends[0].outcome, TASQ_COMPLETED) << ends[0].reason;
    EXPECT_EQ(ends[0].result, result) << "task " << id;
  }
}

TEST_P(PipeLibrary, AThrownErrorFailsTheAttemptWithItsClassAndMessage) {
  auto config = test_config("pipe:" + GetParam().command, 1);
  config.task_retry = 2;
  PoolHarness harness(std::move(config));
  harness.start();
  const std::uint64_t id = harness.push("q", "");
  ASSERT_TRUE(harness.wait_finals(1));
  const auto ends = harness.ends_of(id);
  ASSERT_EQ(ends.size(), 2u) << "retried once";
  EXPECT_EQ(ends[0].outcome, TASQ_FAILED);
  EXPECT_EQ(ends[1].outcome, TASQ_DEAD);
  const std::string reason = std::string(GetParam().error_class) + ": task " + std::to_string(id) +
                             ": nothing to upper-case";
  EXPECT_EQ(ends[1].reason, reason);
  // The co-process lives on after a thrown error.
  const std::uint64_t next = harness.push("q", "still here");
  ASSERT_TRUE(harness.wait_finals(2));
  EXPECT_EQ(harness.ends_of(next).at(0).result, "STILL HERE");
}

/// Runs `command` as a co-process by hand: `requests` in on its fd 3 (then
/// EOF), everything it writes on fd 4 until it exits.
std::string capture_replies(const std::string& command, const std::string& requests) {
  int tasks[2], replies[2];
  EXPECT_EQ(::pipe2(tasks, O_CLOEXEC), 0);
  EXPECT_EQ(::pipe2(replies, O_CLOEXEC), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    // Parked high first: the pipes may sit on 3 or 4 themselves. dup2 then
    // clears close-on-exec on the targets.
    const int in = ::fcntl(tasks[0], F_DUPFD, 10);
    const int out = ::fcntl(replies[1], F_DUPFD, 10);
    if (in < 0 || out < 0 || ::dup2(in, 3) < 0 || ::dup2(out, 4) < 0) ::_exit(126);
    ::setenv("TASQ_PROTOCOL", "1", 1);
    ::setenv("TASQ_WORKER_ID", "0", 1);
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(tasks[0]);
  ::close(replies[1]);
  std::size_t written = 0;
  while (written < requests.size()) {
    const ssize_t n = ::write(tasks[1], requests.data() + written, requests.size() - written);
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  ::close(tasks[1]);
  std::string out;
  char buffer[4096];
  for (ssize_t n; (n = ::read(replies[0], buffer, sizeof buffer)) > 0;) out.append(buffer, n);
  ::close(replies[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
  return out;
}

// The library's own bytes, decoded by the reader tasqd uses, and kept as a
// seed of tests/fuzz/pipe_frame_fuzz.cpp. TASQ_UPDATE_CORPUS=1 rewrites the
// seed after a deliberate change of the library.
TEST_P(PipeLibrary, ItsFramesDecodeAndSeedTheFuzzer) {
  const std::string requests = encode_frame(FrameType::task, 1, 1, "emails", "hello") +
                               encode_frame(FrameType::task, 2, 1, "emails", "") +
                               encode_frame(FrameType::task, 3, 2, "q", std::string("b\0n", 3)) +
                               encode_frame(FrameType::stop, 0, 0, "", "");
  const std::string replies = capture_replies(GetParam().command, requests);

  FrameReader reader;
  reader.feed(replies);
  std::vector<Frame> frames;
  Frame frame;
  while (reader.next(frame) == FrameStatus::ok) frames.push_back(frame);
  ASSERT_EQ(reader.next(frame), FrameStatus::need_more);
  EXPECT_EQ(reader.buffered(), 0u);
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_EQ(frames[0].type, FrameType::ready);
  EXPECT_EQ(frames[1].type, FrameType::done);
  EXPECT_EQ(frames[1].id, 1u);
  EXPECT_EQ(frames[1].part2, "HELLO");
  EXPECT_EQ(frames[2].type, FrameType::fail);
  EXPECT_EQ(frames[2].id, 2u);
  EXPECT_EQ(frames[2].part1, GetParam().error_class);
  EXPECT_EQ(frames[2].part2, "task 2: nothing to upper-case");
  EXPECT_EQ(frames[3].type, FrameType::done);
  EXPECT_EQ(frames[3].part2, std::string("B\0N", 3));
  for (const Frame& f : frames) EXPECT_EQ(f.attempt, 0u);

  // Seeds are two control bytes (raw mode, tasqd's side; chunking) and the stream.
  const std::string seed = std::string("\x00\x03", 2) + replies;
  const std::string path = source("tests/fuzz/corpus/pipe_frame/") + GetParam().corpus;
  if (std::getenv("TASQ_UPDATE_CORPUS") != nullptr) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << seed;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream committed;
  committed << in.rdbuf();
  EXPECT_EQ(committed.str(), seed)
      << path << " is not what the library writes now; after a deliberate change run this "
      << "test with TASQ_UPDATE_CORPUS=1 and commit the seed";
}

INSTANTIATE_TEST_SUITE_P(Libraries, PipeLibrary, ::testing::ValuesIn(libraries()),
                         [](const auto& test) { return std::string(test.param.name); });

}  // namespace
}  // namespace tasq::taskpool
