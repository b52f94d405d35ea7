#include "journal_scan.h"

#include <sys/stat.h>

#include <algorithm>
#include <unordered_map>
#include <vector>

#include "file_io.h"
#include "record_format.h"

namespace tasq::journal {
namespace {

using format::FrameHeader;
using format::kFileHeaderSize;
using format::kFrameHeaderSize;
using format::RecordType;

// A window over the file, refilled from wherever the scan asks next: the
// scan moves forward only, so each byte is read from the kernel once (bar the
// record straddling a refill). Sized for the file, so a small one costs little.
class Window {
 public:
  static constexpr std::size_t kCapacity = 4 << 20;

  Window(int fd, std::uint64_t file_size)
      : fd_(fd),
        file_size_(file_size),
        buffer_(static_cast<std::size_t>(std::min<std::uint64_t>(kCapacity, file_size))) {}

  /// [offset, offset + size) with size <= kCapacity and within the file.
  const char* view(std::uint64_t offset, std::size_t size, std::error_code& ec) {
    if (offset < start_ || offset + size > start_ + length_) {
      length_ =
          static_cast<std::size_t>(std::min<std::uint64_t>(buffer_.size(), file_size_ - offset));
      start_ = offset;
      if ((ec = read_all_at(fd_, buffer_.data(), length_, offset))) {
        length_ = 0;
        return nullptr;
      }
    }
    return buffer_.data() + (offset - start_);
  }

 private:
  int fd_;
  std::uint64_t file_size_;
  std::vector<char> buffer_;
  std::uint64_t start_ = 0;
  std::size_t length_ = 0;
};

void set(ScanOutcome& out, ScanOutcome::Kind kind, std::string reason) {
  out.kind = kind;
  out.reason = std::move(reason);
}

// Whether the checksum of the frame whose header is `frame` and whose body
// starts at `body_at` holds. The body is read through the window piece by
// piece, so a large one costs no allocation.
bool checksum_holds(Window& window, const FrameHeader& frame, std::uint64_t body_at,
                    std::error_code& ec) {
  char prefix[5];
  format::put_u32(prefix, frame.body_len);
  prefix[4] = static_cast<char>(frame.type);
  std::uint32_t crc = format::crc32c(prefix, sizeof prefix);
  const std::uint64_t body_end = body_at + frame.body_len;
  for (std::uint64_t at = body_at; at < body_end;) {
    auto n = static_cast<std::size_t>(std::min<std::uint64_t>(Window::kCapacity, body_end - at));
    const char* piece = window.view(at, n, ec);
    if (piece == nullptr) return false;
    crc = format::crc32c_extend(crc, piece, n);
    at += n;
  }
  return crc == frame.crc;
}

// A header a writer of ours could have written at `at`: a known type, the
// size that type has, and a body that ends within the file.
bool plausible(const FrameHeader& frame, std::uint64_t at, std::uint64_t size) {
  if (frame.body_len > format::kMaxBodySize) return false;
  if (at + kFrameHeaderSize + frame.body_len > size) return false;
  switch (static_cast<RecordType>(frame.type)) {
    case RecordType::task:
      return frame.body_len >= format::kTaskFixedSize;
    case RecordType::attempt:
      return frame.body_len == format::kAttemptBodySize;
    case RecordType::end:
      return frame.body_len == format::kEndBodySize;
    case RecordType::ids:
      return frame.body_len == format::kIdsBodySize;
  }
  return false;
}

// Bytes of candidate bodies checksummed while looking past a record that
// runs off the end, at most: a tail crafted to hold many plausible headers
// then reads as damage (tasqd stops) rather than taking minutes to tell.
constexpr std::uint64_t kResyncBudget = 256ULL << 20;

enum class Resync : std::uint8_t { none, found, gave_up, io_error };

// Looks for a whole record starting anywhere in [from, size).
Resync whole_record_after(Window& window, std::uint64_t from, std::uint64_t size,
                          std::uint64_t& found_at, std::error_code& ec) {
  constexpr std::uint64_t kSmallestFrame = kFrameHeaderSize + format::kEndBodySize;
  std::uint64_t budget = kResyncBudget;
  for (std::uint64_t at = from; at + kSmallestFrame <= size; ++at) {
    const char* head = window.view(at, kFrameHeaderSize, ec);
    if (head == nullptr) return Resync::io_error;
    const FrameHeader frame = format::parse_frame_header(head);
    if (!plausible(frame, at, size)) continue;
    if (frame.body_len > budget) return Resync::gave_up;
    budget -= frame.body_len;
    if (checksum_holds(window, frame, at + kFrameHeaderSize, ec)) {
      found_at = at;
      return Resync::found;
    }
    if (ec) return Resync::io_error;
  }
  return Resync::none;
}

class Scan {
 public:
  Scan(int fd, LiveIndex& index, std::uint64_t max_payload, ScanOutcome& out)
      : index_(index), max_payload_(max_payload), out_(out), window_(fd, out.file_size) {}

