#pragma once
// Internal: the journal's state. One object owned by the reactor's thread;
// its methods are spread over journal_*.cpp by concern:
//   journal_file.cpp     open, lock, close, stats, the public facade
//   journal_load.cpp     the start-up scan on its own thread, next_live()
//   journal_append.cpp   appends, write(), sync(), the everysec thread
//   journal_rewrite.cpp  compaction off the reactor thread, the atomic switch
// Helper threads touch only what is marked for them below; they report back
// by posting to the io_context, guarded by `alive_` in case the journal is
// gone by then.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "live_index.h"
#include "record_format.h"
#include "tasq/journal/journal.h"

namespace tasq::journal {

struct RewriteJob;

class Journal::Impl {
 public:
  Impl(boost::asio::io_context& io, std::string path, FsyncPolicy policy,
       std::uint64_t rewrite_min_size);
  ~Impl();
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  // journal_load.cpp
  void load(std::function<void(const LoadResult&)> done, std::uint64_t max_payload);
  bool next_live(Task& out);
  bool next_outcome(Outcome& out);
  /// The whole frame of a live entry, read through the readahead window;
  /// throws JournalError when it is no longer the record the index says.
  std::string_view read_live_frame(const LiveEntry& entry);

  // journal_append.cpp
  void append_task(std::uint64_t id, std::uint32_t attempt, std::int64_t due_ms,
                   std::string_view queue, std::string_view payload);
  void append_attempt(std::uint64_t id, std::uint32_t attempt);
  void append_end(std::uint64_t id);
  void append_ids(std::uint64_t id);
  void append_outcome(const Outcome& outcome);
  void append_forget(std::uint64_t id);
  void release_outcome(std::uint64_t id, bool result, bool letter);
  /// Puts pending_[at] in pending_last_ when it is a task or outcome record.
  void index_pending(std::size_t at);
  std::error_code write();
  std::error_code sync();
  void start_sync_thread();
  void stop_sync_thread();

  // journal_rewrite.cpp
  void maybe_start_rewrite();
  void finish_rewrite();
  /// Waits for a running rewrite's thread; completes the switch if it
  /// succeeded (at close(), when the reactor may no longer run posts).
  void settle_rewrite();

  // journal_file.cpp
  void close();
  [[nodiscard]] Stats stats() const;
  void set_write_status(const std::string& status);

  boost::asio::io_context& io_;
  const std::string path_;
  const FsyncPolicy policy_;
  const std::uint64_t rewrite_min_size_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);

  // The file. fd_ changes only on the reactor (rewrite switch, close), under
  // fd_mutex_, which the everysec thread holds while it uses fd_.
  int fd_ = -1;
  std::mutex fd_mutex_;
  std::uint64_t file_size_ = 0;       ///< end of the last whole record written
  std::atomic<std::uint64_t> published_end_{0};  ///< file_size_, for the rewrite thread
  bool truncate_pending_ = false;     ///< a failed write left bytes past file_size_
  bool loaded_ = false;
  bool closing_ = false;
  bool closed_ = false;
  std::thread load_thread_;

  // Appends waiting for write(): the framed bytes, and what each record does
  // to the index once it is written.
  struct Pending {
    format::RecordType type;
    std::uint64_t id;
    std::uint32_t attempt;
    std::int64_t due_ms;
    std::uint8_t flags;  ///< an outcome's
    std::size_t offset;  ///< in buffer_
    std::size_t size;
  };
  std::string buffer_;
  std::vector<Pending> pending_;
  /// id -> where in pending_ its last task or outcome record is, so that
  /// release_outcome, called for each result evicted while a batch fills,
  /// need not walk the batch. Built by the first release of a batch, so
  /// that a batch without one pays nothing.
  std::unordered_map<std::uint64_t, std::size_t> pending_last_;
  bool pending_indexed_ = false;
  LiveIndex index_;
  /// The highest id written (a task's, or an ids record's): a rewrite
  /// carries it over so ids never go back, even when no task is live.
  std::uint64_t id_mark_ = 0;
  std::string readahead_;  ///< next_live()'s window of the file
  /// Where the records load() found end: next_live() stops there, so a task
  /// journaled again while replaying (moved to the back) is not seen twice.
  std::uint64_t replay_end_ = 0;
  std::uint64_t readahead_at_ = 0;

  std::string last_write_status_ = "ok";
  std::uint64_t rewrites_ = 0;

  // Durability: set after each write, cleared by the fdatasync that covers it.
  std::atomic<bool> dirty_{false};
  std::atomic<std::uint64_t> fsyncs_{0};
  std::uint64_t writes_ = 0;  ///< batches written (reactor thread only)
  std::thread sync_thread_;
  std::mutex sync_mutex_;
  std::condition_variable sync_wake_;
  bool sync_stop_ = false;

  // Compaction.
  std::unique_ptr<RewriteJob> rewrite_;
  std::thread rewrite_thread_;
  std::chrono::steady_clock::time_point rewrite_retry_after_{};
};

/// Test hook: called on the rewrite thread once the live records are
/// copied, before it catches up with the tail (tests make it wait).
void set_rewrite_copy_hook(std::function<void()> hook);

}  // namespace tasq::journal
