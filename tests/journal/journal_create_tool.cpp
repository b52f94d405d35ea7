// Creates (or opens) the journal named on the command line, loads it and
// closes it: run under strace by journal_cli_tests to see the system calls
// a journal's creation makes.

#include <cstdio>
#include <string>

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#include <boost/asio/executor_work_guard.hpp>
#pragma GCC diagnostic pop

#include "tasq/journal/journal.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s JOURNAL\n", argv[0]);
    return 2;
  }
  boost::asio::io_context io;
  tasq::journal::Journal journal(io, argv[1], tasq::journal::FsyncPolicy::always, 1ULL << 40);
  std::string error = "not loaded";
  auto guard = boost::asio::make_work_guard(io);
  journal.load([&](const tasq::journal::LoadResult& result) {
    error = result.error;
    guard.reset();
  });
  io.run();
  journal.close();
  if (!error.empty()) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  return 0;
}
