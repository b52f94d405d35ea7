#pragma once
// Shared by the journal tests: a temporary directory, and driving the
// io_context until the journal's helper threads have reported back.

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/executor_work_guard.hpp>
#pragma GCC diagnostic pop

#include "tasq/journal/journal.h"

namespace tasq::journal::test {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tasq-journal-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

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

/// Polls `io` until `done()` holds, for at most ~20 s.
template <typename Pred>
bool run_until(boost::asio::io_context& io, Pred done) {
  for (int i = 0; i < 20000; ++i) {
    io.restart();
    io.poll();
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return false;
}

inline std::vector<Task> live_tasks(Journal& journal) {
  std::vector<Task> out;
  Task task;
  while (journal.next_live(task)) out.push_back(task);
  return out;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
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
