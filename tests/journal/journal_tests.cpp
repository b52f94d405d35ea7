// The journal on its own: format, round trip, torn tails, damage, the lock,
// and the fsync policies.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "journal_test_support.h"
#include "record_format.h"
#include "tasq/journal/journal.h"

namespace tasq::journal {
namespace {

using test::TempDir;

TEST(RecordFormat, Crc32cIsTheCastagnoliCheckValue) {
  // The standard check value of CRC-32C: whichever library computes it, the
  // files stay readable by every build.
  EXPECT_EQ(format::crc32c("123456789", 9), 0xE3069283U);
  std::uint32_t split = format::crc32c_extend(format::crc32c("1234", 4), "56789", 5);
  EXPECT_EQ(split, 0xE3069283U);
}

TEST(RecordFormat, TaskRecordDecodesBack) {
  std::string out;
  std::size_t size = format::append_task(out, 42, 3, -5, "mail", "hello");
  ASSERT_EQ(size, out.size());
  auto header = format::parse_frame_header(out.data());
  std::string_view body(out.data() + format::kFrameHeaderSize, header.body_len);
  EXPECT_EQ(header.crc, format::frame_crc(header.body_len, header.type, body));
  format::TaskView task;
  std::uint64_t id = 0;
  std::uint32_t attempt = 0;
  EXPECT_EQ(format::decode_body(header.type, body, header.body_len, task, id, attempt), "");
  EXPECT_EQ(task.id, 42U);
  EXPECT_EQ(task.attempt, 3U);
  EXPECT_EQ(task.due_ms, -5);
  EXPECT_EQ(task.queue, "mail");
  EXPECT_EQ(task.payload, "hello");
}

class JournalTest : public ::testing::Test {
 protected:
  std::unique_ptr<Journal> open(FsyncPolicy policy = FsyncPolicy::no,
                                std::uint64_t rewrite_min = 1ULL << 40) {
    return std::make_unique<Journal>(io_, path_, policy, rewrite_min);
  }
  /// A fresh journal with tasks 1..n (queue "q", 64-byte payloads), each
  /// written on its own; returns the file size before each task record.
  std::vector<std::uint64_t> make_tasks(std::uint64_t n) { return test::make_tasks(io_, path_, n); }

  TempDir dir_;
  std::string path_ = dir_.file("tasq.journal");
  boost::asio::io_context io_;
};

TEST_F(JournalTest, NewFileGetsItsHeader) {
  auto journal = open();
  LoadResult result = test::load(io_, *journal);
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.records, 0U);
  EXPECT_EQ(result.live_tasks, 0U);
  EXPECT_EQ(journal->stats().size_bytes, format::kFileHeaderSize);
  EXPECT_EQ(std::filesystem::file_size(path_), format::kFileHeaderSize);
}

TEST_F(JournalTest, LiveTasksComeBackInOrderWithLatestAttempt) {
  {
    auto journal = open();
    ASSERT_EQ(test::load(io_, *journal).error, "");
    journal->append_task({7, 1, 0, "q1", "first"});
    journal->append_task(9, 2, 1700000000123, "q2", "second");
    journal->append_task(8, 1, 0, "q1", std::string("bin\0ary", 7));
    EXPECT_TRUE(journal->has_buffered());
    ASSERT_FALSE(journal->write());
    EXPECT_FALSE(journal->has_buffered());
    journal->append_attempt(7, 4);
    journal->append_end(9);
    journal->append_end(12345);  // unknown ids are accepted
    ASSERT_FALSE(journal->write());
    EXPECT_EQ(journal->stats().live_tasks, 2U);
    journal->close();
  }
  auto journal = open();
  LoadResult result = test::load(io_, *journal);
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.records, 6U);
  EXPECT_EQ(result.live_tasks, 2U);
  EXPECT_EQ(result.highest_id, 9U);
  EXPECT_EQ(result.torn_bytes, 0U);
  auto live = test::live_tasks(*journal);
  ASSERT_EQ(live.size(), 2U);
  EXPECT_EQ(live[0].id, 7U);
  EXPECT_EQ(live[0].attempt, 4U);
  EXPECT_EQ(live[0].queue, "q1");
  EXPECT_EQ(live[0].payload, "first");
  EXPECT_EQ(live[1].id, 8U);
  EXPECT_EQ(live[1].payload, std::string("bin\0ary", 7));
  Task extra;
  EXPECT_FALSE(journal->next_live(extra));
}

