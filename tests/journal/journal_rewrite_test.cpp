// Compaction: the rewritten file holds exactly the live set, appends made
// while it runs survive the switch, and a rewrite cut short by a crash
// leaves a journal that loads.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <map>

#include "journal_impl.h"
#include "journal_test_support.h"

namespace tasq::journal {
namespace {

struct Expected {
  std::uint32_t attempt;
  std::string payload;
};
using Model = std::map<std::uint64_t, Expected>;

void expect_live(Journal& journal, const Model& model) {
  auto live = test::live_tasks(journal);
  ASSERT_EQ(live.size(), model.size());
  auto it = model.begin();
  for (const auto& task : live) {
    EXPECT_EQ(task.id, it->first);  // ids were journaled in ascending order
    EXPECT_EQ(task.attempt, it->second.attempt) << task.id;
    EXPECT_EQ(task.payload, it->second.payload) << task.id;
    ++it;
  }
}

class JournalRewrite : public ::testing::Test {
 protected:
  void TearDown() override { set_rewrite_copy_hook(nullptr); }

  /// Appends tasks [from, to) in batches of 100, ending all but every tenth.
  void churn(Journal& journal, std::uint64_t from, std::uint64_t to) {
    for (std::uint64_t id = from; id < to; ++id) {
      journal.append_task(id, 1, 0, "q", test::payload_for(id));
      model_[id] = {1, test::payload_for(id)};
      if ((id + 1) % 100 == 0) {
        ASSERT_FALSE(journal.write());
      }
    }
    ASSERT_FALSE(journal.write());
    for (std::uint64_t id = from; id < to; ++id) {
      if (id % 10 == 0) continue;
      journal.append_end(id);
      model_.erase(id);
      if (id % 100 == 0) {
        ASSERT_FALSE(journal.write());
      }
    }
    ASSERT_FALSE(journal.write());
  }

  test::TempDir dir_;
  std::string path_ = dir_.file("tasq.journal");
  boost::asio::io_context io_;
  Model model_;
};

TEST_F(JournalRewrite, AppendsDuringTheRewriteSurviveTheSwitch) {
  // The first rewrite's thread waits at the hook until the reactor has
  // appended, ended and retried tasks that it is copying.
  std::promise<void> reached;
  std::promise<void> release;
  auto release_future = release.get_future().share();
  bool first = true;
  set_rewrite_copy_hook([&, release_future] {
    if (!first) return;
    first = false;
    reached.set_value();
    release_future.wait();
  });
  {
    Journal journal(io_, path_, FsyncPolicy::everysec, 64 << 10);
    ASSERT_EQ(test::load(io_, journal).error, "");
    churn(journal, 1, 10001);
    ASSERT_TRUE(journal.stats().rewrite_in_progress);
    ASSERT_EQ(reached.get_future().wait_for(std::chrono::seconds(20)), std::future_status::ready);

    // Meanwhile: new tasks (enough that the thread catches up in rounds),
    // ends and attempts of tasks the thread is copying, ends of unknown ids.
    churn(journal, 10001, 14001);
    for (std::uint64_t id = 10; id <= 2000; id += 20) {
      journal.append_end(id);
      model_.erase(id);
    }
    for (std::uint64_t id = 2010; id <= 4000; id += 20) {
      journal.append_attempt(id, 3);
      model_[id].attempt = 3;
    }
    journal.append_end(999999);
    ASSERT_FALSE(journal.write());
    release.set_value();
    ASSERT_TRUE(test::run_until(io_, [&] { return !journal.stats().rewrite_in_progress; }));
    Stats stats = journal.stats();
    EXPECT_GE(stats.rewrites, 1U);
    EXPECT_EQ(stats.live_tasks, model_.size());
    EXPECT_EQ(stats.size_bytes, std::filesystem::file_size(path_));
    EXPECT_FALSE(std::filesystem::exists(path_ + ".rewrite"));

    // A second round: the next rewrite copies from the rebased offsets and
    // checks every checksum, so a wrong rebase would fail it.
    std::uint64_t before = stats.rewrites;
    churn(journal, 14001, 24001);
    ASSERT_TRUE(test::run_until(io_, [&] { return !journal.stats().rewrite_in_progress; }));
    EXPECT_GT(journal.stats().rewrites, before);
    EXPECT_EQ(journal.stats().last_write_status, "ok");
    journal.close();
  }
  Journal journal(io_, path_, FsyncPolicy::no, 64 << 10);
  LoadResult result = test::load(io_, journal);
  ASSERT_EQ(result.error, "");
  EXPECT_EQ(result.torn_bytes, 0U);
  EXPECT_EQ(result.live_tasks, model_.size());
  expect_live(journal, model_);
}

TEST_F(JournalRewrite, CloseFinishesARunningRewrite) {
  Journal journal(io_, path_, FsyncPolicy::no, 16 << 10);
  ASSERT_EQ(test::load(io_, journal).error, "");
  churn(journal, 1, 3001);
  // No io_.run(): close() must complete it without the reactor.
  journal.close();
  EXPECT_FALSE(std::filesystem::exists(path_ + ".rewrite"));
  boost::asio::io_context io;
  Journal again(io, path_, FsyncPolicy::no, 16 << 10);
  ASSERT_EQ(test::load(io, again).error, "");
  expect_live(again, model_);
}

TEST_F(JournalRewrite, CrashMidRewriteLeavesALoadableJournal) {
  {
    Journal journal(io_, path_, FsyncPolicy::no, 1ULL << 40);
    ASSERT_EQ(test::load(io_, journal).error, "");
    churn(journal, 1, 2001);
  }
  const std::uint64_t size_before = std::filesystem::file_size(path_);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child reopens with a low threshold, appends, and dies inside the
    // rewrite with PATH.rewrite half made.
    set_rewrite_copy_hook([] { ::_exit(0); });
    boost::asio::io_context io;
    Journal journal(io, path_, FsyncPolicy::no, 1024);
    auto result = test::load(io, journal);
    if (!result.error.empty()) ::_exit(2);
    journal.append_end(5000);  // an unknown id: triggers the rewrite check
    if (journal.write()) ::_exit(3);
    for (int i = 0; i < 2000; ++i) ::usleep(10000);
    ::_exit(4);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  ASSERT_TRUE(std::filesystem::exists(path_ + ".rewrite"));
  EXPECT_GT(std::filesystem::file_size(path_), size_before);

  // Also a leftover that is plain garbage.
  Journal journal(io_, path_, FsyncPolicy::no, 1ULL << 40);
  EXPECT_FALSE(std::filesystem::exists(path_ + ".rewrite"));
  LoadResult result = test::load(io_, journal);
  ASSERT_EQ(result.error, "");
  expect_live(journal, model_);
}

TEST_F(JournalRewrite, GarbageRewriteLeftoverIsRemovedAtOpen) {
  {
    Journal journal(io_, path_, FsyncPolicy::no, 1ULL << 40);
    ASSERT_EQ(test::load(io_, journal).error, "");
    churn(journal, 1, 201);
  }
  test::write_file(path_ + ".rewrite", "TASQJRNL half a file");
  Journal journal(io_, path_, FsyncPolicy::no, 1ULL << 40);
  EXPECT_FALSE(std::filesystem::exists(path_ + ".rewrite"));
  ASSERT_EQ(test::load(io_, journal).error, "");
  expect_live(journal, model_);
}

}  // namespace
}  // namespace tasq::journal
