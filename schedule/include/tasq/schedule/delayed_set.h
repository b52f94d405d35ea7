#pragma once
// Delayed tasks held until due: a min-heap on (due, id) for "what is next",
// and a hash map on (queue, payload) for ZADD's dedupe and ZREM, as a Redis
// sorted set is both. Every operation is O(1) or O(log n); nothing scans.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

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

  DelayedSet();
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

  [[nodiscard]] std::size_t size() const { return entries_.size(); }
  [[nodiscard]] bool empty() const { return entries_.empty(); }
  /// Tasks scheduled on `queue`.
  [[nodiscard]] std::size_t count(std::string_view queue) const;
  /// Payload and queue bytes held, the figure the owner bounds.
  [[nodiscard]] std::size_t bytes() const { return bytes_; }

 private:
  // Queue names are kept once, with their task count; entries point at them.
  struct QueueInfo {
    std::string_view name;  ///< the queues_ key
    std::size_t count = 0;
  };
  // The payload's hash is computed once per call and kept with the key, so a
  // lookup followed by an insert (and every rehash) does not hash it again.
  struct Key {
    const QueueInfo* queue;
    std::string payload;
    std::size_t hash;
    bool operator==(const Key& other) const {
      return queue == other.queue && payload == other.payload;
    }
  };
  // Lookups go through a view so that finding a payload allocates nothing.
  struct KeyView {
    const QueueInfo* queue;
    std::string_view payload;
    std::size_t hash;
  };
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(const KeyView& k) const { return k.hash; }
    std::size_t operator()(const Key& k) const { return k.hash; }
  };
  struct KeyEqual {
    using is_transparent = void;
    bool operator()(const Key& a, const Key& b) const { return a == b; }
    bool operator()(const KeyView& a, const Key& b) const {
      return a.queue == b.queue && a.payload == b.payload;
    }
    bool operator()(const Key& a, const KeyView& b) const { return (*this)(b, a); }
  };
  struct Entry {
    std::uint64_t id;
    std::int64_t due_ms;
    std::size_t heap_at;  ///< this entry's index in heap_
    const Key* key;       ///< the map key this entry sits under
  };
  using Map = std::unordered_map<Key, Entry, KeyHash, KeyEqual>;
  // The heap holds what ordering needs, and where the rest is: map nodes
  // never move, so the pointer stays good until the entry is erased. Every
  // move within the heap updates the entry's heap_at, so an entry can be
  // moved or removed in O(log n) without a handle of its own to allocate.
  struct Slot {
    std::int64_t due_ms;
    std::uint64_t id;
    Entry* entry;
    /// Falls due before `other` (earlier due, then lower id).
    [[nodiscard]] bool before(const Slot& other) const {
      return due_ms != other.due_ms ? due_ms < other.due_ms : id < other.id;
    }
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  static KeyView view(const QueueInfo* queue, std::string_view payload);
  QueueInfo& queue_info(std::string_view queue);
  QueueInfo* find_queue(std::string_view queue);
  const QueueInfo* find_queue(std::string_view queue) const;
  void insert(std::uint64_t id, QueueInfo& queue, const KeyView& key, std::int64_t due_ms);
  void erase(Map::iterator it);

  // The 4-ary min-heap on (due, id): shallower than a binary one, and the
  // four children of a slot share a cache line or two.
  void heap_push(const Slot& slot);
  void heap_erase(std::size_t at);
  /// Moves the slot at `at` up or down to where it belongs.
  void heap_fix(std::size_t at);
  void heap_place(std::size_t at, const Slot& slot) {
    heap_[at] = slot;
    slot.entry->heap_at = at;
  }

  std::unordered_map<std::string, QueueInfo, StringHash, std::equal_to<>> queues_;
  Map entries_;
  std::vector<Slot> heap_;
  std::size_t bytes_ = 0;
};

}  // namespace tasq::schedule
