// pool_bench: how many tasks per second the task pool moves through
// ring -> worker -> completion -> TaskEnd on the master, with no network.
//
//   pool_bench [--workers N] [--tasks T] [--payload BYTES] [--window W] [--handler SPEC]
//              [--dispatch preemptive|key] [--queues Q]
//
// Tasks go round-robin to Q queues (default 1); with --dispatch key each
// queue runs one task at a time, so Q bounds the parallelism.
//
// The binary is also its own worker executable. It prints one line:
// "pool: T tasks of B bytes, N workers, handler H: X tasks/s".

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "tasq/taskpool/pool.h"

namespace {

struct Options {
  std::uint32_t workers = 2;
  std::uint64_t tasks = 2'000'000;
  std::size_t payload = 64;
  std::uint64_t window = 16384;  ///< tasks pushed and not yet ended
  std::string handler = "echo";
  tasq::taskpool::DispatchMode dispatch = tasq::taskpool::DispatchMode::preemptive;
  std::uint64_t queues = 1;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--workers") {
      o.workers = static_cast<std::uint32_t>(std::stoul(value));
    } else if (flag == "--tasks") {
      o.tasks = std::stoull(value);
    } else if (flag == "--payload") {
      o.payload = std::stoul(value);
    } else if (flag == "--window") {
      o.window = std::stoull(value);
    } else if (flag == "--handler") {
      o.handler = value;
    } else if (flag == "--dispatch" && (std::string_view(value) == "preemptive" ||
                                        std::string_view(value) == "key")) {
      o.dispatch = std::string_view(value) == "key" ? tasq::taskpool::DispatchMode::key
                                                    : tasq::taskpool::DispatchMode::preemptive;
    } else if (flag == "--queues" && std::stoull(value) > 0) {
      o.queues = std::stoull(value);
    } else {
      std::fprintf(stderr, "pool_bench: unknown option %s\n", argv[i]);
      std::exit(2);
    }
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tasq::taskpool;
  if (is_worker_process(argc, argv)) return worker_main(argc, argv);
  const Options options = parse(argc, argv);
  spdlog::set_level(spdlog::level::warn);

  PoolConfig config;
  config.worker_exe = std::filesystem::read_symlink("/proc/self/exe").string();
  config.worker_count = options.workers;
  config.handler = options.handler;
  config.log_level = "warn";
  config.dispatch_mode = options.dispatch;
  boost::asio::io_context io(1);
  Pool pool(io, config);
  pool.start();

  // Wait until every worker has its handler loaded, so start-up is not timed.
  auto all_ready = [&] {
    for (const auto& w : pool.workers()) {
      if (w.state != WorkerState::idle) return false;
    }
    return true;
  };
  while (!all_ready()) io.run_for(std::chrono::milliseconds(5));

  const std::string payload(options.payload, 'x');
  const std::string_view one[] = {payload};
  std::vector<std::string> queues;
  for (std::uint64_t q = 0; q < options.queues; ++q) {
    queues.push_back(options.queues == 1 ? "bench" : "bench:" + std::to_string(q));
  }
  std::uint64_t pushed = 0, ended = 0;
  bool refill_posted = false;
  auto refill = [&] {
    refill_posted = false;
    while (pushed < options.tasks && pushed - ended < options.window) {
      if (pool.push(queues[pushed % queues.size()], one) == 0) break;
      ++pushed;
    }
  };
  pool.on_space_freed = refill;
  pool.on_task_end = [&](const TaskEnd& end) {
    if (end.outcome == TASQ_FAILED) return;
    if (++ended == options.tasks) {
      io.stop();
      return;
    }
    if (!refill_posted && pushed - ended < options.window / 2) {
      refill_posted = true;
      boost::asio::post(io, refill);
    }
  };

  const auto start = std::chrono::steady_clock::now();
  refill();
  io.restart();
  io.run();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const PoolStats stats = pool.stats();
  std::printf(
      "pool: %llu tasks of %zu bytes, %u workers, handler %s, %s dispatch over %llu queue(s): "
      "%.0f tasks/s (%.3f s)\n",
      static_cast<unsigned long long>(ended), options.payload, options.workers,
      options.handler.c_str(),
      options.dispatch == tasq::taskpool::DispatchMode::key ? "key" : "preemptive",
      static_cast<unsigned long long>(options.queues), static_cast<double>(ended) / seconds,
      seconds);
  if (stats.completed != options.tasks) {
    std::fprintf(stderr, "pool_bench: %llu of %llu tasks completed\n",
                 static_cast<unsigned long long>(stats.completed),
                 static_cast<unsigned long long>(options.tasks));
    return 1;
  }
  return 0;
}
