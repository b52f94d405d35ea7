#pragma once
// The result store: the outcome of every task that ended for good (completed
// or dead-lettered), kept for result_ttl within result_max_memory, the
// oldest dropped first. A hash of task id -> entry for lookups and a list in
// order of keeping for expiry and eviction; both intrusive, so an entry is
// one allocation holding its fields and its bytes (queue, result, error).
//
// Not thread-safe: the master's reactor thread owns it.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>

#include "tasq/results/stream_id.h"

namespace tasq::results {

enum class Status : std::uint8_t { completed, dead };
std::string_view to_string(Status status);

/// A task's outcome, as kept and as read back (the views point into the
/// store's entry, valid until the store changes). The store keeps one time
/// of the end: entry_id.ms, which the streams make the end's ended_ms; the
/// ended_ms given to keep() is not read.
struct Outcome {
  std::uint64_t task_id = 0;
  StreamId entry_id;  ///< its entry's id in tasq:result:<ID> (and tasq:finished)
  Status status = Status::completed;
  std::uint32_t attempts = 0;
  std::int64_t enqueued_ms = 0;  ///< unix milliseconds
  std::int64_t started_ms = 0;
  std::int64_t ended_ms = 0;
  std::string_view queue;
  std::string_view result;  ///< the handler's result (completed)
  std::string_view error;   ///< the last failure's reason (dead)
};

class ResultStore {
 public:
  struct Limits {
    std::int64_t ttl_ms = 300'000;              ///< result_ttl; 0 keeps none
    std::size_t max_bytes = 64u * 1024 * 1024;  ///< result_max_memory
  };

  explicit ResultStore(Limits limits);
  ~ResultStore();
  ResultStore(const ResultStore&) = delete;
  ResultStore& operator=(const ResultStore&) = delete;

  /// Keeps `outcome` (copying its bytes) until its end + ttl, replacing the
  /// task's earlier one; then drops the oldest while over max_bytes (counted
  /// as evicted; the new one too when it alone is over). False when it was
  /// not kept: ttl 0, already expired at `now_ms`, or too big.
  bool keep(const Outcome& outcome, std::int64_t now_ms);
  /// The task's outcome, or nullopt (none kept, or expired at `now_ms`).
  [[nodiscard]] std::optional<Outcome> find(std::uint64_t task_id, std::int64_t now_ms) const;
  /// DEL: forgets the task's outcome; false when none was kept (or it had
  /// expired at `now_ms`).
  bool forget(std::uint64_t task_id, std::int64_t now_ms);
  /// Drops the outcomes expired at `now_ms`; returns when the next one
  /// expires (unix ms), or nullopt when none is kept.
  std::optional<std::int64_t> expire(std::int64_t now_ms);

  [[nodiscard]] std::size_t size() const { return size_; }
  /// What the kept outcomes are charged against max_bytes: each one's bytes
  /// plus its entry and its share of the hash.
  [[nodiscard]] std::size_t bytes() const { return bytes_; }
  [[nodiscard]] std::uint64_t evicted() const { return evicted_; }  ///< over max_bytes
  [[nodiscard]] std::uint64_t expired() const { return expired_; }  ///< past the ttl
  [[nodiscard]] const Limits& limits() const { return limits_; }

  /// Called with the task id of every outcome dropped by expiry or eviction
  /// (not by forget() or a replacement, which the caller knows of).
  void on_drop(std::function<void(std::uint64_t task_id)> listener) {
    on_drop_ = std::move(listener);
  }

  /// The charge of one kept outcome beyond its bytes (for sizing and docs).
  static std::size_t entry_overhead();

 private:
  struct Entry;
  void link(Entry* entry);
  void unlink(Entry* entry);
  void destroy(Entry* entry);
  [[nodiscard]] Entry* lookup(std::uint64_t task_id) const;
  void grow_buckets();
  [[nodiscard]] std::int64_t expires_ms(const Entry& entry) const;

  Limits limits_;
  std::unique_ptr<Entry*[]> buckets_;
  std::size_t bucket_count_ = 0;  ///< a power of two, or 0 before the first keep
  Entry* oldest_ = nullptr;
  Entry* newest_ = nullptr;
  std::size_t size_ = 0;
  std::size_t bytes_ = 0;
  std::uint64_t evicted_ = 0;
  std::uint64_t expired_ = 0;
  std::function<void(std::uint64_t)> on_drop_;
};

}  // namespace tasq::results
