#pragma once
// The admin token file: tasqd writes the token of its admin port into a
// mode-0600 file in a directory only its user can write, and tasqctl, run
// by that same user on the same host, reads it there, so that it needs no
// flag while other users, and tasks running as another user, cannot read it.
//
// The directory (runtime_dir()), the same rule on both sides:
//   $TASQ_RUNTIME_DIR when set;
//   else /run/tasq for root, or for a user who owns /run/tasq (systemd's
//        RuntimeDirectory=tasq with User=tasq);
//   else /tmp/tasq-UID.
// The file: DIR/admin-PORT.token, PORT being the admin port's bound port.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tasq::access {

std::string runtime_dir();
std::string token_file_path(const std::string& dir, std::uint16_t port);

/// A file written by write_token_file(), to remove it later only if it is
/// still the one written.
struct WrittenFile {
  std::string path;
  dev_t device = 0;
  ino_t inode = 0;
};

/// Writes `token` and a newline to `path` as a new file of mode 0600
/// (whatever the umask), replacing any old one atomically. The directory
/// is created (mode 0700) when missing, and must be a real directory owned
/// by the caller that nobody else may write in. At start-up only: throws
/// std::runtime_error naming the path and the call that failed.
WrittenFile write_token_file(const std::string& path, std::string_view token);

/// Removes the file if it is still the one written (a later tasqd on the
/// same port may have replaced it). Never throws.
void remove_token_file(const WrittenFile& file);

/// The token in `path` (its first line, trimmed); nullopt when there is no
/// readable token there, with the reason in `why` when given.
std::optional<std::string> read_token_file(const std::string& path, std::string* why = nullptr);

}  // namespace tasq::access
