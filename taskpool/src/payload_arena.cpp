#include "payload_arena.h"

#include <boost/interprocess/mem_algo/rbtree_best_fit.hpp>
#include <boost/interprocess/sync/mutex_family.hpp>
#include <new>

namespace tasq::taskpool {

namespace bip = boost::interprocess;

// No mutex: one thread allocates. Plain pointers rather than offset_ptr: only
// the master uses the allocator, at the one address it mapped.
using Algorithm = bip::rbtree_best_fit<bip::null_mutex_family, void*>;

// The algorithm's bookkeeping lives at the start of the region it manages.
struct PayloadArena::Impl {
  explicit Impl(char* base, std::size_t bytes) : algorithm(new (base) Algorithm(bytes, 0)) {}
  ~Impl() { algorithm->~Algorithm(); }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  Algorithm* algorithm;
  std::size_t free_when_empty = 0;
};

PayloadArena::PayloadArena(char* base, std::size_t bytes)
    : base_(base), capacity_(bytes), impl_(std::make_unique<Impl>(base, bytes)) {
  impl_->free_when_empty = impl_->algorithm->get_free_memory();
}

PayloadArena::~PayloadArena() = default;

std::optional<std::uint64_t> PayloadArena::allocate(std::size_t bytes) {
  void* block = impl_->algorithm->allocate(bytes);
  if (block == nullptr) return std::nullopt;
  return static_cast<std::uint64_t>(static_cast<char*>(block) - base_);
}

void PayloadArena::free(std::uint64_t offset) { impl_->algorithm->deallocate(base_ + offset); }

std::size_t PayloadArena::used() const {
  return impl_->free_when_empty - impl_->algorithm->get_free_memory();
}

}  // namespace tasq::taskpool
