#pragma once
// Internal: the worker's signal dispositions that the exec and pipe: handlers
// need before they start children.

namespace tasq::taskpool::handlers {

/// The worker writes into pipes whose reader may be gone (a command's stdin,
/// a co-process's fd 3), so SIGPIPE must not kill it: EPIPE is handled
/// instead, and children get SIGPIPE back at its default as they start. An
/// ignored SIGCHLD would make the kernel reap the children itself, and their
/// exit status would be lost. Failures are logged under `tag` ("exec handler").
void prepare_worker_signals(const char* tag);

}  // namespace tasq::taskpool::handlers