  void run();
  void count_oversized();

 private:
  bool header();
  void records();
  // The record at `offset` is bad and reaches the end of the file: a torn
  // write (`torn`), unless a whole record starts after it (then `damaged`,
  // followed by where).
  void torn_unless_followed(std::uint64_t offset, const std::string& torn,
                            const std::string& damaged);
  void take(const FrameHeader& frame, std::uint64_t offset, const format::TaskView& task,
            std::uint64_t id, std::uint32_t attempt);

  LiveIndex& index_;
  std::uint64_t max_payload_;
  ScanOutcome& out_;
  Window window_;
  std::error_code ec_;
  // Live tasks over max_payload, by id, with their payload's length.
  std::unordered_map<std::uint64_t, std::uint64_t> oversized_;
};

void Scan::run() {
  if (header()) records();
  if (ec_) set(out_, ScanOutcome::Kind::unreadable, "read: " + ec_.message());
  count_oversized();
}

// The header is written whole when the file is made; a shorter file that
// begins like one is a crash right after creation.
bool Scan::header() {
  const std::uint64_t size = out_.file_size;
  const std::string header = format::file_header();
  if (size < kFileHeaderSize) {
    out_.empty = true;
    if (size == 0) return false;
    const char* bytes = window_.view(0, static_cast<std::size_t>(size), ec_);
    if (bytes == nullptr) return false;
    if (std::equal(bytes, bytes + size, header.data())) {
      set(out_, ScanOutcome::Kind::torn, "file header cut short");
    } else {
      set(out_, ScanOutcome::Kind::damaged, "not a tasq journal (bad magic)");
    }
    return false;
  }
  const char* bytes = window_.view(0, kFileHeaderSize, ec_);
  if (bytes == nullptr) return false;
  if (auto why = format::check_file_header({bytes, kFileHeaderSize}); !why.empty()) {
    set(out_, ScanOutcome::Kind::damaged, why);
    return false;
  }
  out_.good_end = kFileHeaderSize;
  return true;
}

void Scan::records() {
  const std::uint64_t size = out_.file_size;
  std::uint64_t offset = kFileHeaderSize;
  while (offset < size) {
    if (size - offset < kFrameHeaderSize) {
      set(out_, ScanOutcome::Kind::torn, "record header cut short");
      return;
    }
    const char* head = window_.view(offset, kFrameHeaderSize, ec_);
    if (head == nullptr) return;
    const FrameHeader frame = format::parse_frame_header(head);
    if (frame.body_len > format::kMaxBodySize) {
      // The length bytes are all there, so a crash cannot have made them up.
      set(out_, ScanOutcome::Kind::damaged,
          "record length " + std::to_string(frame.body_len) + " out of range");
      return;
    }
    const std::uint64_t body_at = offset + kFrameHeaderSize;
    const std::uint64_t record_end = body_at + frame.body_len;
    if (record_end > size) {
      torn_unless_followed(offset, "last record runs past the end of the file",
                           "record length " + std::to_string(frame.body_len) +
                               " runs past the end of the file");
      return;
    }
    if (!checksum_holds(window_, frame, body_at, ec_)) {
      if (ec_) return;
      if (record_end == size) {
        torn_unless_followed(offset, "last record fails its checksum",
                             "the record ending the file fails its checksum");
      } else {
        set(out_, ScanOutcome::Kind::damaged, "checksum mismatch");
      }
      return;
    }
    // What decoding needs is the body's first piece.
    auto first_len =
        static_cast<std::size_t>(std::min<std::uint64_t>(Window::kCapacity, frame.body_len));
    const char* body = window_.view(body_at, first_len, ec_);
    if (body == nullptr) return;
    format::TaskView task;
    std::uint64_t id = 0;
    std::uint32_t attempt = 0;
    auto why = format::decode_body(frame.type, {body, first_len}, frame.body_len, task, id, attempt);
    if (!why.empty()) {
      // A good checksum over a bad body: written so, not torn.
      set(out_, ScanOutcome::Kind::damaged, why);
      return;
    }
    take(frame, offset, task, id, attempt);
    offset = record_end;
    out_.good_end = offset;
  }
}

void Scan::torn_unless_followed(std::uint64_t offset, const std::string& torn,
                                const std::string& damaged) {
  std::uint64_t found_at = 0;
  switch (whole_record_after(window_, offset + 1, out_.file_size, found_at, ec_)) {
    case Resync::io_error:
      return;
    case Resync::none:
      set(out_, ScanOutcome::Kind::torn, torn);
      return;
    case Resync::found:
      set(out_, ScanOutcome::Kind::damaged,
          damaged + ", yet a whole record starts at byte " + std::to_string(found_at) +
              ": damage, not a torn write");
      return;
    case Resync::gave_up:
      set(out_, ScanOutcome::Kind::damaged,
          damaged + ", and what follows could not be told from records");
      return;
  }
}

void Scan::take(const FrameHeader& frame, std::uint64_t offset, const format::TaskView& task,
                std::uint64_t id, std::uint32_t attempt) {
  switch (static_cast<RecordType>(frame.type)) {
    case RecordType::task: {
      ++out_.task_records;
      out_.highest_id = std::max(out_.highest_id, id);
      index_.add({id, offset, static_cast<std::uint32_t>(kFrameHeaderSize + frame.body_len),
                  attempt, task.due_ms});
      const std::uint64_t payload = frame.body_len - format::kTaskFixedSize - task.queue.size();
      if (payload > max_payload_) {
        oversized_[id] = payload;
      } else {
        oversized_.erase(id);
      }
      break;
    }
    case RecordType::attempt:
      ++out_.attempt_records;
      index_.set_attempt(id, attempt);
      break;
    case RecordType::end:
      ++out_.end_records;
      index_.end(id);
      oversized_.erase(id);
      break;
    case RecordType::ids:
      out_.highest_id = std::max(out_.highest_id, id);
      break;
  }
  ++out_.records;
}

void Scan::count_oversized() {
  for (const auto& [id, payload] : oversized_) {
    ++out_.oversized_tasks;
    if (payload > out_.largest_oversized) {
      out_.largest_oversized = payload;
      out_.oversized_id = id;
    }
  }
}

}  // namespace

ScanOutcome scan_journal(int fd, LiveIndex& index, std::uint64_t max_payload) {
  ScanOutcome out;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    set(out, ScanOutcome::Kind::unreadable, "fstat: " + last_errno().message());
    return out;
  }
  out.file_size = static_cast<std::uint64_t>(st.st_size);
  Scan scan(fd, index, max_payload, out);
  scan.run();
  return out;
}

}  // namespace tasq::journal
