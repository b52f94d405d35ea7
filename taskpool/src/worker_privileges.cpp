#include "worker_privileges.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace tasq::taskpool {
namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}

std::vector<gid_t> group_list(const std::string& user, gid_t primary) {
  int count = 32;
  std::vector<gid_t> groups(static_cast<std::size_t>(count));
  while (::getgrouplist(user.c_str(), primary, groups.data(), &count) < 0) {
    groups.resize(static_cast<std::size_t>(count));
  }
  groups.resize(static_cast<std::size_t>(count));
  return groups;
}

}  // namespace

Identity resolve_identity(const std::string& user, const std::string& group) {
  Identity identity;
  identity.user = user;
  if (!user.empty()) {
    errno = 0;
    const passwd* pw = ::getpwnam(user.c_str());
    if (pw == nullptr) throw std::runtime_error("user '" + user + "': no such user");
    identity.uid = pw->pw_uid;
    identity.gid = pw->pw_gid;
  }
  if (!group.empty()) {
    errno = 0;
    const struct group* gr = ::getgrnam(group.c_str());
    if (gr == nullptr) throw std::runtime_error("group '" + group + "': no such group");
    identity.gid = gr->gr_gid;
  }
  if (identity.gid) {
    identity.groups =
        user.empty() ? std::vector<gid_t>{*identity.gid} : group_list(user, *identity.gid);
  }
  return identity;
}

void enter_jail(const std::string& chroot_dir, const Identity& identity) {
  const bool root = ::geteuid() == 0;
  const bool same_ids = (!identity.uid || *identity.uid == ::geteuid()) &&
                        (!identity.gid || *identity.gid == ::getegid());
  if (!root && (!chroot_dir.empty() || !same_ids)) {
    throw std::runtime_error(
        "chroot, user and group need tasqd to be started as root (it runs as uid " +
        std::to_string(::geteuid()) + ")");
  }
  if (!chroot_dir.empty()) {
    if (::chroot(chroot_dir.c_str()) != 0) fail("chroot(" + chroot_dir + ")");
    if (::chdir("/") != 0) fail("chdir(/) in the chroot");
  }
  if (!root) return;
  if (identity.gid) {
    if (::setgroups(identity.groups.size(), identity.groups.data()) != 0) fail("setgroups()");
    if (::setgid(*identity.gid) != 0) fail("setgid(" + std::to_string(*identity.gid) + ")");
  }
  if (identity.uid) {
    if (::setuid(*identity.uid) != 0) fail("setuid(" + std::to_string(*identity.uid) + ")");
    if (*identity.uid != 0 && ::setuid(0) == 0) {
      throw std::runtime_error("setuid(0) still succeeds after dropping to user '" + identity.user +
                               "'");
    }
  }
}

}  // namespace tasq::taskpool
