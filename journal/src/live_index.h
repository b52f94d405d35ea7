#pragma once
// Internal: the live records of a journal — tasks without an end, and the
// outcomes the server still keeps — in the order they were journaled, with
// where their record lies. About 80 bytes per entry (a 40-byte entry plus a
// hash node): payloads and results stay on disk.

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace tasq::journal {

struct LiveEntry {
  std::uint64_t id = 0;
  std::uint64_t offset = 0;     ///< of the record's frame in the file
  std::uint32_t frame_len = 0;  ///< 0 marks an ended entry awaiting compaction
  std::uint32_t attempt = 1;    ///< a task's latest, from an attempt record if any
  std::int64_t due_ms = 0;
  bool outcome = false;            ///< an outcome record, not a task record
  std::uint8_t outcome_flags = 0;  ///< format::OutcomeFlag: what is still kept of it
};

class LiveIndex {
 public:
  /// A task or outcome record: live from now on. A second record of a live
  /// id replaces the first (and moves to the back: offsets stay ascending,
  /// which the rewrite's rebase relies on). An outcome that keeps nothing
  /// only ends the task.
  void add(const LiveEntry& entry);
  /// False when `id` is not a live task (an attempt of an ended or unknown task).
  bool set_attempt(std::uint64_t id, std::uint32_t attempt);
  /// False when `id` is not live; ends of unknown ids are normal.
  bool end(std::uint64_t id);
  /// Clears `flags` (keep bits) of the outcome of `id`; it goes when it
  /// keeps nothing more. False when `id` has no live outcome.
  bool release(std::uint64_t id, std::uint8_t flags);

  [[nodiscard]] std::size_t live() const { return slots_.size() - outcomes_; }
  [[nodiscard]] std::size_t live_outcomes() const { return outcomes_; }
  [[nodiscard]] std::uint64_t live_bytes() const { return live_bytes_; }

  /// The next live task after the previous call's, or nullptr at the end.
  const LiveEntry* next();
  /// Steps next() back by one entry, so that it returns it again.
  void rewind_one() {
    if (cursor_ > 0) --cursor_;
  }
  /// The next live outcome, with a cursor of its own; nullptr at the end.
  const LiveEntry* next_outcome();

  /// Calls f(entry) for every live entry in order, allowing it to change the
  /// offset (the rewrite's rebase) but nothing else.
  template <typename F>
  void for_each(F&& f) {
    for (auto& entry : entries_) {
      if (entry.frame_len != 0) f(entry);
    }
  }

 private:
  void remove(std::size_t slot);
  void compact();

  std::vector<LiveEntry> entries_;
  std::unordered_map<std::uint64_t, std::size_t> slots_;  // id -> index in entries_
  std::size_t outcomes_ = 0;
  std::size_t dead_ = 0;
  std::size_t cursor_ = 0;          // for next()
  std::size_t outcome_cursor_ = 0;  // for next_outcome()
  std::uint64_t live_bytes_ = 0;
};

}  // namespace tasq::journal
