#include "process_life.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>

namespace tasq::server {
namespace {

[[noreturn]] void fail(const char* call) {
  throw std::runtime_error(std::string("daemonize: ") + call + ": " + std::strerror(errno));
}

}  // namespace

bool open_standard_descriptors() {
  for (int fd = STDIN_FILENO; fd <= STDERR_FILENO; ++fd) {
    if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    // The lowest free number is this one, since those below it are open.
    const int null_fd = ::open("/dev/null", O_RDWR);
    if (null_fd < 0) return false;
    if (null_fd != fd) {
      ::close(null_fd);
      errno = EBADF;
      return false;
    }
  }
  return true;
}

void daemonize() {
  pid_t pid = ::fork();
  if (pid < 0) fail("fork");
  if (pid > 0) ::_exit(0);
  if (::setsid() < 0) fail("setsid");
  // Not O_CLOEXEC: fds 0-2 are open by now (open_standard_descriptors), so
  // this lands above them, but a dup2 onto itself would keep the flag.
  int fd = ::open("/dev/null", O_RDWR);
  if (fd < 0) fail("open /dev/null");
  for (int target : {STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO}) {
    if (::dup2(fd, target) < 0) fail("dup2");
  }
  if (fd > STDERR_FILENO) ::close(fd);
}

PidFile::PidFile(std::string path) : path_(std::move(path)) {
  if (path_.empty()) return;
  std::ofstream out(path_, std::ios::trunc);
  out << ::getpid() << '\n';
  out.flush();
  if (!out) {
    throw std::runtime_error("pid_file: cannot write '" + path_ + "': " + std::strerror(errno));
  }
}

PidFile::~PidFile() {
  if (!path_.empty()) ::unlink(path_.c_str());
}

std::string executable_path() {
  std::string path(4096, '\0');
  ssize_t n = ::readlink("/proc/self/exe", path.data(), path.size() - 1);
  if (n <= 0)
    throw std::runtime_error(std::string("readlink /proc/self/exe: ") + std::strerror(errno));
  path.resize(static_cast<std::size_t>(n));
  return path;
}

}  // namespace tasq::server
