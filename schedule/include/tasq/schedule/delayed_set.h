#pragma once
// Delayed tasks held until due: a min-heap on (due, id) for "what is next",
// and an index on (queue, payload) for ZADD's dedupe and ZREM, as a Redis
// sorted set is both. Every operation is O(1) or O(log n); nothing scans.
// The structures themselves live in the source file (an open-addressing
// table from Abseil among them), so that users of this header need nothing
// but the standard library.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

namespace tasq::schedule {

/// One scheduled task as the owner sees it. Views stay valid until the task
/// leaves the set (pop or remove).
struct DelayedTaskView {
  std::uint64_t id;
  std::string_view queue;
  std::string_view payload;
  std::int64_t due_ms;  ///< unix time in milliseconds
};

class DelayedSet {
 public:
  enum class Change : std::uint8_t {
    added,      ///< a new task, with the id given
    moved,      ///< already scheduled: its due time changed, its id kept
    unchanged,  ///< already scheduled: same due time, or NX kept it
  };
  struct AddResult {
    std::uint64_t id;
    Change change;
  };
  /// Hashes a payload or a queue name. The default is a good 32-bit hash;
  /// tests pass a poor one to make every entry collide.
  using Hash = std::uint32_t (*)(std::string_view bytes);
  static std::uint32_t default_hash(std::string_view bytes);

  explicit DelayedSet(Hash hash = &default_hash);
  ~DelayedSet();
  DelayedSet(const DelayedSet&) = delete;
  DelayedSet& operator=(const DelayedSet&) = delete;

  /// Schedules `payload` on `queue` at `due_ms`. When that payload is already
  /// scheduled on that queue, nothing is added: its due time moves to
  /// `due_ms` (unless `keep_due`, ZADD's NX) and its id is returned.
  /// `new_id` is called only when a task is added.
  AddResult add(std::string_view queue, std::string_view payload, std::int64_t due_ms,
                bool keep_due, const std::function<std::uint64_t()>& new_id);

  /// Puts back a task that was scheduled before (journal replay) with its
  /// own id. A payload already present on that queue keeps the later record.
  void restore(std::uint64_t id, std::string_view queue, std::string_view payload,
               std::int64_t due_ms);

  /// Cancels; the id of the removed task, or nullopt when it was not there.
  std::optional<std::uint64_t> remove(std::string_view queue, std::string_view payload);

  /// Would `queue` + `payload` be a new task (not a move)?
  [[nodiscard]] bool contains(std::string_view queue, std::string_view payload) const;

  /// The earliest task (lowest due, then lowest id); nullopt when empty.
  [[nodiscard]] std::optional<DelayedTaskView> top() const;
  /// Removes the task top() returns. The set must not be empty.
  void pop();

  [[nodiscard]] std::size_t size() const;
  [[nodiscard]] bool empty() const { return size() == 0; }
  /// Tasks scheduled on `queue`.
  [[nodiscard]] std::size_t count(std::string_view queue) const;
  /// Payload and queue bytes held, the figure the owner bounds.
  [[nodiscard]] std::size_t bytes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tasq::schedule
