// Outcomes in the journal: a task's end with its result or dead letter is
// read back at start while the server keeps it, survives compaction, and
// goes when it is forgotten, released or the task runs again.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "journal_test_support.h"
#include "record_format.h"
#include "tasq/journal/journal.h"

namespace tasq::journal {
namespace {

using test::TempDir;

Outcome completed(std::uint64_t id, std::string result) {
  Outcome out;
  out.id = id;
  out.attempts = 1;
  out.enqueued_ms = 1000;
  out.started_ms = 1001;
  out.entry_ms = 1002;
  out.entry_seq = id;
  out.queue = "q";
  out.result = std::move(result);
  return out;
}

Outcome dead(std::uint64_t id) {
  Outcome out = completed(id, "");
  out.dead = true;
  out.keeps_letter = true;
  out.attempts = 3;
  out.error = "exit code 1";
  out.payload = "payload " + std::to_string(id);
  return out;
}

class JournalOutcome : public ::testing::Test {
 protected:
  std::unique_ptr<Journal> open(std::uint64_t rewrite_min = 1ULL << 40) {
    auto journal = std::make_unique<Journal>(io_, path_, FsyncPolicy::no, rewrite_min);
    last_load_ = test::load(io_, *journal);
    EXPECT_EQ(last_load_.error, "");
    return journal;
  }
  std::vector<Outcome> outcomes(Journal& journal) {
    std::vector<Outcome> out;
    Outcome one;
    while (journal.next_outcome(one)) out.push_back(one);
    return out;
  }

  TempDir dir_;
  std::string path_ = dir_.file("tasq.journal");
  boost::asio::io_context io_;
  LoadResult last_load_;
};

TEST(OutcomeFormat, DecodesBack) {
  std::string out;
  format::append_outcome(out, 9, format::kOutcomeDead | format::kOutcomeKeepsLetter, 3, -1, 2, 77,
                         5, "mail", "", std::string("e\0rr", 4), "pay");
  auto header = format::parse_frame_header(out.data());
  std::string_view body(out.data() + format::kFrameHeaderSize, header.body_len);
  format::TaskView task;
  format::OutcomeView outcome;
  std::uint64_t id = 0;
  std::uint32_t attempt = 0;
  ASSERT_EQ(format::decode_body(header.type, body, header.body_len, task, id, attempt, &outcome),
            "");
  EXPECT_EQ(id, 9u);
  EXPECT_EQ(outcome.flags, format::kOutcomeDead | format::kOutcomeKeepsLetter);
  EXPECT_EQ(outcome.attempts, 3u);
  EXPECT_EQ(outcome.enqueued_ms, -1);
  EXPECT_EQ(outcome.entry_ms, 77u);
  EXPECT_EQ(outcome.entry_seq, 5u);
  EXPECT_EQ(outcome.queue, "mail");
  EXPECT_EQ(outcome.error, std::string("e\0rr", 4));
  EXPECT_EQ(outcome.payload, "pay");
  // Lengths that claim more than the body holds are damage.
  format::put_u32(out.data() + format::kFrameHeaderSize + 50, 1000);
  EXPECT_NE(format::decode_body(header.type, body, header.body_len, task, id, attempt, &outcome),
            "");
}

TEST_F(JournalOutcome, ReadBackAtStartAndTheTaskIsNoLongerLive) {
  {
    auto journal = open();
    journal->append_task(1, 1, 0, "q", "a");
    journal->append_task(2, 1, 0, "q", "b");
    journal->append_task(3, 1, 0, "q", "c");
    ASSERT_FALSE(journal->write());
    journal->append_outcome(completed(1, std::string("r\0esult", 7)));
    journal->append_outcome(dead(2));
    ASSERT_FALSE(journal->write());
    EXPECT_EQ(journal->stats().live_tasks, 1u);
    EXPECT_EQ(journal->stats().live_outcomes, 2u);
  }
  auto journal = open();
  EXPECT_EQ(last_load_.live_tasks, 1u);
  EXPECT_EQ(last_load_.live_outcomes, 2u);
  auto tasks = test::live_tasks(*journal);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].id, 3u);
  auto back = outcomes(*journal);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].id, 1u);
  EXPECT_FALSE(back[0].dead);
  EXPECT_TRUE(back[0].keeps_result);
  EXPECT_EQ(back[0].result, std::string("r\0esult", 7));
  EXPECT_EQ(back[0].entry_seq, 1u);
  EXPECT_EQ(back[1].id, 2u);
  EXPECT_TRUE(back[1].dead);
  EXPECT_TRUE(back[1].keeps_letter);
  EXPECT_EQ(back[1].payload, "payload 2");
  EXPECT_EQ(back[1].error, "exit code 1");
  EXPECT_EQ(back[1].attempts, 3u);
}

TEST_F(JournalOutcome, ForgetReleaseAndRetry) {
  {
    auto journal = open();
    for (std::uint64_t id = 1; id <= 4; ++id) journal->append_task(id, 1, 0, "q", "x");
    journal->append_outcome(completed(1, "one"));
    journal->append_outcome(dead(2));
    journal->append_outcome(dead(3));
    journal->append_outcome(completed(4, "four"));
    ASSERT_FALSE(journal->write());
    journal->append_forget(1);                    // DEL tasq:result:1
    journal->append_forget(2);                    // DEL of a dead result: its letter stays
    journal->append_task(3, 1, 0, "q", "again");  // retry of 3
    ASSERT_FALSE(journal->write());
  }
  auto journal = open();
  auto back = outcomes(*journal);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].id, 2u);
  EXPECT_FALSE(back[0].keeps_result);
  EXPECT_TRUE(back[0].keeps_letter);
  EXPECT_EQ(back[1].id, 4u);
  auto tasks = test::live_tasks(*journal);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].payload, "again");
  // Released in memory: a compaction leaves them out.
  journal->release_outcome(4, true, false);
  journal->release_outcome(2, false, true);
  EXPECT_EQ(journal->stats().live_outcomes, 0u);
}

