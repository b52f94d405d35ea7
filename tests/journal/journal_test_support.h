#pragma once
// Shared by the journal tests: driving the io_context until the journal's
// helper threads have reported back, and sample tasks.

#include <gtest/gtest.h>

#include <chrono>
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

}  // namespace tasq::journal::test
