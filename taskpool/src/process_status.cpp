#include "process_status.h"

#include <string.h>
#include <sys/wait.h>

namespace tasq::taskpool {

std::string describe_wait_status(int wait_status, SignalName name) {
  if (wait_status < 0) return "exit status lost";
  if (WIFEXITED(wait_status)) return "exit code " + std::to_string(WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) {
    const int signo = WTERMSIG(wait_status);
    std::string text = "killed by signal " + std::to_string(signo);
    if (name == SignalName::with_name) {
      if (const char* abbrev = ::sigabbrev_np(signo)) text += std::string(" (SIG") + abbrev + ")";
    }
    if (WCOREDUMP(wait_status)) text += " (core dumped)";
    return text;
  }
  return "wait status " + std::to_string(wait_status);
}

}  // namespace tasq::taskpool