TEST_F(JournalOutcome, ReleasedBeforeItsWriteReachesTheFileAsReleased) {
  {
    auto journal = open();
    journal->append_task(5, 1, 0, "q", "x");
    journal->append_outcome(dead(5));
    Outcome kept = completed(6, "six");
    journal->append_outcome(kept);
    journal->release_outcome(5, true, true);
    ASSERT_FALSE(journal->write());
  }
  auto journal = open();
  auto back = outcomes(*journal);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].id, 6u);
  EXPECT_TRUE(test::live_tasks(*journal).empty()) << "the outcome still ended task 5";
}

// A full result store evicts one result per end, so a batch sees releases
// between its appends: of outcomes in the batch before and after the first
// release, and of outcomes written in an earlier batch.
TEST_F(JournalOutcome, ReleasesAmongABatchsAppendsReachTheFileAsReleased) {
  {
    auto journal = open();
    for (std::uint64_t id = 1; id <= 100; ++id) journal->append_outcome(completed(id, "early"));
    ASSERT_FALSE(journal->write());
    for (std::uint64_t id = 101; id <= 600; ++id) journal->append_outcome(completed(id, "x"));
    journal->release_outcome(3, true, false);  // in the file already
    for (std::uint64_t id = 601; id <= 1100; ++id) journal->append_outcome(completed(id, "y"));
    for (std::uint64_t id = 102; id <= 1100; id += 2) journal->release_outcome(id, true, false);
    journal->release_outcome(5, true, false);
    ASSERT_FALSE(journal->write());
    // 3 and 5 were in the file: released in memory, for compaction to drop.
    EXPECT_EQ(journal->stats().live_outcomes, 100u - 2u + 500u);
  }
  auto journal = open();
  std::vector<std::uint64_t> kept;
  for (const auto& outcome : outcomes(*journal)) kept.push_back(outcome.id);
  std::vector<std::uint64_t> expected;
  for (std::uint64_t id = 1; id <= 1100; ++id) {
    if (id >= 102 && id % 2 == 0) continue;
    expected.push_back(id);
  }
  EXPECT_EQ(kept, expected);
}

TEST_F(JournalOutcome, ReleaseAfterTheTaskWasJournaledAgainInTheBatchKeepsTheTask) {
  {
    auto journal = open();
    journal->append_task(7, 1, 0, "q", "first");
    ASSERT_FALSE(journal->write());
    journal->append_outcome(dead(7));
    journal->release_outcome(8, true, false);  // indexes the batch
    journal->append_task(7, 1, 0, "q", "again");  // sent back from the dead letters
    journal->release_outcome(7, false, true);
    ASSERT_FALSE(journal->write());
  }
  auto journal = open();
  auto tasks = test::live_tasks(*journal);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].payload, "again");
}

TEST_F(JournalOutcome, CompactionKeepsWhatIsKeptAsItIsKept) {
  {
    auto journal = open(4096);  // rewrite as soon as the file is past 4 KiB and twice live
    for (std::uint64_t id = 1; id <= 3; ++id) journal->append_task(id, 1, 0, "q", "x");
    journal->append_outcome(completed(1, "one"));
    journal->append_outcome(dead(2));
    journal->append_outcome(completed(3, "three"));
    ASSERT_FALSE(journal->write());
    journal->append_forget(2);  // the letter alone stays: the copy must say so
    journal->release_outcome(3, true, false);
    ASSERT_FALSE(journal->write());
    // Churn until a compaction has run.
    std::uint64_t id = 100;
    ASSERT_TRUE(test::run_until(io_, [&] {
      if (journal->stats().rewrites > 0 && !journal->stats().rewrite_in_progress) return true;
      journal->append_task(id, 1, 0, "q", std::string(200, 'p'));
      journal->append_end(id++);
      EXPECT_FALSE(journal->write());
      return false;
    }));
    EXPECT_EQ(journal->stats().live_outcomes, 2u);
  }
  auto journal = open();
  auto back = outcomes(*journal);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].id, 1u);
  EXPECT_EQ(back[0].result, "one");
  EXPECT_EQ(back[1].id, 2u);
  EXPECT_FALSE(back[1].keeps_result) << "the forget survived the copy in the flags";
  EXPECT_TRUE(back[1].keeps_letter);
  EXPECT_EQ(back[1].payload, "payload 2");
}

TEST_F(JournalOutcome, AnOutcomeKeepingNothingOnlyEndsTheTask) {
  {
    auto journal = open();
    journal->append_task(1, 1, 0, "q", "x");
    Outcome nothing = completed(1, "r");
    nothing.keeps_result = false;
    journal->append_outcome(nothing);
    ASSERT_FALSE(journal->write());
    EXPECT_EQ(journal->stats().live_outcomes, 0u);
    EXPECT_EQ(journal->stats().live_tasks, 0u);
  }
  auto journal = open();
  EXPECT_TRUE(outcomes(*journal).empty());
  EXPECT_TRUE(test::live_tasks(*journal).empty());
}

}  // namespace
}  // namespace tasq::journal
