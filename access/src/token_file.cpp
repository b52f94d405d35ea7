#include "tasq/access/token_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace tasq::access {
namespace {

std::runtime_error failure(const std::string& what, const std::string& path, int error) {
  return std::runtime_error(what + " " + path + ": " + std::strerror(error));
}

// The file is only as private as its directory: someone who may write there
// could swap the file, or plant a symlink for us to write through.
void ensure_private_directory(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) throw failure("mkdir", dir, errno);
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) throw failure("lstat", dir, errno);
  if (!S_ISDIR(st.st_mode)) throw std::runtime_error(dir + " is not a directory");
  if (st.st_uid != ::geteuid()) {
    throw std::runtime_error(dir + " belongs to uid " + std::to_string(st.st_uid) +
                             ", not to uid " + std::to_string(::geteuid()));
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    throw std::runtime_error(dir + " may be written by other users (mode " + mode +
                             "); make it 0700");
  }
}

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

std::string runtime_dir() {
  const char* chosen = std::getenv("TASQ_RUNTIME_DIR");
  if (chosen != nullptr && *chosen != '\0') return chosen;
  const uid_t uid = ::geteuid();
  struct stat st {};
  if (uid == 0 || (::lstat("/run/tasq", &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == uid)) {
    return "/run/tasq";
  }
  return "/tmp/tasq-" + std::to_string(uid);
}

std::string token_file_path(const std::string& dir, std::uint16_t port) {
  return dir + "/admin-" + std::to_string(port) + ".token";
}

WrittenFile write_token_file(const std::string& path, std::string_view token) {
  ensure_private_directory(parent_of(path));
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  ::unlink(temporary.c_str());  // left by a crash of an earlier process with this pid
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) throw failure("open", temporary, errno);
  std::string text(token);
  text += '\n';
  int error = 0;
  struct stat st {};
  // The umask can only take bits away from 0600; fchmod makes it exact.
  if (::fchmod(fd, 0600) != 0 || ::fstat(fd, &st) != 0) error = errno;
  for (std::size_t done = 0; error == 0 && done < text.size();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno != EINTR) error = errno;
    if (n > 0) done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && ::rename(temporary.c_str(), path.c_str()) != 0) error = errno;
  if (error != 0) {
    ::unlink(temporary.c_str());
    throw failure("writing", path, error);
  }
  return {path, st.st_dev, st.st_ino};
}

void remove_token_file(const WrittenFile& file) {
  struct stat st {};
  if (file.path.empty() || ::lstat(file.path.c_str(), &st) != 0) return;
  if (st.st_dev == file.device && st.st_ino == file.inode) ::unlink(file.path.c_str());
}

std::optional<std::string> read_token_file(const std::string& path, std::string* why) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (why != nullptr) *why = path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  char buffer[4096];
  std::string text;
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    if (text.size() >= sizeof buffer) break;
  }
  ::close(fd);
  text = text.substr(0, text.find('\n'));
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.pop_back();
  if (text.empty()) {
    if (why != nullptr) *why = path + ": empty";
    return std::nullopt;
  }
  return text;
}

}  // namespace tasq::access
