// A write that fails (here: past RLIMIT_FSIZE, as a full disk would) is cut
// back to the last whole record, refuses this batch's tasks, keeps its ends,
// and the journal recovers once writes succeed again.

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>

#include "journal_test_support.h"

namespace tasq::journal {
namespace {

using test::FileSizeLimit;

TEST(JournalWriteFailure, FailedBatchIsCutBackAndRecovers) {
  test::TempDir dir;
  std::string path = dir.file("tasq.journal");
  boost::asio::io_context io;
  {
    Journal journal(io, path, FsyncPolicy::always, 1ULL << 40);
    ASSERT_EQ(test::load(io, journal).error, "");
    for (std::uint64_t id = 1; id <= 3; ++id) journal.append_task(id, 1, 0, "q", test::payload_for(id));
    ASSERT_FALSE(journal.write());
    const std::uint64_t good = journal.stats().size_bytes;
    {
      // Room for part of the batch: the write is partial, then fails.
      FileSizeLimit limit(good + 150);
      for (std::uint64_t id = 4; id <= 8; ++id) {
        journal.append_task(id, 1, 0, "q", test::payload_for(id));
      }
      journal.append_end(1);
      journal.append_attempt(2, 5);
      auto ec = journal.write();
      ASSERT_TRUE(ec);
      EXPECT_EQ(ec.value(), EFBIG);
      Stats stats = journal.stats();
      EXPECT_EQ(stats.last_write_status, std::strerror(EFBIG));
      EXPECT_EQ(stats.size_bytes, good);
      EXPECT_EQ(std::filesystem::file_size(path), good);
      EXPECT_EQ(stats.live_tasks, 3U);
      EXPECT_TRUE(journal.has_buffered());  // the end and the attempt wait

      // Still failing: a one-task batch that does not fit either.
      journal.append_task(9, 1, 0, "q", std::string(400, 'x'));
      EXPECT_TRUE(journal.write());
      EXPECT_EQ(std::filesystem::file_size(path), good);
    }
    // The limit is lifted: the kept records go out and the status clears.
    journal.append_task(10, 1, 0, "q", "after");
    ASSERT_FALSE(journal.write());
    EXPECT_FALSE(journal.sync());
    EXPECT_EQ(journal.stats().last_write_status, "ok");
    EXPECT_EQ(journal.stats().live_tasks, 3U);  // 2, 3, 10
    journal.close();
  }
  Journal journal(io, path, FsyncPolicy::no, 1ULL << 40);
  LoadResult result = test::load(io, journal);
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.torn_bytes, 0U);
  auto live = test::live_tasks(journal);
  ASSERT_EQ(live.size(), 3U);
  EXPECT_EQ(live[0].id, 2U);
  EXPECT_EQ(live[0].attempt, 5U);
  EXPECT_EQ(live[1].id, 3U);
  EXPECT_EQ(live[2].id, 10U);
  EXPECT_EQ(result.highest_id, 10U);
}

}  // namespace
}  // namespace tasq::journal
