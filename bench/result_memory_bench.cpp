// result_memory_bench: what a kept result costs the master beyond its own
// bytes (queue name and result), measured with malloc's own accounting.
//
//   result_memory_bench [--results N] [--size BYTES]
//
// Keeps N results of BYTES bytes each in a ResultStore, as tasqd's end of a
// task does, and prints the heap growth per result minus those bytes (goal:
// at most 128 B). Also prints what the store charges each one against
// result_max_memory.

#include <malloc.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "tasq/results/result_store.h"

namespace {

std::size_t heap_in_use() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t count = 1'000'000;
  std::size_t size = 64;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--results") == 0) {
      count = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (std::strcmp(argv[i], "--size") == 0) {
      size = std::strtoull(argv[i + 1], nullptr, 10);
    } else {
      std::fprintf(stderr, "usage: result_memory_bench [--results N] [--size BYTES]\n");
      return 2;
    }
  }
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer's allocator replaces glibc's: mallinfo2 sees none of it.
  std::printf("results: not measured: AddressSanitizer's allocator is not glibc's\n");
  return 0;
#endif
  const std::string queue = "bench";
  const std::string result(size, 'r');
  using tasq::results::ResultStore;
  const std::size_t before = heap_in_use();
  {
    ResultStore store({.ttl_ms = 1LL << 50, .max_bytes = SIZE_MAX});
    for (std::size_t i = 1; i <= count; ++i) {
      store.keep({.task_id = i,
                  .entry_id = {1'700'000'000'000 + i / 16, i % 16},
                  .status = tasq::results::Status::completed,
                  .attempts = 1,
                  .enqueued_ms = 1'700'000'000'000,
                  .started_ms = 1'700'000'000'000,
                  .ended_ms = 0,
                  .queue = queue,
                  .result = result,
                  .error = {}},
                 0);
    }
    const std::size_t grown = heap_in_use() - before;
    const double each = static_cast<double>(grown) / static_cast<double>(count);
    const double beyond = each - static_cast<double>(queue.size() + size);
    std::printf(
        "results %zu of %zu bytes (queue %zu): heap %.1f B each, %.1f B beyond their bytes; the "
        "store charges %zu B beyond them against result_max_memory\n",
        count, size, queue.size(), each, beyond, ResultStore::entry_overhead());
    if (store.size() != count) {
      std::fprintf(stderr, "result_memory_bench: kept %zu of %zu\n", store.size(), count);
      return 1;
    }
  }
  return 0;
}
