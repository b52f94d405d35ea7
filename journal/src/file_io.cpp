#include "file_io.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
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
