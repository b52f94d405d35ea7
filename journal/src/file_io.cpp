#include "file_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace tasq::journal {

std::error_code last_errno() { return {errno, std::system_category()}; }

std::error_code write_all_at(int fd, const char* data, std::size_t size, std::uint64_t offset) {
  while (size > 0) {
    ssize_t n = ::pwrite(fd, data, size, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_errno();
    }
    data += n;
    size -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
  return {};
}

std::error_code read_all_at(int fd, char* data, std::size_t size, std::uint64_t offset) {
  while (size > 0) {
    ssize_t n = ::pread(fd, data, size, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_errno();
    }
    if (n == 0) return std::make_error_code(std::errc::io_error);
    data += n;
    size -= static_cast<std::size_t>(n);
    offset += static_cast<std::uint64_t>(n);
  }
  return {};
}

std::error_code copy_range(int src, std::uint64_t from, std::uint64_t to, int dst,
                           std::uint64_t dst_offset) {
  constexpr std::uint64_t kChunk = 1 << 20;
  std::vector<char> chunk(static_cast<std::size_t>(std::min(kChunk, to > from ? to - from : 0)));
  while (from < to) {
    auto n = static_cast<std::size_t>(std::min(kChunk, to - from));
    if (auto ec = read_all_at(src, chunk.data(), n, from)) return ec;
    if (auto ec = write_all_at(dst, chunk.data(), n, dst_offset)) return ec;
    from += n;
    dst_offset += n;
  }
  return {};
}

std::error_code fsync_parent_directory(const std::string& path) {
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return last_errno();
  std::error_code ec;
  if (::fsync(fd) != 0) ec = last_errno();
  ::close(fd);
  return ec;
}

}  // namespace tasq::journal

namespace tasq::journal {

std::error_code make_private(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return last_errno();
  if ((st.st_mode & 07777) == 0600) return {};
  if (::fchmod(fd, 0600) != 0) return last_errno();
  return {};
}

std::string save_range(int fd, std::uint64_t from, std::uint64_t to, std::string& target) {
  int out = -1;
  std::string name = target;
  for (int n = 1; n <= 1000; ++n) {
    out = ::open(name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out >= 0 || errno != EEXIST) break;
    name = target + "." + std::to_string(n);
  }
  if (out < 0) return "open " + name + ": " + std::strerror(errno);
  std::string error;
  if (auto ec = make_private(out)) {
    error = "fchmod " + name + ": " + ec.message();
  } else if (auto copy_ec = copy_range(fd, from, to, out, 0)) {
    error = "copying to " + name + ": " + copy_ec.message();
  } else if (::fsync(out) != 0) {
    error = "fsync " + name + ": " + std::strerror(errno);
  }
  ::close(out);
  if (error.empty()) {
    if (auto ec = fsync_parent_directory(name))
      error = "fsync of the directory of " + name + ": " + ec.message();
  }
  if (!error.empty()) {
    ::unlink(name.c_str());
    return error;
  }
  target = name;
  return {};
}

}  // namespace tasq::journal
