// The buffer half of Parser: where received bytes go and when they move.
// Bytes move only in prepare() and compact(), never in next(), so the views
// of a batch of commands stay valid until the caller is done with the batch.

#include <algorithm>
#include <cstring>

#include "tasq/resp/parser.h"

namespace tasq::resp {
namespace {

// What a fresh buffer holds, and the least compact() shrinks to.
constexpr std::size_t kInitialCapacity = 16 * 1024;
// A bulk this long gets a buffer sized for it as soon as its header is read,
// so its bytes are written in place and moved at most once (the prefix that
// came with its header), never once per doubling (Redis's PROTO_MBULK_BIG_ARG).
constexpr std::size_t kBigBulkBytes = 32 * 1024;
// Buffers up to this size are kept whatever they hold; a bigger one is given
// back once it is mostly empty, so an idle client does not hold megabytes.
constexpr std::size_t kShrinkAbove = 64 * 1024;
// An argument table this big is released between commands.
constexpr std::size_t kArgsKeep = 1024;

}  // namespace

Parser::Parser(ParserLimits limits) : limits_(limits) {}

std::span<char> Parser::prepare(std::size_t min_bytes) {
  min_bytes = std::max<std::size_t>(min_bytes, 1);
  read_chunk_ = min_bytes;
  const std::size_t big = big_bulk_remaining();
  const std::size_t wanted = big + min_bytes;
  if (capacity_ - end_ < wanted) {
    const std::size_t live = end_ - begin_;
    if (live + wanted <= capacity_) {
      relocate(capacity_);
    } else if (big > 0) {
      relocate(live + wanted);  // exactly what the big bulk needs, no doubling
    } else {
      relocate(std::max({live + wanted, capacity_ * 2, kInitialCapacity}));
    }
  }
  prepared_ = capacity_ - end_;
  read_pending_ = true;
  return {buf_.get() + end_, prepared_};
}

void Parser::commit(std::size_t n) {
  n = std::min(n, prepared_);  // more than was prepared cannot have been written
  end_ += n;
  prepared_ = 0;  // one commit per prepare, as with Asio's dynamic buffers
  read_pending_ = false;
}

void Parser::feed(std::string_view bytes) {
  while (!bytes.empty()) {
    const std::span<char> space = prepare();
    const std::size_t n = std::min(space.size(), bytes.size());
    std::memcpy(space.data(), bytes.data(), n);
    commit(n);
    bytes.remove_prefix(n);
  }
}

// Called once per batch. Besides dropping what was returned, this is where a
// big bulk announced during the batch gets its room, in the same move. A
// session may run a batch while a read is in flight (after a write completes);
// the kernel is then writing into the prepared span, so nothing may move.
void Parser::compact() {
  if (state_ == State::start && args_.capacity() > kArgsKeep) std::vector<Arg>().swap(args_);
  if (read_pending_) return;
  const std::size_t live = end_ - begin_;
  const std::size_t needed = live + big_bulk_remaining() + read_chunk_;
  if (capacity_ > kShrinkAbove && needed <= capacity_ / 4) {
    relocate(std::max(needed, kInitialCapacity));
  } else if (needed > capacity_ && big_bulk_remaining() > 0) {
    relocate(needed);
  } else if (begin_ > 0) {
    relocate(capacity_);
  }
}

void Parser::release_idle_buffer() {
  if (read_pending_ || end_ != begin_ || state_ != State::start) return;
  buf_.reset();
  capacity_ = 0;
  begin_ = pos_ = scan_ = end_ = 0;
  std::vector<Arg>().swap(args_);
}

std::size_t Parser::buffered() const { return end_ - begin_; }

std::size_t Parser::capacity() const { return capacity_; }

std::size_t Parser::big_bulk_remaining() const {
  if (state_ != State::arg_body || bulk_length_ < kBigBulkBytes) return 0;
  const std::size_t bulk_end = pos_ + bulk_length_ + 2;
  return bulk_end > end_ ? bulk_end - end_ : 0;
}

void Parser::relocate(std::size_t new_capacity) {
  const std::size_t live = end_ - begin_;
  if (new_capacity == capacity_ && buf_ != nullptr) {
    if (live > 0 && begin_ > 0) std::memmove(buf_.get(), buf_.get() + begin_, live);
  } else {
    auto fresh = std::make_unique_for_overwrite<char[]>(new_capacity);
    if (live > 0) std::memcpy(fresh.get(), buf_.get() + begin_, live);
    buf_ = std::move(fresh);
    capacity_ = new_capacity;
  }
  pos_ -= begin_;
  scan_ -= begin_;
  end_ = live;
  begin_ = 0;
}

}  // namespace tasq::resp
