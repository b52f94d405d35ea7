#pragma once
// A copy of a file from the tree that processes running as another user
// (workers dropped to `nobody`) can read and run. The tree may be cloned
// where only its owner can enter (a root home is 0700), while a worker opens
// its handler -- a plugin, a co-process script -- after it has dropped
// privileges.

#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "tasq/test/temp_dir.h"

namespace tasq::test {

class ReachableCopy {
 public:
  ReachableCopy(const std::string& source, const std::string& name) : dir_("reachable") {
    namespace fs = std::filesystem;
    constexpr auto kOpen = fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                           fs::perms::others_read | fs::perms::others_exec;
    fs::permissions(dir_.path(), kOpen);
    path_ = dir_.file(name);
    fs::copy_file(source, path_);
    fs::permissions(path_, kOpen);
  }

  [[nodiscard]] const std::string& path() const { return path_; }

  /// The first directory above the copy that others cannot search, or "":
  /// when $TMPDIR itself is closed, the copy helps nothing.
  [[nodiscard]] std::string closed_ancestor() const {
    for (std::filesystem::path dir = dir_.path(); dir != dir.root_path(); dir = dir.parent_path()) {
      struct stat st {};
      if (::stat(dir.c_str(), &st) != 0 || (st.st_mode & S_IXOTH) == 0) return dir.string();
    }
    return "";
  }

 private:
  TempDir dir_;
  std::string path_;
};

}  // namespace tasq::test