TEST_F(JournalTest, NextLiveReturnsOnlyWhatLoadFound) {
  make_tasks(3);
  auto journal = open();
  ASSERT_EQ(test::load(io_, *journal).error, "");
  Task task;
  ASSERT_TRUE(journal->next_live(task));
  EXPECT_EQ(task.id, 1U);
  // Journaled again while replaying (it moves to the back), and a new task.
  journal->append_task(task);
  journal->append_task(50, 1, 0, "q", "new");
  ASSERT_FALSE(journal->write());
  ASSERT_TRUE(journal->next_live(task));
  EXPECT_EQ(task.id, 2U);
  ASSERT_TRUE(journal->next_live(task));
  EXPECT_EQ(task.id, 3U);
  EXPECT_FALSE(journal->next_live(task));
  EXPECT_EQ(journal->stats().live_tasks, 4U);
}

TEST_F(JournalTest, DelayedTaskKeepsItsDueTime) {
  {
    auto journal = open();
    ASSERT_EQ(test::load(io_, *journal).error, "");
    journal->append_task(1, 1, 1700000000123, "later", "x");
    ASSERT_FALSE(journal->write());
  }
  auto journal = open();
  ASSERT_EQ(test::load(io_, *journal).error, "");
  auto live = test::live_tasks(*journal);
  ASSERT_EQ(live.size(), 1U);
  EXPECT_EQ(live[0].due_ms, 1700000000123);
}

TEST_F(JournalTest, PayloadLargerThanTheScanWindowRoundTrips) {
  std::string big(5 << 20, 'z');
  big[12345] = 'y';
  {
    auto journal = open();
    ASSERT_EQ(test::load(io_, *journal).error, "");
    journal->append_task(1, 1, 0, "q", big);
    journal->append_task(2, 1, 0, "q", "small");
    ASSERT_FALSE(journal->write());
  }
  auto journal = open();
  ASSERT_EQ(test::load(io_, *journal).error, "");
  auto live = test::live_tasks(*journal);
  ASSERT_EQ(live.size(), 2U);
  EXPECT_EQ(live[0].payload, big);
  EXPECT_EQ(live[1].payload, "small");
}

TEST_F(JournalTest, TornLastRecordIsCutAtEveryOffset) {
  auto starts = make_tasks(4);
  const std::string whole = test::read_file(path_);
  const std::uint64_t last = starts[3];
  ASSERT_EQ(whole.size(), starts[4]);
  for (std::uint64_t cut = last + 1; cut < whole.size(); ++cut) {
    SCOPED_TRACE("cut at " + std::to_string(cut));
    test::write_file(path_, whole.substr(0, cut));
    auto journal = open();
    LoadResult result = test::load(io_, *journal);
    EXPECT_EQ(result.error, "");
    EXPECT_EQ(result.torn_bytes, cut - last);
    EXPECT_EQ(result.live_tasks, 3U);
    EXPECT_EQ(std::filesystem::file_size(path_), last);
    auto live = test::live_tasks(*journal);
    ASSERT_EQ(live.size(), 3U);
    EXPECT_EQ(live[2].payload, test::payload_for(3));
    // And the journal goes on from the cut.
    journal->append_task(10, 1, 0, "q", "after");
    EXPECT_FALSE(journal->write());
  }
}

TEST_F(JournalTest, LastRecordFailingItsChecksumAtEofIsTorn) {
  auto starts = make_tasks(3);
  std::string bytes = test::read_file(path_);
  bytes[bytes.size() - 3] ^= 0x40;
  test::write_file(path_, bytes);
  auto journal = open();
  LoadResult result = test::load(io_, *journal);
  EXPECT_EQ(result.error, "");
  EXPECT_EQ(result.torn_bytes, starts[3] - starts[2]);
  EXPECT_EQ(result.live_tasks, 2U);
}

TEST_F(JournalTest, TornFileHeaderIsRewritten) {
  make_tasks(0);
  std::string header = test::read_file(path_);
  for (std::size_t cut = 1; cut < header.size(); ++cut) {
    test::write_file(path_, header.substr(0, cut));
    auto journal = open();
    LoadResult result = test::load(io_, *journal);
    EXPECT_EQ(result.error, "");
    EXPECT_EQ(result.torn_bytes, cut);
    EXPECT_EQ(test::read_file(path_), header);
  }
}

