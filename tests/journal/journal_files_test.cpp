// What the journal leaves on disk besides its records: mode 0600 for every
// file it makes whatever the umask, a torn tail kept beside the journal
// before it is cut, a damaged length in the middle never taken for a torn
// write, and live tasks too big for the ring counted at load.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "journal_test_support.h"
#include "record_format.h"

namespace tasq::journal {
namespace {

namespace fs = std::filesystem;

unsigned mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

class Umask {
 public:
  explicit Umask(mode_t mask) : saved_(::umask(mask)) {}
  ~Umask() { ::umask(saved_); }
  Umask(const Umask&) = delete;
  Umask& operator=(const Umask&) = delete;

 private:
  mode_t saved_;
};

class JournalFiles : public ::testing::Test {
 protected:
  std::unique_ptr<Journal> open(std::uint64_t rewrite_min = 1ULL << 40) {
    return std::make_unique<Journal>(io_, path_, FsyncPolicy::no, rewrite_min);
  }
  std::vector<std::uint64_t> make_tasks(std::uint64_t n) { return test::make_tasks(io_, path_, n); }

  test::TempDir dir_;
  std::string path_ = dir_.file("tasq.journal");
  boost::asio::io_context io_;
};

TEST_F(JournalFiles, NewJournalIsPrivateWhateverTheUmask) {
  for (mode_t mask : {0000, 0022, 0377}) {
    SCOPED_TRACE("umask " + std::to_string(mask));
    fs::remove(path_);
    Umask umask(mask);
    auto journal = open();
    ASSERT_EQ(test::load(io_, *journal).error, "");
    EXPECT_EQ(mode_of(path_), 0600U);
  }
}

TEST_F(JournalFiles, ExistingJournalIsMadePrivate) {
  make_tasks(2);
  ASSERT_EQ(::chmod(path_.c_str(), 0644), 0);
  auto journal = open();
  ASSERT_EQ(test::load(io_, *journal).error, "");
  EXPECT_EQ(mode_of(path_), 0600U);
  EXPECT_EQ(test::live_tasks(*journal).size(), 2U);
}

TEST_F(JournalFiles, RewriteIsPrivateWhateverTheUmask) {
  Umask umask(0);
  auto journal = open(/*rewrite_min=*/1);
  ASSERT_EQ(test::load(io_, *journal).error, "");
  for (std::uint64_t id = 1; id <= 200; ++id) {
    journal->append_task(id, 1, 0, "q", test::payload_for(id));
    ASSERT_FALSE(journal->write());
    if (id % 10 != 0) journal->append_end(id);
  }
  ASSERT_FALSE(journal->write());
  ASSERT_TRUE(test::run_until(
      io_, [&] { return journal->stats().rewrites > 0 && !journal->stats().rewrite_in_progress; }));
  EXPECT_EQ(mode_of(path_), 0600U);
}

TEST_F(JournalFiles, TornTailIsSavedBesideTheJournalBeforeTheCut) {
  auto starts = make_tasks(3);
  const std::string whole = test::read_file(path_);
  const std::uint64_t cut = starts[2];
  test::write_file(path_, whole.substr(0, starts[3] - 7));  // the third record torn
  Umask umask(0);
  auto journal = open();
  LoadResult result = test::load(io_, *journal);
  ASSERT_EQ(result.error, "");
  const std::string saved = path_ + ".torn-" + std::to_string(cut);
  EXPECT_EQ(result.torn_saved_to, saved);
  EXPECT_EQ(test::read_file(saved), whole.substr(cut, starts[3] - 7 - cut));
  EXPECT_EQ(mode_of(saved), 0600U);
  EXPECT_EQ(fs::file_size(path_), cut);
  journal.reset();
  // The same cut again (a second crash at the same point) keeps the first copy.
  test::write_file(path_, whole.substr(0, starts[3] - 2));
  auto again = open();
  LoadResult second = test::load(io_, *again);
  ASSERT_EQ(second.error, "");
  EXPECT_EQ(second.torn_saved_to, saved + ".1");
  EXPECT_EQ(test::read_file(saved).size(), starts[3] - 7 - cut);
}

TEST_F(JournalFiles, TornTailThatCannotBeSavedIsNotCut) {
  auto starts = make_tasks(3);
  const std::string torn = test::read_file(path_).substr(0, starts[3] - 7);
  test::write_file(path_, torn);
  auto journal = open();
  LoadResult result;
  {
    test::FileSizeLimit limit(8);  // the copy of the tail cannot be written
    result = test::load(io_, *journal);
  }
  EXPECT_NE(result.error.find("could not be saved"), std::string::npos) << result.error;
  EXPECT_NE(result.error.find("nothing was cut"), std::string::npos) << result.error;
  EXPECT_EQ(test::read_file(path_), torn);
}

// A length field damaged so that its record seems to run past the end of
// the file looks like a torn write; the records after it show it is not.
TEST_F(JournalFiles, DamagedLengthInTheMiddleIsNotTakenForATornTail) {
  auto starts = make_tasks(5);
  std::string bytes = test::read_file(path_);
  bytes[starts[1] + 2] ^= 0x01;  // the second record's length, + 64 KiB
  test::write_file(path_, bytes);
  auto journal = open();
  LoadResult result = test::load(io_, *journal);
  EXPECT_NE(result.error.find("damaged at byte " + std::to_string(starts[1])), std::string::npos)
      << result.error;
  EXPECT_NE(result.error.find("a whole record starts at byte " + std::to_string(starts[2])),
            std::string::npos)
      << result.error;
  EXPECT_EQ(test::read_file(path_), bytes) << "nothing cut";
  EXPECT_FALSE(fs::exists(path_ + ".torn-" + std::to_string(starts[1])));
}

TEST_F(JournalFiles, LiveTasksOverTheLimitAreCounted) {
  {
    auto journal = open();
    ASSERT_EQ(test::load(io_, *journal).error, "");
    journal->append_task(1, 1, 0, "q", std::string(100, 'a'));
    journal->append_task(2, 1, 0, "q", std::string(5000, 'b'));
    journal->append_task(3, 1, 0, "queue", std::string(3000, 'c'));
    journal->append_task(4, 1, 0, "q", std::string(9000, 'd'));
    journal->append_end(4);  // ended: never replayed, so never in the way
    ASSERT_FALSE(journal->write());
  }
  auto journal = open();
  LoadResult result;
  auto guard = boost::asio::make_work_guard(io_);
  journal->load(
      [&](const LoadResult& loaded) {
        result = loaded;
        guard.reset();
      },
      1000);
  io_.restart();
  io_.run();
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.oversized_tasks, 2U);
  EXPECT_EQ(result.largest_oversized, 5000U);
  EXPECT_EQ(result.oversized_id, 2U);
  EXPECT_EQ(result.live_tasks, 3U);
}

}  // namespace
}  // namespace tasq::journal
