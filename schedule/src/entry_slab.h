#pragma once
// The delayed set's tasks: one fixed-size entry each (its queue, id and due
// time, where it sits in the heap, and its own copy of the payload), kept in
// chunks that never move, reused through a free list. The heap and the
// index name an entry by its 32-bit position, so neither holds a pointer
// that growth could break, and a view of a payload stays good while its
// task is held.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <string_view>
#include <vector>

namespace tasq::schedule::detail {

template <class Queue>
class EntrySlab {
 public:
  /// Payloads up to this size live in the entry: no allocation of their
  /// own, and no cache miss apart from the entry's when a lookup compares.
  static constexpr std::size_t kInline = 16;
  /// Marks "no entry"; positions are below it.
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

  // Plain data: take() and give_back() own the payload's allocation.
  struct Entry {
    union {
      char* outside;
      char inside[kInline];
    } payload;
    const Queue* queue;  ///< nullptr while free
    // Copies of the heap slot's, so that a ZADD finding its task unchanged
    // reads no heap slot: one cache miss fewer. The owner keeps them equal.
    std::int64_t due_ms;
    std::uint64_t id;
    std::uint32_t size;
    std::uint32_t link;  ///< in use: the owner's (the heap position); free: the next free entry
    [[nodiscard]] const char* data() const {
      return size <= kInline ? payload.inside : payload.outside;
    }
    [[nodiscard]] std::string_view bytes() const { return {data(), size}; }
  };

  EntrySlab() = default;
  EntrySlab(const EntrySlab&) = delete;
  EntrySlab& operator=(const EntrySlab&) = delete;
  ~EntrySlab() { reset(); }

  Entry& operator[](std::uint32_t at) { return chunks_[at >> kChunkBits][at & kChunkMask]; }
  const Entry& operator[](std::uint32_t at) const {
    return chunks_[at >> kChunkBits][at & kChunkMask];
  }

  /// A new entry holding a copy of `payload` (at most 4 GiB, which the
  /// caller checks), its link 0. Throws only std::bad_alloc, with nothing
  /// changed.
  std::uint32_t take(const Queue& queue, std::string_view payload) {
    if (free_ == kNone && used_ == chunks_.size() << kChunkBits) {
      chunks_.push_back(std::make_unique<Entry[]>(kChunkSize));
    }
    Entry entry{};
    entry.queue = &queue;
    entry.size = static_cast<std::uint32_t>(payload.size());
    char* to = entry.payload.inside;
    if (payload.size() > kInline) to = entry.payload.outside = new char[payload.size()];
    std::copy(payload.begin(), payload.end(), to);
    std::uint32_t at = free_;
    if (at == kNone) {
      at = used_++;
    } else {
      free_ = (*this)[at].link;
    }
    (*this)[at] = entry;
    return at;
  }

  /// Frees the payload and puts the entry on the free list.
  void give_back(std::uint32_t at) {
    Entry& entry = (*this)[at];
    if (entry.size > kInline) delete[] entry.payload.outside;
    entry = Entry{};
    entry.link = free_;
    free_ = at;
  }

  /// Forgets every entry, freeing their payloads. Keeps one chunk, so that
  /// a set that empties and fills again by one task does not allocate.
  void reset() {
    for (std::uint32_t at = 0; at < used_; ++at) {
      const Entry& entry = (*this)[at];
      if (entry.size > kInline) delete[] entry.payload.outside;  // free entries have size 0
    }
    used_ = 0;
    free_ = kNone;
    chunks_.resize(std::min<std::size_t>(chunks_.size(), 1));
    chunks_.shrink_to_fit();
  }

 private:
  // 1,024 entries (48 KiB) a chunk: small enough for a set of a few tasks,
  // and a million tasks need a table of only 1,024 chunk pointers.
  static constexpr unsigned kChunkBits = 10;
  static constexpr std::size_t kChunkSize = std::size_t{1} << kChunkBits;
  static constexpr std::uint32_t kChunkMask = kChunkSize - 1;

  std::vector<std::unique_ptr<Entry[]>> chunks_;
  std::uint32_t used_ = 0;  ///< entries ever handed out since the last reset
  std::uint32_t free_ = kNone;
};

}  // namespace tasq::schedule::detail
