#include "tasq/schedule/delayed_set.h"

#include <absl/container/flat_hash_set.h>
#include <absl/hash/hash.h>

#include <algorithm>
#include <cassert>
#include <limits>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "entry_slab.h"

namespace tasq::schedule {
namespace {

// The 4-ary min-heap on (due, id): shallower than a binary one, and the
// four children of a slot share a cache line or two.
constexpr std::size_t kHeapArity = 4;
// Entries and heap positions are 32-bit, below EntrySlab's kNone.
constexpr std::size_t kMaxEntries = std::numeric_limits<std::uint32_t>::max() - 1;
// Past this many slots, an emptied set gives its heap back rather than keep
// a peak's worth of memory for the next burst.
constexpr std::size_t kKeptWhenEmpty = 4096;

// The table takes its probe position from a hash's high bits and a 7-bit tag
// from its low ones: an odd multiplier spreads the 32 stored bits over both.
std::size_t spread(std::uint32_t hash) { return hash * std::size_t{0x9e3779b97f4a7c15ULL}; }

}  // namespace

std::uint32_t DelayedSet::default_hash(std::string_view bytes) {
  // Abseil's hash is seeded per process (by an address that ASLR moves), so
  // payloads cannot be crafted ahead to share one probe sequence.
  const std::size_t h = absl::Hash<std::string_view>{}(bytes);
  return static_cast<std::uint32_t>(h ^ (h >> 32));
}

// Layout: every task is one entry of an EntrySlab. The heap and the index
// refer to it by its position there; the index keeps each entry's 32-bit
// hash beside that position, so that it rehashes without touching an entry
// or hashing a payload again. Per task: an entry (48 bytes, payloads up to
// 16 bytes inside), a heap slot (24), an index slot (4 + 4, plus a control
// byte, at a load of 7/16 to 7/8) and a payload over 16 bytes.
struct DelayedSet::Impl {
  // Queue names are kept once, with their task count; entries point at them.
  struct QueueInfo {
    std::string_view name;  ///< the queues_ key
    std::size_t count = 0;
    std::uint32_t salt = 0;  ///< mixed into the hash of each payload on this queue
  };
  using Entries = detail::EntrySlab<QueueInfo>;
  using Entry = Entries::Entry;
  struct IndexSlot {
    std::uint32_t entry;
    std::uint32_t hash;
  };
  // What a lookup by (queue, payload) carries: nothing is allocated to find.
  struct Probe {
    const QueueInfo* queue;
    std::string_view payload;
    std::uint32_t hash;
  };
  struct IndexHash {
    using is_transparent = void;
    std::size_t operator()(const IndexSlot& slot) const { return spread(slot.hash); }
    std::size_t operator()(const Probe& probe) const { return spread(probe.hash); }
  };
  // Two slots are equal when they name the same entry: a slot is inserted
  // only after a lookup by its key found nothing, so keys never repeat.
  struct IndexEq {
    using is_transparent = void;
    const Entries* entries = nullptr;
    bool operator()(const IndexSlot& a, const IndexSlot& b) const { return a.entry == b.entry; }
    bool operator()(const IndexSlot& slot, const Probe& probe) const {
      if (slot.hash != probe.hash) return false;
      const Entry& entry = (*entries)[slot.entry];
      return entry.queue == probe.queue && entry.bytes() == probe.payload;
    }
    bool operator()(const Probe& probe, const IndexSlot& slot) const { return (*this)(slot, probe); }
  };
  using Index = absl::flat_hash_set<IndexSlot, IndexHash, IndexEq>;
  // The heap holds what ordering needs, and where the rest is. Every move
  // within the heap updates the entry's link, so an entry can be moved or
  // removed in O(log n).
  struct HeapSlot {
    std::int64_t due_ms;
    std::uint64_t id;
    std::uint32_t entry;
    /// Falls due before `other` (earlier due, then lower id).
    [[nodiscard]] bool before(const HeapSlot& other) const {
      return due_ms != other.due_ms ? due_ms < other.due_ms : id < other.id;
    }
  };
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  explicit Impl(Hash hash) : hash_(hash), index_(0, IndexHash{}, IndexEq{&entries_}) {}
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  Probe probe(const QueueInfo& queue, std::string_view payload) const {
    return Probe{&queue, payload, hash_(payload) ^ queue.salt};
  }
  QueueInfo* find_queue(std::string_view queue) {
    auto it = queues_.find(queue);
    return it == queues_.end() ? nullptr : &it->second;
  }
  QueueInfo& queue_info(std::string_view queue);
  void insert(std::uint64_t id, QueueInfo& queue, const Probe& key, std::int64_t due_ms);
  void drop(std::uint32_t at);
  void release_if_empty();

