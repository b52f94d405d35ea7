#pragma once
// Internal: forking a child that execs at once, and learning whether the exec
// happened. The child keeps the writing end of a close-on-exec pipe (the
// report pipe): a successful exec closes it, a failed one writes its errno
// there. The parent reads until one or the other.
//
// The child-side calls run between fork and exec: they are async-signal-safe
// and allocate nothing; everything they need is prepared by the parent.

#include <sys/types.h>

#include <cstddef>

namespace tasq::taskpool {

/// The number of descriptors a child may hold (RLIMIT_NOFILE), for closing
/// them one by one where close_range is missing. Call in the parent.
int descriptor_limit();

/// In the child: signals back to their defaults and unblocked (the parent's
/// ignored signals would otherwise survive exec), a process group of its own
/// (so that everything it starts can be killed together), and SIGKILL when
/// `parent` dies. False when `parent` died before that took effect: the
/// child must then _exit.
[[nodiscard]] bool prepare_child(pid_t parent);

/// In the child: moves `sources[i]` onto descriptor `first_target + i`
/// (inherited across exec) and `report_fd` onto `first_target + count`
/// (close-on-exec), the report descriptor that exec_or_report() takes.
/// Every source is parked above the targets first, so that no dup2
/// overwrites a source that happens to sit on a target. False on failure.
[[nodiscard]] bool place_descriptors(const int* sources, std::size_t count, int first_target,
                                     int report_fd);

/// In the child: closes every descriptor above `report_fd` (one by one up to
/// `max_fd` where close_range is missing), execs `path`, and when that fails
/// writes its errno to `report_fd` and exits with 127.
[[noreturn]] void exec_or_report(int report_fd, int max_fd, const char* path, char* const* argv,
                                 char* const* envp);

/// In the parent, with its copy of the writing end closed: 0 once the child
/// exec'd (the report pipe closed), else the errno of the failure.
int wait_for_exec(int report_fd);

}  // namespace tasq::taskpool
