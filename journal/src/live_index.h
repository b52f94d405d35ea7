#pragma once
// Internal: the live tasks of a journal, in the order they were first
// journaled, with where their task record lies. About 70 bytes per live task
// (a 32-byte entry plus a hash node): payloads stay on disk.

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace tasq::journal {

struct LiveEntry {
  std::uint64_t id = 0;
  std::uint64_t offset = 0;      ///< of the task record's frame in the file
  std::uint32_t frame_len = 0;   ///< 0 marks an ended entry awaiting compaction
  std::uint32_t attempt = 1;     ///< the latest, from an attempt record if any
  std::int64_t due_ms = 0;
};

class LiveIndex {
 public:
  /// A task record: the task is live from now on. A second record of a live
  /// id replaces the first (and moves to the back: offsets stay ascending,
  /// which the rewrite's rebase relies on).
  void add(const LiveEntry& entry);
  /// False when `id` is not live (an attempt of an ended or unknown task).
  bool set_attempt(std::uint64_t id, std::uint32_t attempt);
  /// False when `id` is not live; ends of unknown ids are normal.
  bool end(std::uint64_t id);

  [[nodiscard]] std::size_t live() const { return slots_.size(); }
  [[nodiscard]] std::uint64_t live_bytes() const { return live_bytes_; }

  /// The next live entry after the previous call's, or nullptr at the end.
  const LiveEntry* next();
  /// Steps next() back by one entry, so that it returns it again.
  void rewind_one() {
    if (cursor_ > 0) --cursor_;
  }

  /// Calls f(entry) for every live entry in order, allowing it to change the
  /// offset (the rewrite's rebase) but nothing else.
  template <typename F>
  void for_each(F&& f) {
    for (auto& entry : entries_) {
      if (entry.frame_len != 0) f(entry);
    }
  }

 private:
  void compact();

  std::vector<LiveEntry> entries_;
  std::unordered_map<std::uint64_t, std::size_t> slots_;  // id -> index in entries_
  std::size_t dead_ = 0;
  std::size_t cursor_ = 0;  // for next()
  std::uint64_t live_bytes_ = 0;
};

}  // namespace tasq::journal
