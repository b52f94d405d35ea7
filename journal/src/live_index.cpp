#include "live_index.h"

namespace tasq::journal {

void LiveIndex::add(const LiveEntry& entry) {
  end(entry.id);
  slots_[entry.id] = entries_.size();
  entries_.push_back(entry);
  live_bytes_ += entry.frame_len;
}

bool LiveIndex::set_attempt(std::uint64_t id, std::uint32_t attempt) {
  auto it = slots_.find(id);
  if (it == slots_.end()) return false;
  entries_[it->second].attempt = attempt;
  return true;
}

bool LiveIndex::end(std::uint64_t id) {
  auto it = slots_.find(id);
  if (it == slots_.end()) return false;
  LiveEntry& entry = entries_[it->second];
  live_bytes_ -= entry.frame_len;
  entry.frame_len = 0;
  slots_.erase(it);
  ++dead_;
  // Amortised: a journal whose tasks mostly end keeps its vector small.
  if (dead_ > 4096 && dead_ > entries_.size() / 2) compact();
  return true;
}

const LiveEntry* LiveIndex::next() {
  while (cursor_ < entries_.size()) {
    const LiveEntry& entry = entries_[cursor_++];
    if (entry.frame_len != 0) return &entry;
  }
  return nullptr;
}

void LiveIndex::compact() {
  std::size_t kept = 0;
  std::size_t cursor = 0;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (i == cursor_) cursor = kept;
    if (entries_[i].frame_len == 0) continue;
    slots_[entries_[i].id] = kept;
    entries_[kept++] = entries_[i];
  }
  if (cursor_ >= entries_.size()) cursor = kept;
  entries_.resize(kept);
  cursor_ = cursor;
  dead_ = 0;
}

}  // namespace tasq::journal
