#include "live_index.h"

#include "record_format.h"

namespace tasq::journal {
namespace {

constexpr std::uint8_t kKeepBits = format::kOutcomeKeepsResult | format::kOutcomeKeepsLetter;

}  // namespace

void LiveIndex::add(const LiveEntry& entry) {
  end(entry.id);
  if (entry.outcome && (entry.outcome_flags & kKeepBits) == 0) return;
  slots_[entry.id] = entries_.size();
  entries_.push_back(entry);
  live_bytes_ += entry.frame_len;
  if (entry.outcome) ++outcomes_;
}

bool LiveIndex::set_attempt(std::uint64_t id, std::uint32_t attempt) {
  auto it = slots_.find(id);
  if (it == slots_.end() || entries_[it->second].outcome) return false;
  entries_[it->second].attempt = attempt;
  return true;
}

bool LiveIndex::end(std::uint64_t id) {
  auto it = slots_.find(id);
  if (it == slots_.end()) return false;
  remove(it->second);
  slots_.erase(it);
  return true;
}

bool LiveIndex::release(std::uint64_t id, std::uint8_t flags) {
  auto it = slots_.find(id);
  if (it == slots_.end() || !entries_[it->second].outcome) return false;
  LiveEntry& entry = entries_[it->second];
  entry.outcome_flags = static_cast<std::uint8_t>(entry.outcome_flags & ~(flags & kKeepBits));
  if ((entry.outcome_flags & kKeepBits) == 0) {
    remove(it->second);
    slots_.erase(it);
  }
  return true;
}

void LiveIndex::remove(std::size_t slot) {
  LiveEntry& entry = entries_[slot];
  live_bytes_ -= entry.frame_len;
  entry.frame_len = 0;
  if (entry.outcome) --outcomes_;
  ++dead_;
  // Amortised: a journal whose tasks mostly end keeps its vector small.
  if (dead_ > 4096 && dead_ > entries_.size() / 2) compact();
}

const LiveEntry* LiveIndex::next() {
  while (cursor_ < entries_.size()) {
    const LiveEntry& entry = entries_[cursor_++];
    if (entry.frame_len != 0 && !entry.outcome) return &entry;
  }
  return nullptr;
}

const LiveEntry* LiveIndex::next_outcome() {
  while (outcome_cursor_ < entries_.size()) {
    const LiveEntry& entry = entries_[outcome_cursor_++];
    if (entry.frame_len != 0 && entry.outcome) return &entry;
  }
  return nullptr;
}

void LiveIndex::compact() {
  std::size_t kept = 0;
  std::size_t cursor = 0;
  std::size_t outcome_cursor = 0;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (i == cursor_) cursor = kept;
    if (i == outcome_cursor_) outcome_cursor = kept;
    if (entries_[i].frame_len == 0) continue;
    slots_[entries_[i].id] = kept;
    entries_[kept++] = entries_[i];
  }
  if (cursor_ >= entries_.size()) cursor = kept;
  if (outcome_cursor_ >= entries_.size()) outcome_cursor = kept;
  entries_.resize(kept);
  cursor_ = cursor;
  outcome_cursor_ = outcome_cursor;
  dead_ = 0;
}

}  // namespace tasq::journal
