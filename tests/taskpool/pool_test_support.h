#pragma once
// Helpers for the Pool tests: a pool with real worker processes on its own
// io_context, every TaskEnd copied out, and bounded waits (generous
// deadlines, never timing assertions).

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tasq/taskpool/pool.h"
#include "tasq/test/eventually.h"
#include "tasq/test/files.h"
#include "tasq/test/temp_dir.h"

namespace tasq::taskpool::testing {

using namespace std::chrono_literals;
using tasq::test::read_file;
using tasq::test::TempDir;

struct EndCopy {
  std::uint64_t id;
  std::string queue;
  std::uint32_t attempt;
  tasq_outcome outcome;
  int status;
  std::string result;
  std::string reason;
  std::string payload;
};

/// A config for tests: the test worker, small ring, quick waits.
inline PoolConfig test_config(std::string handler = "echo", std::uint32_t workers = 2) {
  PoolConfig config;
  config.worker_exe = TASQ_POOL_TEST_WORKER;
  config.worker_count = workers;
  config.ring_bytes = 1u << 20;
  config.max_payload_bytes = 64u << 10;
  config.handler = std::move(handler);
  config.max_wait = 3000ms;
  config.log_level = "warn";
  return config;
}

class PoolHarness {
 public:
  explicit PoolHarness(PoolConfig config) : pool_(std::make_unique<Pool>(io_, std::move(config))) {
    pool_->on_task_end = [this](const TaskEnd& end) {
      ends.push_back({end.id, std::string(end.queue), end.attempt, end.outcome, end.status,
                      std::string(end.result), std::string(end.reason),
                      std::string(end.payload)});
      if (end.outcome != TASQ_FAILED) ++finals;
      if (on_end) on_end(end);
    };
    pool_->on_space_freed = [this] {
      ++space_freed;
      if (on_space) on_space();
    };
  }

  Pool& pool() { return *pool_; }
  boost::asio::io_context& io() { return io_; }

  /// Runs the reactor until `done()` or the deadline; returns done().
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 30s) {
    return tasq::test::eventually(
        [&] {
          if (done()) return true;
          io_.restart();
          io_.run_for(5ms);
          return done();
        },
        limit, 0ms);
  }

  /// Runs the reactor for a while regardless.
  void run_for(std::chrono::milliseconds duration) {
    const auto deadline = std::chrono::steady_clock::now() + duration;
    while (std::chrono::steady_clock::now() < deadline) {
      io_.restart();
      io_.run_for(5ms);
    }
  }

  /// Starts the pool and waits until every worker has loaded its handler.
  void start() {
    pool_->start();
    ASSERT_TRUE(run_until([this] { return all_ready(); })) << "workers never became ready";
  }

  bool all_ready() {
    for (const auto& w : pool_->workers()) {
      if (w.pid <= 0 || (w.state != WorkerState::idle && w.state != WorkerState::busy)) {
        return false;
      }
    }
    return true;
  }

  std::uint64_t push(std::string_view queue, std::string_view payload) {
    const std::string_view one[] = {payload};
    return pool_->push(queue, one);
  }

  /// Waits until `count` tasks have ended for good (completed or dead).
  bool wait_finals(std::size_t count, std::chrono::milliseconds limit = 30s) {
    return run_until([&] { return finals >= count; }, limit);
  }

  std::vector<EndCopy> ends_of(std::uint64_t id) const {
    std::vector<EndCopy> out;
    for (const auto& e : ends) {
      if (e.id == id) out.push_back(e);
    }
    return out;
  }

  std::vector<int> pids() const {
    std::vector<int> out;
    for (const auto& w : pool_->workers()) out.push_back(w.pid);
    return out;
  }

  std::vector<EndCopy> ends;
  std::size_t finals = 0;
  std::size_t space_freed = 0;
  std::function<void(const TaskEnd&)> on_end;
  std::function<void()> on_space;

 private:
  boost::asio::io_context io_{1};
  std::unique_ptr<Pool> pool_;
};

inline bool process_exists(int pid) { return pid > 0 && ::kill(pid, 0) == 0; }

}  // namespace tasq::taskpool::testing
