#pragma once
// Internal: what a worker hands down to the processes its handler starts.
//
// The master starts a worker with its pool descriptors at fixed numbers
// (dup2 clears close-on-exec on them), and the worker opens more of its own
// (the log file: spdlog does not ask for O_CLOEXEC). None of them is for a
// handler's child: an `exec:` command that inherited the shared memory could
// write into it, one that inherited the eventfd could wake the master at will.

namespace tasq::taskpool {

/// Marks every descriptor above stderr close-on-exec, so that a child the
/// handler starts gets stdin, stdout and stderr and whatever its starter
/// passes on purpose, nothing of the worker's. Called once by the worker
/// after its own descriptors are open and before the handler is loaded;
/// failures are logged, and the exec handler closes the rest in the child
/// anyway.
void close_on_exec_above_stderr();

}  // namespace tasq::taskpool
