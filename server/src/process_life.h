#pragma once
// The parts of the master's life that are about the process itself:
// detaching, the pid file, and the title `ps` shows.

#include <string>

namespace tasq::server {

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
