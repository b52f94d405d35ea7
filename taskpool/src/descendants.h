#pragma once
// Internal: the master as the reaper of everything its workers start.
//
// A handler's processes run in process groups of their own (an `exec:`
// command, a `pipe:` co-process), so killing a worker does not kill them. As
// a child subreaper the master inherits whatever a dying worker leaves
// behind instead of init, and so can find it and kill it. Which processes
// those are comes from the kernel (its list of this process's children),
// never from a pid or a group id that a worker wrote somewhere.

#include <sys/types.h>

#include <vector>

namespace tasq::taskpool {

/// Makes this process the reaper of its orphaned descendants
/// (PR_SET_CHILD_SUBREAPER). Logs and returns false when the kernel refuses.
bool become_subreaper();

/// This process's children, as the kernel lists them
/// (/proc/self/task/*/children, or a scan of /proc when that file is missing).
std::vector<pid_t> list_children();

/// Kills `pid`, a child of this process that it has not reaped (so the pid,
/// and its group id, cannot have been reused), with SIGKILL: the whole
/// process group when `pid` leads one, else the process alone. Checks first
/// that the process really is a child of this one, and leaves a zombie
/// alone (what it started was handed to this process when it died, and is
/// listed in its own right).
/// Returns whether it sent the signal.
bool kill_child_and_group(pid_t pid);

}  // namespace tasq::taskpool
