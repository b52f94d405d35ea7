// Compaction, Redis's AOF rewrite turned inside out: instead of forking a
// child that dumps the dataset, a thread copies the live records — tasks, and
// the outcomes the server still keeps — out of the old file (their bytes,
// re-sealed with a task's latest attempt or what is kept of an outcome) into
// PATH.rewrite, then catches up with the records appended meanwhile, which
// are copied verbatim: they name tasks by id, and an end of a task that is no
// longer in the file is ignored at replay. The reactor copies the last few
// bytes, and renames the new file over the old. PATH is the old file or the
// new one, whole, whenever the process dies.

#include "journal_rewrite.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>
#include <thread>
#include <spdlog/spdlog.h>

#include "file_io.h"
#include "journal_impl.h"

namespace tasq::journal {
namespace {

std::function<void()>& copy_hook() {
  static std::function<void()> hook;
  return hook;
}

constexpr std::size_t kFlushBytes = 1 << 20;
// The thread keeps catching up while the tail grows by more than this; what
// is left is the reactor's to copy, briefly.
constexpr std::uint64_t kTailLeftToReactor = 256 << 10;

std::string fail(const char* what, const std::error_code& ec) {
  return fmt::format("{}: {}", what, ec.message());
}

}  // namespace

void set_rewrite_copy_hook(std::function<void()> hook) { copy_hook() = std::move(hook); }

std::string rewrite_path(const std::string& path) { return path + ".rewrite"; }

void run_rewrite(RewriteJob& job) {
  job.target_fd = ::open(job.target_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (job.target_fd < 0) {
    job.error = fail("open", last_errno());
    return;
  }
  // Locked from birth: once renamed it is the journal, and a tasqd starting
  // at that moment must find it taken.
  if (::flock(job.target_fd, LOCK_EX | LOCK_NB) != 0) {
    job.error = fail("flock", last_errno());
    return;
  }
  // Mode 0600 whatever the umask: it becomes the journal.
  if (auto ec = make_private(job.target_fd)) {
    job.error = fail("fchmod", ec);
    return;
  }

  std::string out = format::file_header();
  if (job.id_mark > 0) format::append_ids(out, job.id_mark);
  std::uint64_t written = 0;
  auto flush = [&]() -> bool {
    if (auto ec = write_all_at(job.target_fd, out.data(), out.size(), written)) {
      job.error = fail("write", ec);
      return false;
    }
    written += out.size();
    out.clear();
    return true;
  };

  job.new_offsets.reserve(job.sources.size());
  std::string frame;
  for (const auto& source : job.sources) {
    frame.resize(source.frame_len);
    if (auto ec = read_all_at(job.source_fd, frame.data(), frame.size(), source.offset)) {
      job.error = fail("read", ec);
      return;
    }
    // Damage is never copied into the file that replaces this one.
    auto header = format::parse_frame_header(frame.data());
    std::string_view body(frame.data() + format::kFrameHeaderSize, header.body_len);
    if (header.body_len + format::kFrameHeaderSize != frame.size() ||
        header.crc != format::frame_crc(header.body_len, header.type, body)) {
      job.error = fmt::format("the record at byte {} fails its checksum", source.offset);
      return;
    }
    if (source.outcome) {
      if (static_cast<std::uint8_t>(body[8]) != source.outcome_flags) {
        format::patch_outcome_flags(frame.data(), source.outcome_flags);
      }
    } else if (format::get_u32(body.data() + 8) != source.attempt) {
      format::patch_task_attempt(frame.data(), source.attempt);
    }
    job.new_offsets.push_back(written + out.size());
    out += frame;
    if (out.size() >= kFlushBytes && !flush()) return;
  }
  if (!flush()) return;
  if (copy_hook()) copy_hook()();

  job.tail_base = written;
  job.copied_to = job.source_end;
  for (int round = 0; round < 8; ++round) {
    std::uint64_t end = job.published_end->load(std::memory_order_acquire);
    if (end - job.copied_to <= kTailLeftToReactor) break;
    if (auto ec = copy_range(job.source_fd, job.copied_to, end, job.target_fd,
                             job.tail_base + (job.copied_to - job.source_end))) {
      job.error = fail("copying the tail", ec);
      return;
    }
    job.copied_to = end;
  }
  job.target_size = job.tail_base + (job.copied_to - job.source_end);
  if (::fdatasync(job.target_fd) != 0) job.error = fail("fdatasync", last_errno());
}

void Journal::Impl::maybe_start_rewrite() {
  if (rewrite_ || closing_ || file_size_ <= rewrite_min_size_ ||
      file_size_ <= 2 * (index_.live_bytes() + format::kFileHeaderSize) ||
      std::chrono::steady_clock::now() < rewrite_retry_after_) {
    return;
  }
  auto job = std::make_unique<RewriteJob>();
  job->source_fd = fd_;
  job->source_end = file_size_;
  job->id_mark = id_mark_;
  job->target_path = rewrite_path(path_);
  job->published_end = &published_end_;
  job->sources.reserve(index_.live());
  index_.for_each([&](const LiveEntry& entry) {
    job->sources.push_back(
        {entry.offset, entry.frame_len, entry.attempt, entry.outcome, entry.outcome_flags});
  });
  spdlog::info("journal {}: rewriting {} live task(s) and {} kept outcome(s), {} of {} bytes",
               path_, index_.live(), index_.live_outcomes(), index_.live_bytes(), file_size_);
  rewrite_ = std::move(job);
  std::weak_ptr<int> alive = alive_;
  RewriteJob* raw = rewrite_.get();
  rewrite_thread_ = std::thread([this, alive, raw] {
    run_rewrite(*raw);
    boost::asio::post(io_, [this, alive, raw] {
      // settle_rewrite() at close may have finished this job already.
      if (alive.expired() || rewrite_.get() != raw) return;
      finish_rewrite();
    });
  });
}

namespace {

// The old file was renamed over, so closing it frees all its blocks: 22-44 ms
// for a 100-150 MB journal, which must not be the reactor's. A thread of its
// own does it; if none can be had, the reactor pays.
void close_in_background(int fd) {
  try {
    std::thread([fd] { ::close(fd); }).detach();
  } catch (const std::system_error& e) {
    spdlog::warn("journal: no thread to close the old file ({}); closing it here", e.what());
    ::close(fd);
  }
}

}  // namespace

// On the reactor, once the thread is done: append what the thread did not
// copy, make it durable, and switch. Appends cannot interleave: this runs
// between two handlers.
void Journal::Impl::finish_rewrite() {
  const auto began = std::chrono::steady_clock::now();
  if (rewrite_thread_.joinable()) rewrite_thread_.join();
  std::unique_ptr<RewriteJob> job = std::move(rewrite_);
  std::string target = job->target_path;
  auto give_up = [&](const std::string& why) {
    spdlog::error("journal {}: rewrite failed, keeping the old file: {}", path_, why);
    if (job->target_fd >= 0) ::close(job->target_fd);
    ::unlink(target.c_str());
    rewrite_retry_after_ = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  };
  if (!job->error.empty()) return give_up(job->error);

  std::uint64_t tail_at = job->tail_base + (job->copied_to - job->source_end);
  if (auto ec = copy_range(fd_, job->copied_to, file_size_, job->target_fd, tail_at)) {
    return give_up(fail("copying the tail", ec));
  }
  std::uint64_t new_size = tail_at + (file_size_ - job->copied_to);
  if (::fdatasync(job->target_fd) != 0) return give_up(fail("fdatasync", last_errno()));
  // Rebase, computed before the switch so that a mismatch (a bug) leaves
  // the old file in place: copied records move to where the thread put them;
  // records appended since S move by the same distance as the tail.
  // The index gives its entries in ascending offset order, and the sources
  // are sorted the same way: one forward pass over both. A search per entry
  // held the reactor for 26-39 ms with a million tasks scheduled; an entry
  // out of order is not found, and the rewrite is given up, not misapplied.
  const auto& sources = job->sources;
  std::vector<std::uint64_t> rebased;
  rebased.reserve(index_.live());
  bool consistent = true;
  auto source = sources.begin();
  index_.for_each([&](const LiveEntry& entry) {
    if (entry.offset >= job->source_end) {
      rebased.push_back(entry.offset - job->source_end + job->tail_base);
      return;
    }
    while (source != sources.end() && source->offset < entry.offset) ++source;
    if (source == sources.end() || source->offset != entry.offset) {
      consistent = false;
      rebased.push_back(0);
      return;
    }
    rebased.push_back(job->new_offsets[static_cast<std::size_t>(source - sources.begin())]);
  });
  if (!consistent) return give_up("a live task is missing from the snapshot");

  if (::rename(target.c_str(), path_.c_str()) != 0) return give_up(fail("rename", last_errno()));
  // From here the new file is the journal; a failed directory fsync only
  // means a power cut could bring the old one back, which is still whole.
  if (auto ec = fsync_parent_directory(path_)) {
    spdlog::warn("journal {}: fsync of its directory after the rewrite: {}", path_, ec.message());
  }
  std::size_t next = 0;
  index_.for_each([&](LiveEntry& entry) { entry.offset = rebased[next++]; });
  // The replay boundary moves like an offset: to the first record at or
  // after it in the new file.
  if (replay_end_ >= job->source_end) {
    replay_end_ = replay_end_ - job->source_end + job->tail_base;
  } else {
    auto it = std::lower_bound(sources.begin(), sources.end(), replay_end_,
                               [](const RewriteJob::Source& s, std::uint64_t at) {
                                 return s.offset < at;
                               });
    replay_end_ = it == sources.end()
                      ? job->tail_base
                      : job->new_offsets[static_cast<std::size_t>(it - sources.begin())];
  }
  readahead_.clear();  // offsets of the old file

  std::uint64_t old_size = file_size_;
  int old_fd = fd_;
  {
    std::lock_guard lock(fd_mutex_);
    fd_ = job->target_fd;
  }
  close_in_background(old_fd);  // drops the old inode's lock; the new one is held already
  file_size_ = new_size;
  published_end_ = new_size;
  truncate_pending_ = false;  // whatever a failed write left is in the old file
  dirty_ = false;             // everything is in the file just synced
  ++rewrites_;
  // How long the switch held the reactor: what a task due or a push waited.
  const auto held = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - began);
  spdlog::info("journal {}: rewritten, {} -> {} bytes; the switch took {:.1f} ms", path_,
               old_size, new_size, static_cast<double>(held.count()) / 1000.0);
}

void Journal::Impl::settle_rewrite() {
  if (!rewrite_) return;
  if (rewrite_thread_.joinable()) rewrite_thread_.join();
  finish_rewrite();
}

}  // namespace tasq::journal
