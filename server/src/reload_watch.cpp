#include "reload_watch.h"

#include <sys/inotify.h>

#include <boost/asio/error.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace tasq::server {
namespace {

namespace fs = std::filesystem;

// Every watch is on a directory. What counts as a change: a file written and
// closed (`cp` over, an in-place save), a name renamed in or out (editors,
// `install`, `mv`), created or deleted, and attributes (`touch`, `chmod`).
// IN_MODIFY is needed too: setting mtime alone (`touch -m`, make's and
// std::filesystem's last_write_time) is reported as IN_MODIFY, not IN_ATTRIB;
// the many IN_MODIFY of one write join a single window.
constexpr std::uint32_t kMask = IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_TO | IN_MOVED_FROM |
                                IN_CREATE | IN_DELETE | IN_ATTRIB | IN_DELETE_SELF |
                                IN_MOVE_SELF | IN_ONLYDIR;

// Paths kept for the log line; a `git checkout` of a big tree still makes one
// reload, and the log says how many more there were.
constexpr std::size_t kKeepPaths = 1000;
constexpr std::size_t kLogPaths = 10;
// How often a change that found a reload running tries again.
constexpr std::chrono::milliseconds kRetry{100};

long read_number(const char* path) {
  std::ifstream in(path);
  long value = -1;
  in >> value;
  return in ? value : -1;
}

// ENOSPC from inotify_add_watch means the per-user watch limit, not a full
// disk. Since Linux 5.x the limit is also per user namespace
// (user.max_inotify_watches), which is what a container may have lowered.
std::string limit_message(const std::string& dir) {
  long global = read_number("/proc/sys/fs/inotify/max_user_watches");
  long in_ns = read_number("/proc/sys/user/max_inotify_watches");
  std::string text = fmt::format(
      "reload_watch: inotify watch limit reached (fs.inotify.max_user_watches = {}) while "
      "watching {}",
      global, dir);
  if (in_ns >= 0 && (global < 0 || in_ns < global)) {
    text += fmt::format(" (user.max_inotify_watches = {} in this user namespace)", in_ns);
  }
  return text + "; raise the limit or watch fewer directories";
}

std::string join(const std::string& dir, std::string_view name) {
  return dir == "/" ? "/" + std::string(name) : dir + "/" + std::string(name);
}

}  // namespace

ReloadWatch::ReloadWatch(boost::asio::io_context& io, std::vector<std::string> paths,
                         std::chrono::milliseconds delay, ReloadFn reload)
    : paths_(std::move(paths)),
      delay_(delay),
      reload_(std::move(reload)),
      inotify_(io),
      timer_(io) {}

ReloadWatch::~ReloadWatch() = default;

void ReloadWatch::start() {
  int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    throw std::runtime_error(
        err == EMFILE
            ? fmt::format("reload_watch: inotify_init1: too many inotify instances "
                          "(fs.inotify.max_user_instances = {})",
                          read_number("/proc/sys/fs/inotify/max_user_instances"))
            : fmt::format("reload_watch: inotify_init1: {}", std::strerror(err)));
  }
  inotify_.assign(fd);
  for (const auto& path : paths_) add_path(path);
  spdlog::info("reload_watch: watching {} path(s) through {} inotify watch(es), delay {} ms",
               paths_.size(), watches_.size(), delay_.count());
  do_read();
}

void ReloadWatch::stop() {
  stopped_ = true;
  timer_.cancel();
  boost::system::error_code ignored;
  inotify_.close(ignored);
}

// Throws at start (the caller exits non-zero); later (a new subdirectory)
// the failure is logged and the rest of the tree stays watched.
int ReloadWatch::add_watch(const std::string& dir, bool at_start) {
  int wd = ::inotify_add_watch(inotify_.native_handle(), dir.c_str(), kMask);
  if (wd < 0) {
    int err = errno;
    std::string reason = err == ENOSPC ? limit_message(dir)
                                       : fmt::format("reload_watch: inotify_add_watch({}): {}",
                                                     dir, std::strerror(err));
    if (at_start) throw std::runtime_error(reason);
    // A directory created and removed at once is no news.
    if (err == ENOENT || err == ENOTDIR) {
      spdlog::debug("{}", reason);
    } else {
      spdlog::error("{}", reason);
    }
    return -1;
  }
  // The same directory twice (a file's parent inside a watched tree) is one
  // watch; a directory moved within the tree keeps its watch under a new name.
  watches_[wd].dir = dir;
  return wd;
}

void ReloadWatch::add_tree(const std::string& dir, bool at_start, bool report) {
  int wd = add_watch(dir, at_start);
  if (wd < 0) return;
  watches_[wd].recursive = true;
  std::error_code ec;
  for (fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec)) {
    std::string child = it->path().string();
    if (report) changed(child);
    // Symbolic links to directories are not followed: no loops, no surprises.
    std::error_code type_ec;
    if (it->symlink_status(type_ec).type() == fs::file_type::directory) {
      add_tree(child, at_start, report);
    }
  }
  if (ec && at_start) {
    throw std::runtime_error(fmt::format("reload_watch: cannot list {}: {}", dir, ec.message()));
  }
}

