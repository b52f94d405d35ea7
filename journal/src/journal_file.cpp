#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <spdlog/spdlog.h>

#include "file_io.h"
#include "journal_impl.h"
#include "journal_rewrite.h"

namespace tasq::journal {
namespace {

// Opens and locks `path`. flock, not fcntl locks: those are per process, so a
// second open in the same process would not conflict, and closing any
// descriptor of the file would drop them. A rewrite may rename a new file
// over `path` between our open and our lock: then we hold the lock of a file
// nobody will read, so the inode is checked after locking and the open
// retried. A file made here gets its directory fsynced, so that a power cut
// cannot take the name away from records acknowledged into it.
int open_locked(const std::string& path) {
  for (int tries = 0; tries < 100; ++tries) {
    bool created = false;
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
      fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0 && errno == EEXIST) continue;  // made by someone else meanwhile
      created = fd >= 0;
    }
    if (fd < 0) {
      throw JournalError(fmt::format("journal {}: cannot open: {}", path, std::strerror(errno)));
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int error = errno;
      ::close(fd);
      if (error == EWOULDBLOCK) {
        throw JournalError(fmt::format("journal {} is in use by another process", path));
      }
      throw JournalError(fmt::format("journal {}: flock: {}", path, std::strerror(error)));
    }
    struct stat by_fd {};
    struct stat by_path {};
    if (::fstat(fd, &by_fd) != 0 || ::stat(path.c_str(), &by_path) != 0 ||
        by_fd.st_dev != by_path.st_dev || by_fd.st_ino != by_path.st_ino) {
      ::close(fd);
      continue;
    }
    // Tasks' payloads are the users' data: the journal is its owner's alone.
    if ((by_fd.st_mode & 07777) != 0600) {
      if (auto ec = make_private(fd)) {
        spdlog::warn("journal {}: fchmod 0600: {} (the file stays mode {:04o})", path, ec.message(),
                     by_fd.st_mode & 07777);
      } else if (!created) {
        spdlog::warn("journal {}: was mode {:04o}, made 0600", path, by_fd.st_mode & 07777);
      }
    }
    if (created) {
      if (auto ec = fsync_parent_directory(path)) {
        ::close(fd);
        throw JournalError(fmt::format("journal {}: fsync of its directory after creating it: {}",
                                       path, ec.message()));
      }
    }
    return fd;
  }
  throw JournalError(fmt::format("journal {}: the file keeps being replaced", path));
}

}  // namespace

Journal::Impl::Impl(boost::asio::io_context& io, std::string path, FsyncPolicy policy,
                    std::uint64_t rewrite_min_size)
    : io_(io), path_(std::move(path)), policy_(policy), rewrite_min_size_(rewrite_min_size) {
  fd_ = open_locked(path_);
  // Only the lock holder may remove it: it is an interrupted rewrite's, never
  // a running one's.
  std::string leftover = rewrite_path(path_);
  if (::unlink(leftover.c_str()) == 0) {
    spdlog::warn("journal {}: removed {}, left by an interrupted rewrite", path_, leftover);
  } else if (errno != ENOENT) {
    spdlog::warn("journal {}: unlink {}: {}", path_, leftover, std::strerror(errno));
  }
  if (policy_ == FsyncPolicy::everysec) start_sync_thread();
}

Journal::Impl::~Impl() {
  if (load_thread_.joinable()) load_thread_.join();
  try {
    close();
  } catch (const std::exception& e) {
    spdlog::error("journal {}: closing: {}", path_, e.what());
  }
  alive_.reset();
}

void Journal::Impl::close() {
  if (closed_) return;
  closing_ = true;  // this last write starts no rewrite
  if (loaded_ && !buffer_.empty()) write();
  settle_rewrite();
  stop_sync_thread();
  if (fd_ >= 0) {
    if (::fsync(fd_) != 0) spdlog::error("journal {}: fsync at close: {}", path_, std::strerror(errno));
    std::lock_guard lock(fd_mutex_);
    ::close(fd_);
    fd_ = -1;
  }
  closed_ = true;
}

Stats Journal::Impl::stats() const {
  Stats out;
  out.size_bytes = file_size_;
  out.live_tasks = index_.live();
  out.live_bytes = index_.live_bytes();
  out.rewrites = rewrites_;
  out.rewrite_in_progress = rewrite_ != nullptr;
  out.last_write_status = last_write_status_;
  out.fsyncs = fsyncs_.load(std::memory_order_relaxed);
  return out;
}

// Logged on change only: a full disk fails every write until it is not.
void Journal::Impl::set_write_status(const std::string& status) {
  if (status == last_write_status_) return;
  if (status == "ok") {
    spdlog::info("journal {}: writes succeed again", path_);
  } else {
    spdlog::error("journal {}: {}", path_, status);
  }
  last_write_status_ = status;
}

// ----- the public facade

Journal::Journal(boost::asio::io_context& io, std::string path, FsyncPolicy policy,
                 std::uint64_t rewrite_min_size)
    : impl_(std::make_unique<Impl>(io, std::move(path), policy, rewrite_min_size)) {}
Journal::~Journal() = default;

void Journal::load(std::function<void(const LoadResult&)> done, std::uint64_t max_payload) {
  impl_->load(std::move(done), max_payload);
}
bool Journal::next_live(Task& out) { return impl_->next_live(out); }
void Journal::append_task(const Task& task) {
  impl_->append_task(task.id, task.attempt, task.due_ms, task.queue, task.payload);
}
void Journal::append_task(std::uint64_t id, std::uint32_t attempt, std::int64_t due_ms,
                          std::string_view queue, std::string_view payload) {
  impl_->append_task(id, attempt, due_ms, queue, payload);
}
void Journal::append_attempt(std::uint64_t id, std::uint32_t attempt) {
  impl_->append_attempt(id, attempt);
}
void Journal::append_end(std::uint64_t id) { impl_->append_end(id); }

void Journal::append_ids(std::uint64_t id) { impl_->append_ids(id); }
bool Journal::has_buffered() const { return !impl_->buffer_.empty(); }
std::error_code Journal::write() { return impl_->write(); }
std::error_code Journal::sync() { return impl_->sync(); }
void Journal::close() { impl_->close(); }
FsyncPolicy Journal::policy() const { return impl_->policy_; }
const std::string& Journal::path() const { return impl_->path_; }
Stats Journal::stats() const { return impl_->stats(); }

}  // namespace tasq::journal