TEST_F(JournalTest, DamageInTheMiddleNamesTheOffsetAndLeavesTheFile) {
  auto starts = make_tasks(5);
  std::string bytes = test::read_file(path_);
  bytes[starts[2] + 20] ^= 0x01;  // inside the body of the third record
  test::write_file(path_, bytes);
  auto journal = open();
  LoadResult result = test::load(io_, *journal);
  EXPECT_NE(result.error.find("is damaged at byte " + std::to_string(starts[2]) + ": checksum"),
            std::string::npos)
      << result.error;
  EXPECT_NE(result.error.find("--check-journal"), std::string::npos);
  EXPECT_EQ(test::read_file(path_), bytes);
  // Appends are refused rather than written after damage.
  journal->append_task(99, 1, 0, "q", "x");
  EXPECT_TRUE(journal->write());
}

TEST_F(JournalTest, FlippedLengthInTheMiddleIsDamage) {
  auto starts = make_tasks(5);
  std::string bytes = test::read_file(path_);
  bytes[starts[1]] ^= 0x02;  // the length of the second record
  test::write_file(path_, bytes);
  auto journal = open();
  LoadResult result = test::load(io_, *journal);
  EXPECT_NE(result.error.find("damaged at byte " + std::to_string(starts[1])), std::string::npos)
      << result.error;
}

TEST_F(JournalTest, ForeignFileIsDamageAtByteZero) {
  test::write_file(path_, "this is not a journal at all, but a longer text file\n");
  auto journal = open();
  LoadResult result = test::load(io_, *journal);
  EXPECT_NE(result.error.find("damaged at byte 0: not a tasq journal"), std::string::npos)
      << result.error;
}

TEST_F(JournalTest, SecondOpenInTheSameProcessIsRefused) {
  auto first = open();
  try {
    auto second = open();
    FAIL() << "a second Journal on the same file opened";
  } catch (const JournalError& e) {
    EXPECT_EQ(std::string(e.what()), "journal " + path_ + " is in use by another process");
  }
  first.reset();
  EXPECT_NO_THROW(open());
}

TEST_F(JournalTest, SecondOpenInAnotherProcessIsRefused) {
  auto first = open();
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int code = 3;
    try {
      boost::asio::io_context io;
      Journal second(io, path_, FsyncPolicy::no, 1 << 20);
      code = 1;
    } catch (const JournalError& e) {
      code = std::string(e.what()).find("is in use by another process") != std::string::npos ? 0 : 2;
    }
    ::_exit(code);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(JournalTest, AlwaysSyncsOncePerTurnAndOnlyAfterWrites) {
  auto journal = open(FsyncPolicy::always);
  ASSERT_EQ(test::load(io_, *journal).error, "");
  EXPECT_FALSE(journal->sync());
  EXPECT_EQ(journal->stats().fsyncs, 0U);
  for (std::uint64_t id = 1; id <= 10; ++id) journal->append_task(id, 1, 0, "q", "x");
  ASSERT_FALSE(journal->write());
  EXPECT_FALSE(journal->sync());
  EXPECT_FALSE(journal->sync());
  EXPECT_EQ(journal->stats().fsyncs, 1U);
  journal->append_end(1);
  ASSERT_FALSE(journal->write());
  EXPECT_FALSE(journal->sync());
  EXPECT_EQ(journal->stats().fsyncs, 2U);
}

TEST_F(JournalTest, NoPolicyNeverSyncs) {
  auto journal = open(FsyncPolicy::no);
  ASSERT_EQ(test::load(io_, *journal).error, "");
  journal->append_task(1, 1, 0, "q", "x");
  ASSERT_FALSE(journal->write());
  EXPECT_FALSE(journal->sync());
  EXPECT_EQ(journal->stats().fsyncs, 0U);
  EXPECT_EQ(journal->policy(), FsyncPolicy::no);
  EXPECT_EQ(journal->path(), path_);
}

TEST_F(JournalTest, EverysecSyncsOnItsOwnThread) {
  auto journal = open(FsyncPolicy::everysec);
  ASSERT_EQ(test::load(io_, *journal).error, "");
  journal->append_task(1, 1, 0, "q", "x");
  ASSERT_FALSE(journal->write());
  EXPECT_FALSE(journal->sync());  // not the reactor's job under everysec
  EXPECT_EQ(journal->stats().fsyncs, 0U);
  bool synced = test::run_until(io_, [&] { return journal->stats().fsyncs >= 1; });
  EXPECT_TRUE(synced);
  EXPECT_EQ(journal->stats().last_write_status, "ok");
}

}  // namespace
}  // namespace tasq::journal
