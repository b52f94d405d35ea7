#include "tasq/schedule/delayed_set.h"

#include <cassert>

namespace tasq::schedule {

DelayedSet::DelayedSet() = default;
DelayedSet::~DelayedSet() = default;

std::size_t DelayedSet::KeyHash::operator()(const KeyView& k) const {
  // The queue is interned, so its address stands for its name.
  std::size_t h = std::hash<std::string_view>{}(k.payload);
  return h ^ (std::hash<const void*>{}(k.queue) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

DelayedSet::QueueInfo& DelayedSet::queue_info(std::string_view queue) {
  auto it = queues_.find(queue);
  if (it == queues_.end()) {
    it = queues_.emplace(std::string(queue), QueueInfo{}).first;
    it->second.name = it->first;
  }
  return it->second;
}

const DelayedSet::QueueInfo* DelayedSet::find_queue(std::string_view queue) const {
  auto it = queues_.find(queue);
  return it == queues_.end() ? nullptr : &it->second;
}

void DelayedSet::insert(std::uint64_t id, QueueInfo& queue, std::string_view payload,
                        std::int64_t due_ms) {
  auto [it, fresh] = entries_.emplace(Key{&queue, std::string(payload)}, Entry{id, {}, nullptr});
  assert(fresh);
  (void)fresh;
  Entry& entry = it->second;
  entry.key = &it->first;
  entry.handle = heap_.push(Slot{due_ms, id, &entry});
  ++queue.count;
  bytes_ += queue.name.size() + payload.size();
}

void DelayedSet::erase(Map::iterator it) {
  auto* queue = const_cast<QueueInfo*>(it->first.queue);
  bytes_ -= queue->name.size() + it->first.payload.size();
  heap_.erase(it->second.handle);
  entries_.erase(it);
  if (--queue->count == 0) queues_.erase(queues_.find(queue->name));
}

DelayedSet::AddResult DelayedSet::add(std::string_view queue, std::string_view payload,
                                      std::int64_t due_ms, bool keep_due,
                                      const std::function<std::uint64_t()>& new_id) {
  if (const QueueInfo* known = find_queue(queue)) {
    auto it = entries_.find(KeyView{known, payload});
    if (it != entries_.end()) {
      Entry& entry = it->second;
      const Slot& slot = *entry.handle;
      if (keep_due || slot.due_ms == due_ms) return {entry.id, Change::unchanged};
      heap_.update(entry.handle, Slot{due_ms, entry.id, &entry});
      return {entry.id, Change::moved};
    }
  }
  std::uint64_t id = new_id();
  insert(id, queue_info(queue), payload, due_ms);
  return {id, Change::added};
}

void DelayedSet::restore(std::uint64_t id, std::string_view queue, std::string_view payload,
                         std::int64_t due_ms) {
  if (const QueueInfo* known = find_queue(queue)) {
    auto it = entries_.find(KeyView{known, payload});
    if (it != entries_.end()) {
      if (it->second.id > id) return;
      erase(it);
    }
  }
  insert(id, queue_info(queue), payload, due_ms);
}

std::optional<std::uint64_t> DelayedSet::remove(std::string_view queue, std::string_view payload) {
  const QueueInfo* known = find_queue(queue);
  if (known == nullptr) return std::nullopt;
  auto it = entries_.find(KeyView{known, payload});
  if (it == entries_.end()) return std::nullopt;
  std::uint64_t id = it->second.id;
  erase(it);
  return id;
}

bool DelayedSet::contains(std::string_view queue, std::string_view payload) const {
  const QueueInfo* known = find_queue(queue);
  return known != nullptr && entries_.find(KeyView{known, payload}) != entries_.end();
}

std::optional<DelayedTaskView> DelayedSet::top() const {
  if (heap_.empty()) return std::nullopt;
  const Slot& slot = heap_.top();
  const Key& key = *slot.entry->key;
  return DelayedTaskView{slot.id, key.queue->name, key.payload, slot.due_ms};
}

void DelayedSet::pop() {
  assert(!heap_.empty());
  const Key& key = *heap_.top().entry->key;
  auto it = entries_.find(KeyView{key.queue, key.payload});
  assert(it != entries_.end());
  erase(it);
}

std::size_t DelayedSet::count(std::string_view queue) const {
  const QueueInfo* known = find_queue(queue);
  return known == nullptr ? 0 : known->count;
}

}  // namespace tasq::schedule
