#pragma once
// Shared by the journal tests: a temporary directory, and driving the
// io_context until the journal's helper threads have reported back.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>

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

}  // namespace tasq::journal::test
