#include "tasq/results/result_store.h"

#include <cstring>
#include <new>

namespace tasq::results {
namespace {

// What malloc adds to an allocation (its header and rounding, on average),
// and a share of the bucket array (between one and two pointers an entry).
constexpr std::size_t kAllocationOverhead = 16;
constexpr std::size_t kBucketShare = 12;
constexpr std::uint32_t kDeadBit = 0x80000000u;

}  // namespace

std::string_view to_string(Status status) { return status == Status::dead ? "dead" : "completed"; }

// 80 bytes, then queue, result and error bytes in the same allocation. The
// entry id's ms is ended_ms (the streams make them one), so only seq is kept;
// the status rides in the top bit of the attempt count.
struct ResultStore::Entry {
  Entry* older;  // the keeping order
  Entry* newer;
  Entry* chain;  // the next entry in this one's bucket
  std::uint64_t task_id;
  std::uint64_t seq;
  std::int64_t enqueued_ms;
  std::int64_t started_ms;
  std::int64_t ended_ms;
  std::uint32_t attempts_and_status;
  std::uint32_t queue_len;
  std::uint32_t result_len;
  std::uint32_t error_len;

  char* bytes() { return reinterpret_cast<char*>(this + 1); }
  [[nodiscard]] const char* bytes() const { return reinterpret_cast<const char*>(this + 1); }
  [[nodiscard]] std::size_t data_len() const {
    return std::size_t{queue_len} + result_len + error_len;
  }
  [[nodiscard]] std::size_t charge() const {
    return sizeof(Entry) + data_len() + kAllocationOverhead + kBucketShare;
  }
  [[nodiscard]] Outcome view() const {
    const char* at = bytes();
    return Outcome{
        .task_id = task_id,
        .entry_id = {static_cast<std::uint64_t>(ended_ms), seq},
        .status = (attempts_and_status & kDeadBit) != 0 ? Status::dead : Status::completed,
        .attempts = attempts_and_status & ~kDeadBit,
        .enqueued_ms = enqueued_ms,
        .started_ms = started_ms,
        .ended_ms = ended_ms,
        .queue = {at, queue_len},
        .result = {at + queue_len, result_len},
        .error = {at + queue_len + result_len, error_len}};
  }
};

ResultStore::ResultStore(Limits limits) : limits_(limits) {}

ResultStore::~ResultStore() {
  for (Entry* entry = oldest_; entry != nullptr;) {
    Entry* next = entry->newer;
    destroy(entry);
    entry = next;
  }
}

std::size_t ResultStore::entry_overhead() {
  return sizeof(Entry) + kAllocationOverhead + kBucketShare;
}

std::int64_t ResultStore::expires_ms(const Entry& entry) const {
  return entry.ended_ms + limits_.ttl_ms;
}

ResultStore::Entry* ResultStore::lookup(std::uint64_t task_id) const {
  if (bucket_count_ == 0) return nullptr;
  for (Entry* entry = buckets_[task_id & (bucket_count_ - 1)]; entry != nullptr;
       entry = entry->chain) {
    if (entry->task_id == task_id) return entry;
  }
  return nullptr;
}

// Task ids are handed out in sequence, so their low bits spread them over
// the buckets as well as any hash would.
void ResultStore::grow_buckets() {
  const std::size_t count = bucket_count_ == 0 ? 64 : bucket_count_ * 2;
  auto fresh = std::make_unique<Entry*[]>(count);
  for (std::size_t i = 0; i < bucket_count_; ++i) {
    for (Entry* entry = buckets_[i]; entry != nullptr;) {
      Entry* next = entry->chain;
      Entry*& head = fresh[entry->task_id & (count - 1)];
      entry->chain = head;
      head = entry;
      entry = next;
    }
  }
  buckets_ = std::move(fresh);
  bucket_count_ = count;
}

void ResultStore::link(Entry* entry) {
  if (size_ + 1 > bucket_count_) grow_buckets();
  Entry*& head = buckets_[entry->task_id & (bucket_count_ - 1)];
  entry->chain = head;
  head = entry;
  entry->older = newest_;
  entry->newer = nullptr;
  (newest_ != nullptr ? newest_->newer : oldest_) = entry;
  newest_ = entry;
  ++size_;
  bytes_ += entry->charge();
}

void ResultStore::unlink(Entry* entry) {
  Entry** at = &buckets_[entry->task_id & (bucket_count_ - 1)];
  while (*at != entry) at = &(*at)->chain;
  *at = entry->chain;
  (entry->older != nullptr ? entry->older->newer : oldest_) = entry->newer;
  (entry->newer != nullptr ? entry->newer->older : newest_) = entry->older;
  --size_;
  bytes_ -= entry->charge();
}

void ResultStore::destroy(Entry* entry) {
  entry->~Entry();
  ::operator delete(entry);
}

bool ResultStore::keep(const Outcome& outcome, std::int64_t now_ms) {
  if (Entry* old = lookup(outcome.task_id)) {
    unlink(old);
    destroy(old);
  }
  const auto ended_ms = static_cast<std::int64_t>(outcome.entry_id.ms);
  if (limits_.ttl_ms <= 0 || ended_ms + limits_.ttl_ms <= now_ms) return false;
  const std::size_t data_len = outcome.queue.size() + outcome.result.size() + outcome.error.size();
  if (sizeof(Entry) + data_len + kAllocationOverhead + kBucketShare > limits_.max_bytes) {
    ++evicted_;
    return false;
  }
  void* memory = ::operator new(sizeof(Entry) + data_len);
  auto* entry = new (memory)
      Entry{.older = nullptr,
            .newer = nullptr,
            .chain = nullptr,
            .task_id = outcome.task_id,
            .seq = outcome.entry_id.seq,
            .enqueued_ms = outcome.enqueued_ms,
            .started_ms = outcome.started_ms,
            .ended_ms = ended_ms,
            .attempts_and_status =
                (outcome.attempts & ~kDeadBit) | (outcome.status == Status::dead ? kDeadBit : 0),
            .queue_len = static_cast<std::uint32_t>(outcome.queue.size()),
            .result_len = static_cast<std::uint32_t>(outcome.result.size()),
            .error_len = static_cast<std::uint32_t>(outcome.error.size())};
  char* at = entry->bytes();
  for (std::string_view part : {outcome.queue, outcome.result, outcome.error}) {
    if (!part.empty()) std::memcpy(at, part.data(), part.size());
    at += part.size();
  }
  link(entry);
  while (bytes_ > limits_.max_bytes) {
    Entry* victim = oldest_;
    const std::uint64_t victim_id = victim->task_id;
    unlink(victim);
    destroy(victim);
    ++evicted_;
    if (on_drop_) on_drop_(victim_id);
  }
  return true;
}

std::optional<Outcome> ResultStore::find(std::uint64_t task_id, std::int64_t now_ms) const {
  const Entry* entry = lookup(task_id);
  if (entry == nullptr || expires_ms(*entry) <= now_ms) return std::nullopt;
  return entry->view();
}

bool ResultStore::forget(std::uint64_t task_id, std::int64_t now_ms) {
  Entry* entry = lookup(task_id);
  if (entry == nullptr) return false;
  const bool live = expires_ms(*entry) > now_ms;
  if (!live) ++expired_;
  unlink(entry);
  destroy(entry);
  return live;
}

// Entries are kept in the order they ended, so the oldest expire first; one
// kept out of that order (a clock stepped back) waits behind its elders,
// and find() hides it once it is due.
std::optional<std::int64_t> ResultStore::expire(std::int64_t now_ms) {
  while (oldest_ != nullptr && expires_ms(*oldest_) <= now_ms) {
    Entry* victim = oldest_;
    const std::uint64_t victim_id = victim->task_id;
    unlink(victim);
    destroy(victim);
    ++expired_;
    if (on_drop_) on_drop_(victim_id);
  }
  if (oldest_ == nullptr) return std::nullopt;
  return expires_ms(*oldest_);
}

}  // namespace tasq::results
