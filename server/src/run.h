#pragma once
// tasqd's main, apart from the executable's one-line main.cpp so that it
// can be linked into other programs (tests, benchmarks).

namespace tasq::server {

/// Parses the invocation and runs the master; returns the exit code.
int run_tasqd(int argc, char** argv);

}  // namespace tasq::server
