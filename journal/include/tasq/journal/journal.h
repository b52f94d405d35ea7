#pragma once
// The task journal: an append-only file of framed, checksummed records that
// the master writes before it acknowledges a push, so that every task still
// queued when tasqd or the machine stops is put back at the next start.
//
// Records: a task (id, queue, attempt, due time, payload), a new attempt of a
// task (after a failure), and a task's end (completed, dead-lettered or
// cancelled). A task is live from its task record until its end record.
//
// Threads: every method runs on the reactor's thread. The journal runs its
// own helpers (the scan at start, the once-a-second fsync, the rewrite) on
// threads of its own and reports back through the io_context.

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace tasq::journal {

/// When written records reach the disk (Redis's appendfsync).
enum class FsyncPolicy : std::uint8_t { always, everysec, no };

/// A task as the journal holds it. `due_ms` is the unix time in
/// milliseconds when a delayed task falls due; 0 for a task to run now.
struct Task {
  std::uint64_t id = 0;
  std::uint32_t attempt = 1;
  std::int64_t due_ms = 0;
  std::string queue;
  std::string payload;
};

/// The journal cannot be opened or read: locked by another process, damaged
/// in the middle (the message names the byte offset), unreadable.
class JournalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Stats {
  std::uint64_t size_bytes = 0;    ///< the file's size
  std::uint64_t live_tasks = 0;    ///< tasks without an end
  std::uint64_t live_bytes = 0;    ///< bytes of their current records
  std::uint64_t rewrites = 0;      ///< compactions completed since start
  bool rewrite_in_progress = false;
  std::uint64_t fsyncs = 0;        ///< fdatasync calls made since start (group commit: one a turn)
  std::string last_write_status = "ok";  ///< "ok", or why the last write or fsync failed
};

/// What load() found.
struct LoadResult {
  std::uint64_t records = 0;      ///< whole records read
  std::uint64_t live_tasks = 0;   ///< tasks without an end, ready for next_live()
  std::uint64_t highest_id = 0;   ///< of every task or ids record seen
  std::uint64_t torn_bytes = 0;   ///< a torn last record cut off (0 = none)
  std::string torn_saved_to;      ///< where those bytes were kept, when there were any
  /// Live tasks whose payload is over load()'s `max_payload`: they could not
  /// enter the ring. The largest such payload, and the id of a task with it.
  std::uint64_t oversized_tasks = 0;
  std::uint64_t largest_oversized = 0;
  std::uint64_t oversized_id = 0;
  std::string error;              ///< non-empty: damage in the middle (names the offset) or I/O
};

class Journal {
 public:
  /// Opens `path` (creating it, and then fsyncing its directory) and takes
  /// an exclusive lock on it; throws JournalError when another process holds
  /// it ("... is in use by another process") or it cannot be opened. The
  /// file is made mode 0600 whatever the umask (or its mode) was. Leftovers
  /// of an interrupted rewrite are removed.
  Journal(boost::asio::io_context& io, std::string path, FsyncPolicy policy,
          std::uint64_t rewrite_min_size);
  ~Journal();
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;

  // ----- at start, before any append

  /// Reads the whole file on a thread of its own (the reactor stays free to
  /// answer), cuts a torn last record off once its bytes are saved in
  /// PATH.torn-OFFSET (logged as a warning; not cut when they cannot be
  /// saved), and calls `done` on the reactor's thread. Live tasks with a
  /// payload over `max_payload` are counted in the result.
  void load(std::function<void(const LoadResult&)> done,
            std::uint64_t max_payload = std::numeric_limits<std::uint64_t>::max());

  /// The live tasks found by load(), one per call, in the order they were
  /// first journaled, with their latest attempt; false after the last.
  /// Payloads are read back from the file as they are asked for, so memory
  /// stays bounded by the index, not by the payloads. Tasks appended after
  /// load() are not returned, even one journaled again while replaying.
  bool next_live(Task& out);

  // ----- appends (buffered until write())

  void append_task(const Task& task);
  /// Same, without copying into a Task first.
  void append_task(std::uint64_t id, std::uint32_t attempt, std::int64_t due_ms,
                   std::string_view queue, std::string_view payload);
  /// A live task's attempt number changed (it failed and will run again).
  void append_attempt(std::uint64_t id, std::uint32_t attempt);
  /// A task ended for good: completed, dead-lettered or cancelled. Ends of
  /// unknown ids are accepted and ignored at replay.
  void append_end(std::uint64_t id);
  /// Every id up to `id` may be handed out before the records that use it
  /// are written: load() reports at least it as highest_id, so that ids a
  /// crash left unrecorded (a task that ran but was never acknowledged) are
  /// never given to another task. Kept across rewrites.
  void append_ids(std::uint64_t id);

  /// True when appends are waiting for write().
  [[nodiscard]] bool has_buffered() const;

  /// Writes every buffered record with one write(2). On failure the file is
  /// cut back to its last whole record, the task records of this batch are
  /// dropped (their pushes must not be acknowledged), attempt and end
  /// records are kept for the next write, and last_write_status says why;
  /// the next successful write sets it back to "ok". Before load() has
  /// reported without error (or after close()) it writes nothing and fails
  /// with operation_not_permitted: appending after an unchecked tail could
  /// bury a torn record in the middle.
  std::error_code write();

  /// For `always`: fdatasync once for everything written so far (the group
  /// commit of a reactor turn). No-op when nothing was written since the
  /// last sync. Under the other policies it does nothing.
  std::error_code sync();

  /// Writes what is buffered, waits for a running rewrite, fsyncs; at shutdown.
  void close();

  [[nodiscard]] FsyncPolicy policy() const;
  [[nodiscard]] const std::string& path() const;
  [[nodiscard]] Stats stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

/// `tasqd --check-journal FILE [--fix]`: reads FILE without locking it for
/// long, prints what it holds (records, live tasks, highest id) and any
/// damage with its byte offset to `out`; with `fix`, cuts the file at the
/// first damaged record, once the bytes cut are saved in PATH.cut-OFFSET.
/// Returns the process exit code: 0 sound (or fixed), 1 damaged, 2 unreadable.
int check_file(const std::string& path, bool fix, std::FILE* out);

}  // namespace tasq::journal
