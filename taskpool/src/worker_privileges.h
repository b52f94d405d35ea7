#pragma once
// Internal: a worker's jail — chroot, then the configured group and user —
// entered after exec and before the handler is loaded.

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace tasq::taskpool {

struct Identity {
  std::string user;  ///< for messages; empty when no user is configured
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  std::vector<gid_t> groups;  ///< supplementary groups
};

/// Looks up `user` and `group` (either may be empty). Runs before chroot,
/// while /etc/passwd and /etc/group are still reachable. Throws
/// std::runtime_error naming what was not found.
Identity resolve_identity(const std::string& user, const std::string& group);

/// Enters `chroot_dir` (when set; then chdir("/")), then drops to `identity`:
/// supplementary groups, gid, uid, in that order so that each step still has
/// the right to take the next. Throws std::runtime_error naming the failed call.
void enter_jail(const std::string& chroot_dir, const Identity& identity);

}  // namespace tasq::taskpool
