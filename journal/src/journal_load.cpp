#include <unistd.h>

#include <boost/asio/post.hpp>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <spdlog/spdlog.h>

#include "file_io.h"
#include "journal_impl.h"
#include "journal_scan.h"

namespace tasq::journal {
namespace {

struct Loaded {
  LoadResult result;
  LiveIndex index;
  std::uint64_t file_size = 0;
};

// A torn tail is cut only once its bytes are safe beside the journal: were
// the scan ever wrong about a tail being torn, what was cut can be put back.
std::string cut_torn_tail(int fd, const std::string& path, const ScanOutcome& scan,
                          LoadResult& result) {
  result.torn_bytes = scan.file_size - scan.good_end;
  std::string saved = fmt::format("{}.torn-{}", path, scan.good_end);
  if (auto why = save_range(fd, scan.good_end, scan.file_size, saved); !why.empty()) {
    return fmt::format(
        "journal {}: {} at byte {}, but its {} byte(s) could not be saved before cutting them "
        "({}); nothing was cut. Free some space, or run tasqd --check-journal {} --fix",
        path, scan.reason, scan.good_end, result.torn_bytes, why, path);
  }
  result.torn_saved_to = saved;
  spdlog::warn("journal {}: {} at byte {}: cut off {} byte(s) (a crash mid-write), saved in {}",
               path, scan.reason, scan.good_end, result.torn_bytes, saved);
  if (::ftruncate(fd, static_cast<off_t>(scan.good_end)) != 0 || ::fdatasync(fd) != 0) {
    return fmt::format("journal {}: cutting the torn last record at byte {}: {}", path,
                       scan.good_end, std::strerror(errno));
  }
  return {};
}

// On the load thread: scan, then cut a torn tail and give a new file its
// header. Nothing else touches the file before load() reports.
void scan_and_repair(int fd, const std::string& path, std::uint64_t max_payload, Loaded& loaded) {
  ScanOutcome scan = scan_journal(fd, loaded.index, max_payload);
  LoadResult& result = loaded.result;
  result.records = scan.records;
  result.live_tasks = loaded.index.live();
  result.highest_id = scan.highest_id;
  result.oversized_tasks = scan.oversized_tasks;
  result.largest_oversized = scan.largest_oversized;
  result.oversized_id = scan.oversized_id;
  switch (scan.kind) {
    case ScanOutcome::Kind::sound:
      break;
    case ScanOutcome::Kind::torn:
      result.error = cut_torn_tail(fd, path, scan, result);
      if (!result.error.empty()) return;
      break;
    case ScanOutcome::Kind::damaged:
      result.error = fmt::format(
          "journal {} is damaged at byte {}: {}; run tasqd --check-journal {} --fix", path,
          scan.good_end, scan.reason, path);
      return;
    case ScanOutcome::Kind::unreadable:
      result.error = fmt::format("journal {}: {}", path, scan.reason);
      return;
  }
  loaded.file_size = scan.good_end;
  if (scan.empty) {
    std::string header = format::file_header();
    if (auto ec = write_all_at(fd, header.data(), header.size(), 0);
        ec || ::fdatasync(fd) != 0) {
      result.error = fmt::format("journal {}: writing the file header: {}", path,
                                 ec ? ec.message() : std::strerror(errno));
      return;
    }
    loaded.file_size = header.size();
  }
}

}  // namespace

void Journal::Impl::load(std::function<void(const LoadResult&)> done, std::uint64_t max_payload) {
  if (load_thread_.joinable()) load_thread_.join();
  auto loaded = std::make_shared<Loaded>();
  std::weak_ptr<int> alive = alive_;
  load_thread_ = std::thread([this, alive, loaded, max_payload, done = std::move(done)]() mutable {
    scan_and_repair(fd_, path_, max_payload, *loaded);
    boost::asio::post(io_, [this, alive, loaded, done = std::move(done)] {
      if (alive.expired()) return;
      if (load_thread_.joinable()) load_thread_.join();
      if (loaded->result.error.empty()) {
        index_ = std::move(loaded->index);
        file_size_ = loaded->file_size;
        replay_end_ = file_size_;
        published_end_ = file_size_;
        id_mark_ = loaded->result.highest_id;
        loaded_ = true;
      }
      done(loaded->result);
    });
  });
}

// Live records lie in ascending offsets, so they are read ahead a window at
// a time: one pread per megabyte rather than one per task, and the window is
// all the memory the payloads ever take.
bool Journal::Impl::next_live(Task& out) {
  const LiveEntry* entry = index_.next();
  if (entry != nullptr && entry->offset >= replay_end_) {
    index_.rewind_one();
    entry = nullptr;
  }
  if (entry == nullptr) {
    std::string().swap(readahead_);
    return false;
  }
  constexpr std::uint64_t kReadahead = 1 << 20;
  if (entry->offset < readahead_at_ ||
      entry->offset + entry->frame_len > readahead_at_ + readahead_.size()) {
    std::uint64_t end = std::max(entry->offset + entry->frame_len,
                                 std::min(entry->offset + kReadahead, file_size_));
    readahead_.resize(static_cast<std::size_t>(end - entry->offset));
    readahead_at_ = entry->offset;
    if (auto ec = read_all_at(fd_, readahead_.data(), readahead_.size(), entry->offset)) {
      readahead_.clear();
      throw JournalError(fmt::format("journal {}: reading the task at byte {}: {}", path_,
                                     entry->offset, ec.message()));
    }
  }
  std::string_view frame(readahead_.data() + (entry->offset - readahead_at_), entry->frame_len);
  auto header = format::parse_frame_header(frame.data());
  std::string_view body(frame.data() + format::kFrameHeaderSize,
                        frame.size() - format::kFrameHeaderSize);
  format::TaskView task;
  std::uint64_t id = 0;
  std::uint32_t attempt = 0;
  // Checked again: the file could have changed under us since the scan.
  if (header.crc != format::frame_crc(header.body_len, header.type, body) ||
      !format::decode_body(header.type, body, header.body_len, task, id, attempt).empty() ||
      id != entry->id) {
    throw JournalError(fmt::format("journal {} changed on disk: no longer the task at byte {}",
                                   path_, entry->offset));
  }
  out.id = entry->id;
  out.attempt = entry->attempt;
  out.due_ms = entry->due_ms;
  out.queue.assign(task.queue);
  out.payload.assign(task.payload);
  return true;
}

}  // namespace tasq::journal