  void heap_push(const HeapSlot& slot);
  void heap_erase(std::size_t at);
  /// Moves the slot at `at` up or down to where it belongs.
  void heap_fix(std::size_t at);
  void heap_place(std::size_t at, const HeapSlot& slot) {
    heap_[at] = slot;
    entries_[slot.entry].link = static_cast<std::uint32_t>(at);
  }

  Hash hash_;
  std::unordered_map<std::string, QueueInfo, StringHash, std::equal_to<>> queues_;
  Entries entries_;
  Index index_;
  std::vector<HeapSlot> heap_;
  std::size_t bytes_ = 0;
};

DelayedSet::Impl::QueueInfo& DelayedSet::Impl::queue_info(std::string_view queue) {
  auto it = queues_.find(queue);
  if (it == queues_.end()) {
    it = queues_.emplace(std::string(queue), QueueInfo{}).first;
    it->second.name = it->first;
    // Multiplied, so that (queue a, payload b) and (queue b, payload a) differ.
    it->second.salt = hash_(queue) * 0x9e3779b1U;
  }
  return it->second;
}

// Strong guarantee: what can throw (the heap's growth, the payload's copy,
// the index's growth) happens before anything is changed, or is undone.
void DelayedSet::Impl::insert(std::uint64_t id, QueueInfo& queue, const Probe& key,
                              std::int64_t due_ms) {
  assert(key.queue == &queue);
  if (heap_.size() >= kMaxEntries || key.payload.size() > Entries::kNone) {
    throw std::length_error("delayed set: too many tasks, or a payload over 4 GiB");
  }
  if (heap_.size() == heap_.capacity()) heap_.reserve(std::max<std::size_t>(16, heap_.size() * 2));
  const std::uint32_t at = entries_.take(queue, key.payload);
  entries_[at].due_ms = due_ms;
  entries_[at].id = id;
  try {
    index_.insert(IndexSlot{at, key.hash});
  } catch (...) {
    entries_.give_back(at);
    throw;
  }
  heap_push(HeapSlot{due_ms, id, at});
  ++queue.count;
  bytes_ += queue.name.size() + key.payload.size();
}

// Removes the entry at `at`, which has already left the index.
void DelayedSet::Impl::drop(std::uint32_t at) {
  Entry& entry = entries_[at];
  auto* queue = const_cast<QueueInfo*>(entry.queue);
  bytes_ -= queue->name.size() + entry.size;
  heap_erase(entry.link);
  entries_.give_back(at);
  if (--queue->count == 0) queues_.erase(queues_.find(queue->name));
  release_if_empty();
}

void DelayedSet::Impl::release_if_empty() {
  if (!heap_.empty()) return;
  // Every entry is free now: start again from nothing.
  entries_.reset();
  index_.clear();  // also gives back a large table
  if (heap_.capacity() > kKeptWhenEmpty) std::vector<HeapSlot>().swap(heap_);
}

DelayedSet::DelayedSet(Hash hash) : impl_(std::make_unique<Impl>(hash)) {}
DelayedSet::~DelayedSet() = default;

DelayedSet::AddResult DelayedSet::add(std::string_view queue, std::string_view payload,
                                      std::int64_t due_ms, bool keep_due,
                                      const std::function<std::uint64_t()>& new_id) {
  Impl& s = *impl_;
  if (Impl::QueueInfo* known = s.find_queue(queue)) {
    const Impl::Probe key = s.probe(*known, payload);
    // The table's control bytes and slots for this key, fetched together
    // rather than one after the other: most of a lookup is waiting on them.
    s.index_.prefetch(key);
    auto it = s.index_.find(key);
    if (it != s.index_.end()) {
      Impl::Entry& entry = s.entries_[it->entry];
      if (keep_due || entry.due_ms == due_ms) return {entry.id, Change::unchanged};
      entry.due_ms = due_ms;
      s.heap_[entry.link].due_ms = due_ms;
      s.heap_fix(entry.link);
      return {entry.id, Change::moved};
    }
    const std::uint64_t id = new_id();
    s.insert(id, *known, key, due_ms);
    return {id, Change::added};
  }
  const std::uint64_t id = new_id();
  Impl::QueueInfo& info = s.queue_info(queue);
  try {
    s.insert(id, info, s.probe(info, payload), due_ms);
  } catch (...) {
    s.queues_.erase(s.queues_.find(queue));
    throw;
  }
  return {id, Change::added};
}

void DelayedSet::restore(std::uint64_t id, std::string_view queue, std::string_view payload,
                         std::int64_t due_ms) {
  Impl& s = *impl_;
  Impl::QueueInfo& info = s.queue_info(queue);
  const Impl::Probe key = s.probe(info, payload);
  if (auto it = s.index_.find(key); it != s.index_.end()) {
    // The same payload again: the later record (the higher id, or the same
    // task moved) takes the place of the earlier one.
    Impl::Entry& entry = s.entries_[it->entry];
    if (entry.id > id) return;
    entry.id = id;
    entry.due_ms = due_ms;
    s.heap_[entry.link].id = id;
    s.heap_[entry.link].due_ms = due_ms;
    s.heap_fix(entry.link);
    return;
  }
  try {
    s.insert(id, info, key, due_ms);
  } catch (...) {
    if (info.count == 0) s.queues_.erase(s.queues_.find(queue));
    throw;
  }
}

std::optional<std::uint64_t> DelayedSet::remove(std::string_view queue, std::string_view payload) {
  Impl& s = *impl_;
  const Impl::QueueInfo* known = s.find_queue(queue);
  if (known == nullptr) return std::nullopt;
  auto it = s.index_.find(s.probe(*known, payload));
  if (it == s.index_.end()) return std::nullopt;
  const std::uint32_t at = it->entry;
  const std::uint64_t id = s.entries_[at].id;
  s.index_.erase(it);
  s.drop(at);
  return id;
}

bool DelayedSet::contains(std::string_view queue, std::string_view payload) const {
  const Impl::QueueInfo* known = impl_->find_queue(queue);
  return known != nullptr && impl_->index_.contains(impl_->probe(*known, payload));
}

std::optional<DelayedTaskView> DelayedSet::top() const {
  const Impl& s = *impl_;
  if (s.heap_.empty()) return std::nullopt;
  const Impl::HeapSlot& slot = s.heap_.front();
  const Impl::Entry& entry = s.entries_[slot.entry];
  return DelayedTaskView{slot.id, entry.queue->name, entry.bytes(), slot.due_ms};
}

void DelayedSet::pop() {
  Impl& s = *impl_;
  assert(!s.heap_.empty());
  const std::uint32_t at = s.heap_.front().entry;
  const Impl::Entry& entry = s.entries_[at];
  // The slot names the entry, so finding it compares positions, not payloads.
  [[maybe_unused]] const std::size_t erased =
      s.index_.erase(Impl::IndexSlot{at, s.probe(*entry.queue, entry.bytes()).hash});
  assert(erased == 1);
  s.drop(at);
}

std::size_t DelayedSet::size() const { return impl_->heap_.size(); }

std::size_t DelayedSet::bytes() const { return impl_->bytes_; }

std::size_t DelayedSet::count(std::string_view queue) const {
  const Impl::QueueInfo* known = impl_->find_queue(queue);
  return known == nullptr ? 0 : known->count;
}

void DelayedSet::Impl::heap_push(const HeapSlot& slot) {
  heap_.push_back(slot);
  heap_fix(heap_.size() - 1);
}

void DelayedSet::Impl::heap_erase(std::size_t at) {
  assert(at < heap_.size());
  const HeapSlot last = heap_.back();
  heap_.pop_back();
  if (at == heap_.size()) return;  // it was the last slot
  heap_place(at, last);
  heap_fix(at);
}

void DelayedSet::Impl::heap_fix(std::size_t at) {
  const HeapSlot moving = heap_[at];
  if (at > 0 && moving.before(heap_[(at - 1) / kHeapArity])) {
    // Up, while it falls due before its parent.
    do {
      const std::size_t parent = (at - 1) / kHeapArity;
      heap_place(at, heap_[parent]);
      at = parent;
    } while (at > 0 && moving.before(heap_[(at - 1) / kHeapArity]));
  } else {
    // Down, while a child falls due before it.
    for (;;) {
      const std::size_t first = at * kHeapArity + 1;
      if (first >= heap_.size()) break;
      const std::size_t end = std::min(first + kHeapArity, heap_.size());
      std::size_t best = first;
      for (std::size_t child = first + 1; child < end; ++child) {
        if (heap_[child].before(heap_[best])) best = child;
      }
      if (!heap_[best].before(moving)) break;
      heap_place(at, heap_[best]);
      at = best;
    }
  }
  heap_place(at, moving);
}

}  // namespace tasq::schedule