void ReloadWatch::add_path(const std::string& path) {
  fs::path abs = fs::absolute(path).lexically_normal();
  if (abs.has_parent_path() && !abs.has_filename()) abs = abs.parent_path();  // "dir/"
  std::error_code ec;
  if (fs::is_directory(abs, ec)) {
    add_tree(abs.string(), true, false);
    for (auto& [wd, watch] : watches_) {
      if (watch.dir == abs.string()) watch.root = true;
    }
    return;
  }
  // A file: its parent, filtered by name, so a replaced inode is still seen.
  int wd = add_watch(abs.parent_path().string(), true);
  watches_[wd].names.insert(abs.filename().string());
  // A symbolic link (libfoo.so -> libfoo.so.2): the target changing counts too.
  if (fs::is_symlink(abs, ec)) {
    fs::path target = fs::canonical(abs, ec);
    if (!ec && target != abs) {
      int target_wd = add_watch(target.parent_path().string(), true);
      watches_[target_wd].names.insert(target.filename().string());
    }
  }
}

// A subdirectory moved out of the tree (or within it: its new place is added
// again from IN_MOVED_TO) is no longer watched under its old name.
void ReloadWatch::forget_tree(const std::string& dir) {
  const std::string prefix = dir + "/";
  for (auto it = watches_.begin(); it != watches_.end();) {
    const Watch& w = it->second;
    bool under = w.dir == dir || w.dir.compare(0, prefix.size(), prefix) == 0;
    if (under && !w.root && w.names.empty()) {
      ::inotify_rm_watch(inotify_.native_handle(), it->first);
      it = watches_.erase(it);
    } else {
      ++it;
    }
  }
}

void ReloadWatch::do_read() {
  inotify_.async_read_some(
      boost::asio::buffer(buffer_),
      [this](const boost::system::error_code& ec, std::size_t bytes) { on_read(ec, bytes); });
}

// The kernel hands out whole events only, each a header and a NUL-padded name.
void ReloadWatch::on_read(const boost::system::error_code& ec, std::size_t bytes) {
  if (stopped_ || ec == boost::asio::error::operation_aborted) return;
  if (ec) {
    spdlog::error("reload_watch: read from inotify: {}; changes are no longer watched",
                  ec.message());
    return;
  }
  std::size_t offset = 0;
  while (offset + sizeof(inotify_event) <= bytes) {
    inotify_event event{};
    std::memcpy(&event, buffer_.data() + offset, sizeof event);
    const char* name_start = buffer_.data() + offset + sizeof event;
    std::size_t name_room = std::min<std::size_t>(event.len, bytes - offset - sizeof event);
    std::string_view name(name_start, ::strnlen(name_start, name_room));
    handle_event(event.wd, event.mask, name);
    offset += sizeof event + event.len;
  }
  do_read();
}

void ReloadWatch::handle_event(int wd, std::uint32_t mask, std::string_view name) {
  if (mask & IN_Q_OVERFLOW) {
    // Events were lost, new subdirectories among them perhaps: count it as a
    // change and look at every watched tree again.
    spdlog::warn("reload_watch: the inotify queue overflowed; rescanning the watched trees");
    changed("(inotify queue overflow)");
    for (const auto& [root_wd, watch] : std::map<int, Watch>(watches_)) {
      if (watch.root) add_tree(watch.dir, false, false);
    }
    return;
  }
  auto it = watches_.find(wd);
  if (it == watches_.end()) return;  // a watch already forgotten
  Watch& w = it->second;
  if (mask & IN_IGNORED) {
    if (w.root || !w.names.empty()) {
      spdlog::warn("reload_watch: {} was removed; what it held is no longer watched", w.dir);
    }
    watches_.erase(it);
    return;
  }
  if (mask & (IN_DELETE_SELF | IN_MOVE_SELF)) {
    // A subdirectory's end is reported by its parent; a root's only here.
    if (w.root) changed(w.dir);
    return;
  }
  if (name.empty()) return;
  if (!w.recursive && w.names.count(std::string(name)) == 0) return;
  std::string path = join(w.dir, name);
  if (w.recursive && (mask & IN_ISDIR)) {
    if (mask & (IN_CREATE | IN_MOVED_TO)) {
      // Files may have appeared before the watch was in place: they count.
      add_tree(path, false, true);
    } else if (mask & IN_MOVED_FROM) {
      forget_tree(path);
    }
  }
  changed(std::move(path));
}

void ReloadWatch::changed(std::string path) {
  if (changed_.size() < kKeepPaths) {
    changed_.insert(std::move(path));
  } else if (changed_.count(path) == 0) {
    ++changed_uncounted_;
  }
  if (!armed_) arm(delay_);
}

void ReloadWatch::arm(std::chrono::milliseconds after) {
  armed_ = true;
  timer_.expires_after(after);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    armed_ = false;
    fire();
  });
}

// The window is over: one reload for everything it gathered. A reload that
// is running already may have replaced some workers before the change, so
// the change waits for it to end and then makes its own.
void ReloadWatch::fire() {
  const std::size_t total = changed_.size() + changed_uncounted_;
  std::string list;
  std::size_t shown = 0;
  for (const auto& path : changed_) {
    if (shown == kLogPaths) break;
    if (shown++ > 0) list += ", ";
    list += path;
  }
  if (total > shown) list += fmt::format(" and {} more", total - shown);
  // The server logs it: "reload_watch: N change(s): PATHS: reloading ...".
  if (!reload_(fmt::format("reload_watch: {} change(s): {}", total, list))) {
    if (!told_busy_) {
      spdlog::info("reload_watch: {} change(s) while a reload is running; reloading again once "
                   "it is done",
                   total);
      told_busy_ = true;
    }
    arm(kRetry);
    return;
  }
  ++reloads_;
  told_busy_ = false;
  changed_.clear();
  changed_uncounted_ = 0;
}

}  // namespace tasq::server
