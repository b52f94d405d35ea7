#pragma once
// Temporary directories for tests, one way for every test: fresh, private,
// under the system's temporary directory ($TMPDIR or /tmp, which is short, so
// Unix socket paths in it stay under their 108-byte limit wherever the tree
// is cloned), and removed when the test is done with them.

#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>

namespace tasq::test {

/// A fresh, empty directory (mode 0700, from mkdtemp) named after `name`,
/// removed with everything in it when the object goes -- by the process that
/// made it only, so that a forked child leaving by exit() keeps it. Throws
/// when it cannot be made: a test without its directory has nothing to run on.
class TempDir {
 public:
  explicit TempDir(std::string_view name = "test") {
    std::string pattern =
        (std::filesystem::temp_directory_path() / ("tasq-" + std::string(name) + ".XXXXXX"))
            .string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::system_error(errno, std::generic_category(), "mkdtemp " + pattern);
    }
    path_ = pattern;
  }
  ~TempDir() {
    if (::getpid() != owner_) return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] std::string str() const { return path_.string(); }
  /// The path of `name` inside the directory.
  [[nodiscard]] std::string file(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
  pid_t owner_ = ::getpid();
};

/// A TempDir that lives until the test program exits, for tests that hand a
/// directory path around (a tasqd's log, the files its tasks write). Each
/// test runs in a process of its own under ctest, so this is per test.
inline std::string make_temp_dir(std::string_view name) {
  static std::deque<TempDir> dirs;  // deque: TempDir does not move
  return dirs.emplace_back(name).str();
}

}  // namespace tasq::test
