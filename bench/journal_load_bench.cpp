// journal_load_bench [TASKS] [PAYLOAD_BYTES] [DIR]
// Writes TASKS live tasks (default 1,000,000 of 64 bytes) through the
// Journal API, then times a fresh load() and next_live() over all of them,
// and reports the peak RSS of the whole run.

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <boost/asio/executor_work_guard.hpp>

#include "tasq/journal/journal.h"

using namespace tasq::journal;
using Clock = std::chrono::steady_clock;

static double since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int main(int argc, char** argv) {
  std::uint64_t tasks = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1000000;
  std::size_t payload_bytes = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 64;
  std::string dir = argc > 3 ? argv[3] : std::filesystem::temp_directory_path().string();
  std::string path = dir + "/journal_load_bench." + std::to_string(::getpid());
  std::string payload(payload_bytes, 'p');

  boost::asio::io_context io;
  auto load = [&](Journal& journal) {
    LoadResult out;
    auto guard = boost::asio::make_work_guard(io);
    journal.load([&](const LoadResult& result) {
      out = result;
      guard.reset();
    });
    io.restart();
    io.run();
    return out;
  };

  auto start = Clock::now();
  {
    Journal journal(io, path, FsyncPolicy::no, 1ULL << 50);
    load(journal);
    for (std::uint64_t id = 1; id <= tasks; ++id) {
      journal.append_task(id, 1, 0, "default", payload);
      if (id % 1000 == 0 && journal.write()) return 1;
    }
    if (journal.write()) return 1;
    journal.close();
  }
  std::printf("wrote %llu tasks, %llu bytes in %.2f s\n", static_cast<unsigned long long>(tasks),
              static_cast<unsigned long long>(std::filesystem::file_size(path)), since(start));

  start = Clock::now();
  Journal journal(io, path, FsyncPolicy::no, 1ULL << 50);
  LoadResult result = load(journal);
  double loaded = since(start);
  Task task;
  std::uint64_t count = 0;
  std::uint64_t bytes = 0;
  while (journal.next_live(task)) {
    ++count;
    bytes += task.payload.size();
  }
  double total = since(start);
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  std::printf("load: %.2f s (%llu records, %llu live%s%s); load + next_live over all: %.2f s; "
              "peak RSS %ld MiB\n",
              loaded, static_cast<unsigned long long>(result.records),
              static_cast<unsigned long long>(count), result.error.empty() ? "" : ", error: ",
              result.error.c_str(), total, usage.ru_maxrss / 1024);
  journal.close();
  std::filesystem::remove(path);
  return count == tasks && bytes == tasks * payload_bytes ? 0 : 1;
}
