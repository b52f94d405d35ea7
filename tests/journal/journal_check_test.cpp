// check_file(): what `tasqd --check-journal FILE [--fix]` prints and returns.

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "journal_test_support.h"

namespace tasq::journal {
namespace {

struct Checked {
  int code;
  std::string output;
};

Checked check(const std::string& path, bool fix) {
  std::FILE* out = std::tmpfile();
  int code = check_file(path, fix, out);
  std::rewind(out);
  std::string text;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, out)) text.append(buffer, n);
  std::fclose(out);
  return {code, text};
}

class CheckJournal : public ::testing::Test {
 protected:
  /// Tasks 1..5, task 2 ended; returns where each record starts.
  std::vector<std::uint64_t> make() {
    boost::asio::io_context io;
    Journal journal(io, path_, FsyncPolicy::no, 1ULL << 40);
    EXPECT_EQ(test::load(io, journal).error, "");
    std::vector<std::uint64_t> starts;
    for (std::uint64_t id = 1; id <= 5; ++id) {
      starts.push_back(journal.stats().size_bytes);
      journal.append_task(id, 1, 0, "q", test::payload_for(id));
      EXPECT_FALSE(journal.write());
    }
    starts.push_back(journal.stats().size_bytes);
    journal.append_end(2);
    EXPECT_FALSE(journal.write());
    starts.push_back(journal.stats().size_bytes);
    return starts;
  }

  test::TempDir dir_;
  std::string path_ = dir_.file("tasq.journal");
};

TEST_F(CheckJournal, SoundFileReportsItsContents) {
  make();
  Checked result = check(path_, false);
  EXPECT_EQ(result.code, 0) << result.output;
  EXPECT_NE(result.output.find("records: 6 (tasks 5, attempts 0, ends 1)"), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("live tasks: 4"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("highest id: 5"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("status: ok"), std::string::npos) << result.output;
}

TEST_F(CheckJournal, DamageIsReportedThenFixedByCutting) {
  auto starts = make();
  std::string bytes = test::read_file(path_);
  bytes[starts[1] + 12] ^= 0x10;
  test::write_file(path_, bytes);

  Checked result = check(path_, false);
  EXPECT_EQ(result.code, 1);
  EXPECT_NE(result.output.find("damaged at byte " + std::to_string(starts[1]) +
                               ": checksum mismatch"),
            std::string::npos)
      << result.output;
  EXPECT_EQ(test::read_file(path_), bytes);  // no --fix, no change

  result = check(path_, true);
  EXPECT_EQ(result.code, 0) << result.output;
  EXPECT_NE(result.output.find("fixed: cut at byte " + std::to_string(starts[1])),
            std::string::npos)
      << result.output;
  EXPECT_EQ(std::filesystem::file_size(path_), starts[1]);
  result = check(path_, false);
  EXPECT_EQ(result.code, 0);
  EXPECT_NE(result.output.find("live tasks: 1"), std::string::npos) << result.output;
}

TEST_F(CheckJournal, TornTailIsReportedAndFixed) {
  auto starts = make();
  std::filesystem::resize_file(path_, starts.back() - 3);
  Checked result = check(path_, false);
  EXPECT_EQ(result.code, 1);
  EXPECT_NE(result.output.find("torn last record at byte " + std::to_string(starts[5])),
            std::string::npos)
      << result.output;
  EXPECT_EQ(check(path_, true).code, 0);
  EXPECT_EQ(std::filesystem::file_size(path_), starts[5]);
}

TEST_F(CheckJournal, MissingFileIsUnreadable) {
  Checked result = check(dir_.file("nope"), false);
  EXPECT_EQ(result.code, 2);
  EXPECT_NE(result.output.find("cannot open"), std::string::npos);
}

TEST_F(CheckJournal, ForeignFileIsNeverCutToNothing) {
  test::write_file(path_, "not a journal, rather some config file\n");
  Checked result = check(path_, true);
  EXPECT_EQ(result.code, 1);
  EXPECT_NE(result.output.find("not fixing"), std::string::npos) << result.output;
  EXPECT_EQ(test::read_file(path_), "not a journal, rather some config file\n");
}

TEST_F(CheckJournal, FixRefusesAJournalInUse) {
  make();
  boost::asio::io_context io;
  Journal journal(io, path_, FsyncPolicy::no, 1ULL << 40);
  EXPECT_EQ(check(path_, false).code, 0);  // reading needs no lock
  Checked result = check(path_, true);
  EXPECT_EQ(result.code, 2);
  EXPECT_NE(result.output.find("in use"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace tasq::journal
