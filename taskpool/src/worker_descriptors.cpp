#include "worker_descriptors.h"

#include <dirent.h>
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <string_view>

namespace tasq::taskpool {
namespace {

// Kernels before 5.11 lack CLOSE_RANGE_CLOEXEC: walk /proc/self/fd instead.
void close_on_exec_by_listing() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) {
    spdlog::error("opendir(/proc/self/fd) to mark descriptors close-on-exec: {}",
                  std::strerror(errno));
    return;
  }
  const int own = ::dirfd(dir);
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name(entry->d_name);
    int fd = -1;
    auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), fd);
    if (ec != std::errc() || end != name.data() + name.size()) continue;
    if (fd <= STDERR_FILENO || fd == own) continue;
    const int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0 && (flags & FD_CLOEXEC) == 0 && ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC) != 0) {
      spdlog::error("fcntl({}, F_SETFD, FD_CLOEXEC): {}", fd, std::strerror(errno));
    }
  }
  ::closedir(dir);
}

}  // namespace

void close_on_exec_above_stderr() {
  if (::close_range(STDERR_FILENO + 1, ~0u, CLOSE_RANGE_CLOEXEC) == 0) return;
  if (errno != EINVAL && errno != ENOSYS) {
    spdlog::error("close_range(3.., CLOSE_RANGE_CLOEXEC): {}", std::strerror(errno));
  }
  close_on_exec_by_listing();
}

}  // namespace tasq::taskpool
