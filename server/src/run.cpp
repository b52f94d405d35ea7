#include "run.h"

#include <bsd/unistd.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <csignal>
#include <cstdio>
#include <exception>
#include <optional>

#include "logging.h"
#include "process_life.h"
#include "server.h"
#include "tasq/config/config.h"
#include "tasq/journal/journal.h"
#include "tasq/server/version.h"
#include "tasq/taskpool/pool.h"

extern char** environ;

namespace tasq::server {
namespace {

// Every client is a descriptor: like Redis, ask for enough of them for
// max_connections plus the server's own, as far as the hard limit allows.
void raise_open_files_limit(const config::Config& config) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  rlim_t wanted = static_cast<rlim_t>(config.max_connections) + 128;
  if (limit.rlim_cur >= wanted) return;
  rlim_t before = limit.rlim_cur;
  limit.rlim_cur = std::min(wanted, limit.rlim_max);
  if (::setrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur < wanted) {
    spdlog::warn("max_connections {} needs {} open files; the limit is {} (was {})",
                 config.max_connections, wanted, limit.rlim_cur, before);
  }
}

int report_errors(const std::vector<std::string>& errors) {
  for (const auto& line : errors) std::fprintf(stderr, "tasqd: %s\n", line.c_str());
  return 1;
}

}  // namespace

int run_tasqd(int argc, char** argv) {
  if (taskpool::is_worker_process(argc, argv)) return taskpool::worker_main(argc, argv);
  if (!open_standard_descriptors()) {
    std::perror("tasqd: open /dev/null on a closed fd 0, 1 or 2");
    return 71;  // EX_OSERR
  }

  std::string exe = executable_path();
  // setproctitle moves the environment out of the way of argv, so it runs
  // before anything keeps pointers into either.
  ::setproctitle_init(argc, argv, environ);

  auto invocation = config::parse_invocation(argc, argv);
  switch (invocation.action) {
    case config::Invocation::Action::help:
      std::fputs(invocation.help_text.c_str(), stdout);
      return 0;
    case config::Invocation::Action::version:
      std::printf("tasqd %s (Redis protocol %s)\n", kVersion, kRedisCompatVersion);
      return 0;
    case config::Invocation::Action::test_config:
      if (!invocation.errors.empty()) return report_errors(invocation.errors);
      std::printf("tasqd: configuration %s is valid\n",
                  invocation.config_file.empty() ? "(defaults)" : invocation.config_file.c_str());
      return 0;
    case config::Invocation::Action::check_journal:
      return journal::check_file(invocation.check_journal_file, invocation.fix_journal, stdout);
    case config::Invocation::Action::run:
      break;
  }
  if (!invocation.errors.empty()) return report_errors(invocation.errors);
  const config::Config& config = invocation.config;

  bool logging_ready = false;
  try {
    setup_logging(config);
    logging_ready = true;
    if (config.daemonize) daemonize();
    raise_open_files_limit(config);
    // A journal past RLIMIT_FSIZE must fail its write (EFBIG, reported to
    // the clients) rather than kill the master.
    ::signal(SIGXFSZ, SIG_IGN);
    ::setproctitle("-tasqd: master");

    boost::asio::io_context io(1);
    Server server(io, config, {exe});
    server.start();
    // Written once signals are handled, so whoever reads it can signal at once.
    std::optional<PidFile> pid_file;
    if (!config.pid_file.empty()) pid_file.emplace(config.pid_file);
    spdlog::info("tasqd {} ready: pid {}, {} task worker(s), handler {}", kVersion, ::getpid(),
                 config.task_worker_num, config.handler);
    io.run();
  } catch (const std::exception& e) {
    // The reason goes to stderr in every case, so that `tasqd` started by
    // hand, systemd or docker shows why it stopped; and to log_file too.
    if (logging_ready) spdlog::error("{}", e.what());
    if (!logging_ready || !config.log_file.empty()) std::fprintf(stderr, "tasqd: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace tasq::server
