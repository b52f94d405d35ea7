#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>
#include <spdlog/spdlog.h>

#include "file_io.h"
#include "journal_impl.h"

namespace tasq::journal {

void Journal::Impl::append_task(std::uint64_t id, std::uint32_t attempt, std::int64_t due_ms,
                                std::string_view queue, std::string_view payload) {
  std::size_t at = buffer_.size();
  std::size_t size = format::append_task(buffer_, id, attempt, due_ms, queue, payload);
  pending_.push_back({format::RecordType::task, id, attempt, due_ms, 0, at, size});
  if (pending_indexed_) index_pending(pending_.size() - 1);
}

void Journal::Impl::append_attempt(std::uint64_t id, std::uint32_t attempt) {
  std::size_t at = buffer_.size();
  std::size_t size = format::append_attempt(buffer_, id, attempt);
  pending_.push_back({format::RecordType::attempt, id, attempt, 0, 0, at, size});
}

void Journal::Impl::append_ids(std::uint64_t id) {
  std::size_t at = buffer_.size();
  std::size_t size = format::append_ids(buffer_, id);
  pending_.push_back({format::RecordType::ids, id, 0, 0, 0, at, size});
}

void Journal::Impl::append_end(std::uint64_t id) {
  std::size_t at = buffer_.size();
  std::size_t size = format::append_end(buffer_, id);
  pending_.push_back({format::RecordType::end, id, 0, 0, 0, at, size});
}

void Journal::Impl::append_outcome(const Outcome& outcome) {
  std::uint8_t flags = 0;
  if (outcome.dead) flags |= format::kOutcomeDead;
  if (outcome.keeps_result) flags |= format::kOutcomeKeepsResult;
  if (outcome.dead && outcome.keeps_letter) flags |= format::kOutcomeKeepsLetter;
  std::size_t at = buffer_.size();
  std::size_t size = format::append_outcome(
      buffer_, outcome.id, flags, outcome.attempts, outcome.enqueued_ms, outcome.started_ms,
      outcome.entry_ms, outcome.entry_seq, outcome.queue, outcome.result, outcome.error,
      outcome.dead ? std::string_view(outcome.payload) : std::string_view());
  pending_.push_back({format::RecordType::outcome, outcome.id, 0, 0, flags, at, size});
  if (pending_indexed_) index_pending(pending_.size() - 1);
}

void Journal::Impl::append_forget(std::uint64_t id) {
  std::size_t at = buffer_.size();
  std::size_t size = format::append_forget(buffer_, id);
  pending_.push_back({format::RecordType::forget, id, 0, 0, 0, at, size});
}

void Journal::Impl::index_pending(std::size_t at) {
  const Pending& record = pending_[at];
  if (record.type == format::RecordType::task || record.type == format::RecordType::outcome) {
    pending_last_[record.id] = at;
  }
}

// In memory only. An outcome still waiting for write() has its flags changed
// in the buffer, so that what reaches the file is what is kept.
void Journal::Impl::release_outcome(std::uint64_t id, bool result, bool letter) {
  std::uint8_t bits = 0;
  if (result) bits |= format::kOutcomeKeepsResult;
  if (letter) bits |= format::kOutcomeKeepsLetter;
  if (!pending_indexed_) {
    pending_last_.reserve(pending_.size());
    for (std::size_t at = 0; at < pending_.size(); ++at) index_pending(at);
    pending_indexed_ = true;
  }
  if (auto at = pending_last_.find(id); at != pending_last_.end()) {
    Pending& record = pending_[at->second];
    if (record.type == format::RecordType::task) return;  // journaled again since
    record.flags = static_cast<std::uint8_t>(record.flags & ~bits);
    format::patch_outcome_flags(buffer_.data() + record.offset, record.flags);
    return;
  }
  index_.release(id, bits);
}

// One pwrite of the whole batch at the end of the last whole record, rather
// than write(2) with O_APPEND: after a failure whose cut-back failed too,
// the next write still lands where the good records end.
std::error_code Journal::Impl::write() {
  if (buffer_.empty()) return {};
  if (closed_ || !loaded_) {
    // Refused rather than appended after a tail nobody has checked.
    set_write_status(closed_ ? "journal is closed" : "journal is not loaded");
    return std::make_error_code(std::errc::operation_not_permitted);
  }
  std::error_code ec;
  if (truncate_pending_) {
    if (::ftruncate(fd_, static_cast<off_t>(file_size_)) == 0) {
      truncate_pending_ = false;
    } else {
      ec = last_errno();
    }
  }
  if (!ec) ec = write_all_at(fd_, buffer_.data(), buffer_.size(), file_size_);
  if (ec) {
    // Part of the batch may be on disk: cut back to the last whole record,
    // or a later batch would land after a torn one, in the middle.
    if (::ftruncate(fd_, static_cast<off_t>(file_size_)) != 0) {
      spdlog::error("journal {}: ftruncate to {} after a failed write: {}", path_, file_size_,
                    std::strerror(errno));
      truncate_pending_ = true;
    }
    // The pushes of this batch are refused, so their task records go; an
    // attempt or an end describes what already happened, so it stays.
    std::string kept;
    std::vector<Pending> kept_pending;
    for (const auto& record : pending_) {
      if (record.type == format::RecordType::task) continue;
      kept_pending.push_back(record);
      kept_pending.back().offset = kept.size();
      kept.append(buffer_, record.offset, record.size);
    }
    buffer_ = std::move(kept);
    pending_ = std::move(kept_pending);
    pending_last_.clear();
    pending_indexed_ = false;
    set_write_status(ec.message());
    return ec;
  }
  for (const auto& record : pending_) {
    switch (record.type) {
      case format::RecordType::task:
        index_.add({record.id, file_size_ + record.offset, static_cast<std::uint32_t>(record.size),
                    record.attempt, record.due_ms});
        break;
      case format::RecordType::attempt:
        index_.set_attempt(record.id, record.attempt);
        break;
      case format::RecordType::end:
        index_.end(record.id);
        break;
      case format::RecordType::ids:
        break;
      case format::RecordType::outcome:
        index_.add({.id = record.id,
                    .offset = file_size_ + record.offset,
                    .frame_len = static_cast<std::uint32_t>(record.size),
                    .outcome = true,
                    .outcome_flags = record.flags});
        break;
      case format::RecordType::forget:
        index_.release(record.id, format::kOutcomeKeepsResult);
        break;
    }
    if (record.type == format::RecordType::task || record.type == format::RecordType::ids) {
      id_mark_ = std::max(id_mark_, record.id);
    }
  }
  ++writes_;
  file_size_ += buffer_.size();
  published_end_.store(file_size_, std::memory_order_release);
  buffer_.clear();
  pending_.clear();
  pending_last_.clear();
  pending_indexed_ = false;
  dirty_.store(true, std::memory_order_release);
  set_write_status("ok");
  maybe_start_rewrite();
  return {};
}

std::error_code Journal::Impl::sync() {
  if (policy_ != FsyncPolicy::always || fd_ < 0) return {};
  if (!dirty_.exchange(false)) return {};
  ++fsyncs_;
  if (::fdatasync(fd_) != 0) {
    auto ec = last_errno();
    dirty_ = true;
    set_write_status("fdatasync: " + ec.message());
    return ec;
  }
  return {};
}

// everysec: the reactor only raises dirty_; this thread pays for the fsync.
// It holds fd_mutex_ while it uses fd_, which the reactor swaps only at a
// rewrite's switch and at close.
void Journal::Impl::start_sync_thread() {
  std::weak_ptr<int> alive = alive_;
  sync_thread_ = std::thread([this, alive] {
    std::unique_lock lock(sync_mutex_);
    while (!sync_stop_) {
      sync_wake_.wait_for(lock, std::chrono::seconds(1), [this] { return sync_stop_; });
      if (sync_stop_ || !dirty_.exchange(false)) continue;
      lock.unlock();
      std::error_code ec;
      {
        std::lock_guard fd_lock(fd_mutex_);
        if (fd_ >= 0) {
          ++fsyncs_;
          if (::fdatasync(fd_) != 0) ec = last_errno();
        }
      }
      if (ec) {
        dirty_ = true;
        spdlog::error("journal {}: fdatasync: {}", path_, ec.message());
        boost::asio::post(io_, [this, alive, ec] {
          if (!alive.expired()) set_write_status("fdatasync: " + ec.message());
        });
      }
      lock.lock();
    }
  });
}

void Journal::Impl::stop_sync_thread() {
  if (!sync_thread_.joinable()) return;
  {
    std::lock_guard lock(sync_mutex_);
    sync_stop_ = true;
  }
  sync_wake_.notify_all();
  sync_thread_.join();
}

}  // namespace tasq::journal
