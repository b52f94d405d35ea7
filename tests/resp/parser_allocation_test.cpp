// What the parser allocates follows the bytes received, never what a header
// claims. Measured by replacing the global allocator of this test binary.

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "parser_test_support.h"

namespace {

std::atomic<std::size_t> g_largest{0};

void note(std::size_t n) {
  std::size_t seen = g_largest.load(std::memory_order_relaxed);
  while (n > seen && !g_largest.compare_exchange_weak(seen, n, std::memory_order_relaxed)) {
  }
}

void* allocate(std::size_t n) {
  note(n);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}

}  // namespace

// Every form is replaced so that allocation and release stay matched for the
// sanitizer (malloc with free throughout).
void* operator new(std::size_t n) { return allocate(n); }
void* operator new[](std::size_t n) { return allocate(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  note(n);
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  note(n);
  return std::malloc(n == 0 ? 1 : n);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace tasq::resp::test {
namespace {

// The largest single allocation made while `body` runs.
template <typename Body>
std::size_t largest_allocation(Body body) {
  g_largest = 0;
  body();
  return g_largest.load();
}

TEST(ParserAllocation, ClaimedCountReservesLittle) {
  ParserLimits limits;
  limits.max_request_bytes = 64 << 20;
  Parser parser(limits);
  std::vector<std::string_view> args;
  args.reserve(16);
  const auto largest = largest_allocation([&] {
    feed_copy(parser, "*1000000\r\n$1\r\na\r\n$1\r\nb\r\n");
    EXPECT_EQ(parser.next(args), ParseStatus::need_more);
    parser.compact();
  });
  EXPECT_LT(largest, 64U * 1024);
}

TEST(ParserAllocation, RefusedBulkAllocatesNothingLarge) {
  Parser parser;
  std::vector<std::string_view> args;
  const auto largest = largest_allocation([&] {
    feed_copy(parser, "*2\r\n$4\r\nECHO\r\n$2097153\r\n");
    EXPECT_EQ(parser.next(args), ParseStatus::bulk_too_long);
    parser.compact();
    parser.prepare();
  });
  EXPECT_LT(largest, 64U * 1024);
}

TEST(ParserAllocation, AnnouncedBulkGetsOneBufferOfItsSize) {
  Parser parser;
  std::vector<std::string_view> args;
  feed_copy(parser, "*2\r\n$4\r\nECHO\r\n$1000000\r\n");
  ASSERT_EQ(parser.next(args), ParseStatus::need_more);
  const auto largest = largest_allocation([&] { parser.compact(); });
  // Room for the whole bulk and one more read, not a doubling beyond it.
  EXPECT_GE(largest, 1000000U);
  EXPECT_LE(largest, 1000000U + 64 * 1024);
}

}  // namespace
}  // namespace tasq::resp::test
