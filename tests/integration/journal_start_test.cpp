// tasqd's start on a journal it cannot simply replay: a task too big for
// today's ring stops it at once with the directive to change, where the
// replay used to wait for ring space for ever.

#include <gtest/gtest.h>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/executor_work_guard.hpp>
#pragma GCC diagnostic pop
#include <string>

#include "tasq/journal/journal.h"
#include "tasqd_process.h"

namespace tasq::test {
namespace {

// A journal holding one small task and one of `big` bytes, both waiting to run.
void write_journal(const std::string& path, std::size_t big) {
  boost::asio::io_context io;
  journal::Journal journal(io, path, journal::FsyncPolicy::always, 1ULL << 40);
  auto guard = boost::asio::make_work_guard(io);
  std::string error = "not loaded";
  journal.load([&](const journal::LoadResult& result) {
    error = result.error;
    guard.reset();
  });
  io.run();
  ASSERT_EQ(error, "");
  journal.append_task(1, 1, 0, "small", "x");
  journal.append_task(2, 1, 0, "big", std::string(big, 'b'));
  ASSERT_FALSE(journal.write());
  journal.close();
}

TEST(JournalStart, ATaskTooBigForTheRingStopsTasqdNamingTheDirective) {
  const std::string dir = make_temp_dir("journal-start");
  const std::string path = dir + "/tasq.journal";
  write_journal(path, 300 * 1024);  // journaled when package_max_length allowed it
  // `timeout` bounds a hang, should the replay wait for ring space again.
  auto [status, out] =
      run_command("timeout 60 " + std::string(TASQ_TASQD_PATH) +
                  " --listen 127.0.0.1:0 --admin none" + " --task_worker_num 1 --journal " + path +
                  " --package_max_length 100k --ring_size 300k 2>&1");
  EXPECT_NE(status, 124) << "tasqd hung at start:\n" << out;
  EXPECT_NE(status, 0) << out;
  EXPECT_NE(out.find("package_max_length (102400 bytes)"), std::string::npos) << out;
  EXPECT_NE(out.find("the largest 307200 bytes (task 2)"), std::string::npos) << out;
  EXPECT_NE(out.find("nothing was dropped"), std::string::npos) << out;
  // Raised as it says, tasqd replays both.
  TasqdProcess server({"--journal", path, "--package_max_length", "300k", "--ring_size", "1m",
                       "--task_worker_num", "1"});
  ASSERT_TRUE(server.started());
  EXPECT_TRUE(server.wait_for_log("journal replayed: 2 task(s)")) << server.log();
}

}  // namespace
}  // namespace tasq::test
