#include "tasq/schedule/delayed_set.h"

#include <algorithm>
#include <cassert>

namespace tasq::schedule {
namespace {

constexpr std::size_t kArity = 4;

}  // namespace

DelayedSet::DelayedSet() = default;
DelayedSet::~DelayedSet() = default;

DelayedSet::KeyView DelayedSet::view(const QueueInfo* queue, std::string_view payload) {
  // The queue is interned, so its address stands for its name.
  std::size_t h = std::hash<std::string_view>{}(payload);
  h ^= std::hash<const void*>{}(queue) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  return KeyView{queue, payload, h};
}

DelayedSet::QueueInfo& DelayedSet::queue_info(std::string_view queue) {
  auto it = queues_.find(queue);
  if (it == queues_.end()) {
    it = queues_.emplace(std::string(queue), QueueInfo{}).first;
    it->second.name = it->first;
  }
  return it->second;
}

DelayedSet::QueueInfo* DelayedSet::find_queue(std::string_view queue) {
  auto it = queues_.find(queue);
  return it == queues_.end() ? nullptr : &it->second;
}

const DelayedSet::QueueInfo* DelayedSet::find_queue(std::string_view queue) const {
  auto it = queues_.find(queue);
  return it == queues_.end() ? nullptr : &it->second;
}

void DelayedSet::insert(std::uint64_t id, QueueInfo& queue, const KeyView& key,
                        std::int64_t due_ms) {
  assert(key.queue == &queue);
  auto [it, fresh] = entries_.emplace(Key{&queue, std::string(key.payload), key.hash},
                                      Entry{id, due_ms, 0, nullptr});
  assert(fresh);
  (void)fresh;
  Entry& entry = it->second;
  entry.key = &it->first;
  heap_push(Slot{due_ms, id, &entry});
  ++queue.count;
  bytes_ += queue.name.size() + key.payload.size();
}

void DelayedSet::erase(Map::iterator it) {
  auto* queue = const_cast<QueueInfo*>(it->first.queue);
  bytes_ -= queue->name.size() + it->first.payload.size();
  heap_erase(it->second.heap_at);
  entries_.erase(it);
  if (--queue->count == 0) queues_.erase(queues_.find(queue->name));
}

DelayedSet::AddResult DelayedSet::add(std::string_view queue, std::string_view payload,
                                      std::int64_t due_ms, bool keep_due,
                                      const std::function<std::uint64_t()>& new_id) {
  QueueInfo* known = find_queue(queue);
  if (known == nullptr) {
    std::uint64_t id = new_id();
    QueueInfo& info = queue_info(queue);
    insert(id, info, view(&info, payload), due_ms);
    return {id, Change::added};
  }
  const KeyView key = view(known, payload);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    std::uint64_t id = new_id();
    insert(id, *known, key, due_ms);
    return {id, Change::added};
  }
  Entry& entry = it->second;
  if (keep_due || entry.due_ms == due_ms) return {entry.id, Change::unchanged};
  entry.due_ms = due_ms;
  heap_[entry.heap_at].due_ms = due_ms;
  heap_fix(entry.heap_at);
  return {entry.id, Change::moved};
}

void DelayedSet::restore(std::uint64_t id, std::string_view queue, std::string_view payload,
                         std::int64_t due_ms) {
  if (const QueueInfo* known = find_queue(queue)) {
    auto it = entries_.find(view(known, payload));
    if (it != entries_.end()) {
      if (it->second.id > id) return;
      erase(it);
    }
  }
  // Found again: the erase above may have dropped the queue with its last task.
  QueueInfo& info = queue_info(queue);
  insert(id, info, view(&info, payload), due_ms);
}

std::optional<std::uint64_t> DelayedSet::remove(std::string_view queue, std::string_view payload) {
  const QueueInfo* known = find_queue(queue);
  if (known == nullptr) return std::nullopt;
  auto it = entries_.find(view(known, payload));
  if (it == entries_.end()) return std::nullopt;
  std::uint64_t id = it->second.id;
  erase(it);
  return id;
}

bool DelayedSet::contains(std::string_view queue, std::string_view payload) const {
  const QueueInfo* known = find_queue(queue);
  return known != nullptr && entries_.find(view(known, payload)) != entries_.end();
}

std::optional<DelayedTaskView> DelayedSet::top() const {
  if (heap_.empty()) return std::nullopt;
  const Slot& slot = heap_.front();
  const Key& key = *slot.entry->key;
  return DelayedTaskView{slot.id, key.queue->name, key.payload, slot.due_ms};
}

void DelayedSet::pop() {
  assert(!heap_.empty());
  const Key& key = *heap_.front().entry->key;
  auto it = entries_.find(KeyView{key.queue, key.payload, key.hash});
  assert(it != entries_.end());
  erase(it);
}

std::size_t DelayedSet::count(std::string_view queue) const {
  const QueueInfo* known = find_queue(queue);
  return known == nullptr ? 0 : known->count;
}

void DelayedSet::heap_push(const Slot& slot) {
  heap_.push_back(slot);
  slot.entry->heap_at = heap_.size() - 1;
  heap_fix(heap_.size() - 1);
}

void DelayedSet::heap_erase(std::size_t at) {
  assert(at < heap_.size());
  const Slot last = heap_.back();
  heap_.pop_back();
  if (at == heap_.size()) return;  // it was the last slot
  heap_place(at, last);
  heap_fix(at);
}

void DelayedSet::heap_fix(std::size_t at) {
  const Slot moving = heap_[at];
  if (at > 0 && moving.before(heap_[(at - 1) / kArity])) {
    // Up, while it falls due before its parent.
    do {
      const std::size_t parent = (at - 1) / kArity;
      heap_place(at, heap_[parent]);
      at = parent;
    } while (at > 0 && moving.before(heap_[(at - 1) / kArity]));
  } else {
    // Down, while a child falls due before it.
    for (;;) {
      const std::size_t first = at * kArity + 1;
      if (first >= heap_.size()) break;
      const std::size_t end = std::min(first + kArity, heap_.size());
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
