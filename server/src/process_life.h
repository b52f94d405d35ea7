#pragma once
// The parts of the master's life that are about the process itself:
// detaching, the pid file, and the title `ps` shows.

#include <string>

namespace tasq::server {

/// Opens /dev/null on each of fds 0-2 that is closed. Run first: a master
/// started with them closed would otherwise give those numbers to its log,
/// sockets or shared memory, which a worker's start (it puts /dev/null on
/// its stdin) or a stray write to stdout would then clobber. Returns false
/// (errno set) when /dev/null cannot be opened.
bool open_standard_descriptors();

/// Forks into the background and detaches from the terminal; the parent
/// exits 0 in here. Throws std::runtime_error on failure.
void daemonize();

/// Writes the pid file; removes it again when the returned guard goes away.
class PidFile {
 public:
  explicit PidFile(std::string path);
  ~PidFile();
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;

 private:
  std::string path_;
};

/// Absolute path of the running executable, for starting workers.
std::string executable_path();

}  // namespace tasq::server
