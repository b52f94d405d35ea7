// `tasqd --check-journal FILE [--fix]` as users run it: exit codes and output.

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "journal_test_support.h"

namespace tasq::journal {
namespace {

struct Ran {
  int code;
  std::string output;
};

Ran tasqd(const std::string& args) {
  std::string command = std::string(TASQ_TASQD) + " " + args + " 2>&1";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  std::string output;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

TEST(CheckJournalCli, ReportsDamageAndFixesIt) {
  test::TempDir dir;
  std::string path = dir.file("tasq.journal");
  std::uint64_t second = 0;
  {
    boost::asio::io_context io;
    Journal journal(io, path, FsyncPolicy::no, 1ULL << 40);
    ASSERT_EQ(test::load(io, journal).error, "");
    for (std::uint64_t id = 1; id <= 3; ++id) {
      if (id == 2) second = journal.stats().size_bytes;
      journal.append_task(id, 1, 0, "q", test::payload_for(id));
      ASSERT_FALSE(journal.write());
    }
  }
  Ran ran = tasqd("--check-journal " + path);
  EXPECT_EQ(ran.code, 0) << ran.output;
  EXPECT_NE(ran.output.find("live tasks: 3"), std::string::npos) << ran.output;
  EXPECT_NE(ran.output.find("highest id: 3"), std::string::npos) << ran.output;

  std::string bytes = test::read_file(path);
  bytes[second + 15] ^= 0x04;
  test::write_file(path, bytes);
  ran = tasqd("--check-journal " + path);
  EXPECT_EQ(ran.code, 1) << ran.output;
  EXPECT_NE(ran.output.find("damaged at byte " + std::to_string(second)), std::string::npos)
      << ran.output;

  ran = tasqd("--check-journal " + path + " --fix");
  EXPECT_EQ(ran.code, 0) << ran.output;
  EXPECT_EQ(std::filesystem::file_size(path), second);
  ran = tasqd("--check-journal " + path);
  EXPECT_EQ(ran.code, 0) << ran.output;
  EXPECT_NE(ran.output.find("live tasks: 1"), std::string::npos) << ran.output;

  ran = tasqd("--check-journal " + dir.file("missing"));
  EXPECT_EQ(ran.code, 2) << ran.output;
}

// A new journal's name is made durable: its directory is fsynced once the
// file is created (seen with strace -y, which names each descriptor's file).
// LeakSanitizer cannot run under ptrace: it is off for the traced tool.
TEST(JournalCreation, FsyncsTheDirectoryOfANewJournal) {
  if (std::system("strace -V >/dev/null 2>&1") != 0) GTEST_SKIP() << "strace is not installed";
  test::TempDir dir;
  const std::string path = dir.file("new.journal");
  const std::string log = dir.file("strace.log");
  const std::string directory = std::filesystem::path(path).parent_path().string();
  const std::string command =
      "ASAN_OPTIONS=detect_leaks=0 strace -f -qq -y -e trace=fsync -e signal=none -o " + log + " " +
      TASQ_JOURNAL_CREATE_TOOL + " " + path;
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  const std::string trace = test::read_file(log);
  EXPECT_NE(trace.find("fsync("), std::string::npos) << trace;
  EXPECT_NE(trace.find("<" + directory + ">)"), std::string::npos)
      << "no fsync of " << directory << " in:\n"
      << trace;
  // Opening it again creates nothing, so its directory is left alone.
  const std::string again =
      "ASAN_OPTIONS=detect_leaks=0 strace -f -qq -y -e trace=fsync -e signal=none -o " + log +
      ".2 " + TASQ_JOURNAL_CREATE_TOOL + " " + path;
  ASSERT_EQ(std::system(again.c_str()), 0);
  EXPECT_EQ(test::read_file(log + ".2").find("<" + directory + ">)"), std::string::npos);
}

}  // namespace
}  // namespace tasq::journal
