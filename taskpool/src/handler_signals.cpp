#include "handler_signals.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

namespace tasq::taskpool::handlers {

void prepare_worker_signals(const char* tag) {
  struct sigaction current {};
  if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    if (::sigaction(SIGPIPE, &ignore, nullptr) != 0) {
      spdlog::error("{}: sigaction(SIGPIPE, SIG_IGN): {}", tag, std::strerror(errno));
    }
  }
  if (::sigaction(SIGCHLD, nullptr, &current) == 0 &&
      (current.sa_handler == SIG_IGN || (current.sa_flags & SA_NOCLDWAIT) != 0)) {
    struct sigaction restore {};
    restore.sa_handler = SIG_DFL;
    if (::sigaction(SIGCHLD, &restore, nullptr) != 0) {
      spdlog::error("{}: sigaction(SIGCHLD, SIG_DFL): {}", tag, std::strerror(errno));
    }
  }
}

}  // namespace tasq::taskpool::handlers
