#pragma once
// Shared by the journal tests: driving the io_context until the journal's
// helper threads have reported back, and sample tasks.

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>

#include "tasq/journal/journal.h"
#include "tasq/test/eventually.h"
#include "tasq/test/files.h"
#include "tasq/test/temp_dir.h"

namespace tasq::journal::test {

using tasq::test::read_file;
using tasq::test::TempDir;
using tasq::test::write_file;

/// Runs `io` until load() reports (bounded by the test's timeout).
inline LoadResult load(boost::asio::io_context& io, Journal& journal) {
  LoadResult out;
  auto guard = boost::asio::make_work_guard(io);
  journal.load([&](const LoadResult& result) {
    out = result;
    guard.reset();
  });
  io.restart();
  io.run();
  return out;
}

/// Polls `io` until `done()` holds, for at most 20 s.
template <typename Pred>
bool run_until(boost::asio::io_context& io, Pred done) {
  return tasq::test::eventually(
      [&] {
        io.restart();
        io.poll();
        return done();
      },
      std::chrono::seconds(20), std::chrono::milliseconds(1));
}

inline std::vector<Task> live_tasks(Journal& journal) {
  std::vector<Task> out;
  Task task;
  while (journal.next_live(task)) out.push_back(task);
  return out;
}

inline std::string payload_for(std::uint64_t id, std::size_t size = 64) {
  std::string out = "payload-" + std::to_string(id) + "-";
  while (out.size() < size) out += static_cast<char>('a' + (out.size() + id) % 26);
  out.resize(size);
  return out;
}

/// A fresh journal at `path` with tasks 1..n (queue "q", 64-byte payloads),
/// each written on its own; returns the file size before each task record,
/// and the size at the end.
inline std::vector<std::uint64_t> make_tasks(boost::asio::io_context& io, const std::string& path,
                                             std::uint64_t n) {
  Journal journal(io, path, FsyncPolicy::no, 1ULL << 40);
  EXPECT_EQ(load(io, journal).error, "");
  std::vector<std::uint64_t> starts;
  for (std::uint64_t id = 1; id <= n; ++id) {
    starts.push_back(journal.stats().size_bytes);
    journal.append_task(id, 1, 0, "q", payload_for(id));
    EXPECT_FALSE(journal.write());
  }
  starts.push_back(journal.stats().size_bytes);
  return starts;
}

/// Lowers the file size limit for the scope, as a full disk would make
/// writes fail; SIGXFSZ is ignored so that a write fails with EFBIG instead
/// of killing the test.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, old_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit saved_{};
  void (*old_handler_)(int) = nullptr;
};

}  // namespace tasq::journal::test
