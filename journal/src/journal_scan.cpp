#include "journal_scan.h"

#include <sys/stat.h>

#include <algorithm>
#include <vector>

#include "file_io.h"
#include "record_format.h"

namespace tasq::journal {
namespace {

using format::kFileHeaderSize;
using format::kFrameHeaderSize;

// A window over the file, refilled from wherever the scan asks next: the
// scan moves forward only, so each byte is read from the kernel once (bar the
// record straddling a refill).
class Window {
 public:
  static constexpr std::size_t kCapacity = 4 << 20;

  explicit Window(int fd) : fd_(fd), buffer_(kCapacity) {}

  /// [offset, offset + size) with size <= kCapacity and within the file.
  const char* view(std::uint64_t offset, std::size_t size, std::uint64_t file_size,
                   std::error_code& ec) {
    if (offset < start_ || offset + size > start_ + length_) {
      length_ = static_cast<std::size_t>(std::min<std::uint64_t>(kCapacity, file_size - offset));
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
  std::vector<char> buffer_;
  std::uint64_t start_ = 0;
  std::size_t length_ = 0;
};

void set(ScanOutcome& out, ScanOutcome::Kind kind, std::string reason) {
  out.kind = kind;
  out.reason = std::move(reason);
}

}  // namespace

ScanOutcome scan_journal(int fd, LiveIndex& index) {
  ScanOutcome out;
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    set(out, ScanOutcome::Kind::unreadable, "fstat: " + last_errno().message());
    return out;
  }
  out.file_size = static_cast<std::uint64_t>(st.st_size);
  const std::uint64_t size = out.file_size;
  Window window(fd);
  std::error_code ec;

  // The header is written whole when the file is made; a shorter file that
  // begins like one is a crash right after creation.
  std::string header = format::file_header();
  if (size < kFileHeaderSize) {
    out.empty = true;
    if (size == 0) return out;
    const char* bytes = window.view(0, static_cast<std::size_t>(size), size, ec);
    if (bytes == nullptr) {
      set(out, ScanOutcome::Kind::unreadable, "read: " + ec.message());
    } else if (std::equal(bytes, bytes + size, header.data())) {
      set(out, ScanOutcome::Kind::torn, "file header cut short");
    } else {
      set(out, ScanOutcome::Kind::damaged, "not a tasq journal (bad magic)");
    }
    return out;
  }
  const char* bytes = window.view(0, kFileHeaderSize, size, ec);
  if (bytes == nullptr) {
    set(out, ScanOutcome::Kind::unreadable, "read: " + ec.message());
    return out;
  }
  if (auto why = format::check_file_header({bytes, kFileHeaderSize}); !why.empty()) {
    set(out, ScanOutcome::Kind::damaged, why);
    return out;
  }

  std::uint64_t offset = kFileHeaderSize;
  out.good_end = offset;
  while (offset < size) {
    if (size - offset < kFrameHeaderSize) {
      set(out, ScanOutcome::Kind::torn, "record header cut short");
      return out;
    }
    const char* head = window.view(offset, kFrameHeaderSize, size, ec);
    if (head == nullptr) break;
    auto frame = format::parse_frame_header(head);
    if (frame.body_len > format::kMaxBodySize) {
      // The length bytes are all there, so a crash cannot have made them up.
      set(out, ScanOutcome::Kind::damaged,
          "record length " + std::to_string(frame.body_len) + " out of range");
      return out;
    }
    const std::uint64_t body_at = offset + kFrameHeaderSize;
    const std::uint64_t record_end = body_at + frame.body_len;
    if (record_end > size) {
      set(out, ScanOutcome::Kind::torn, "last record runs past the end of the file");
      return out;
    }
    // The body is checksummed through the window piece by piece, so a large
    // one costs no allocation; what decoding needs is its first piece.
    std::uint32_t crc = 0;
    {
      char prefix[5];
      format::put_u32(prefix, frame.body_len);
      prefix[4] = static_cast<char>(frame.type);
      crc = format::crc32c(prefix, sizeof prefix);
    }
    for (std::uint64_t at = body_at; at < record_end;) {
      auto n = static_cast<std::size_t>(std::min<std::uint64_t>(Window::kCapacity, record_end - at));
      const char* piece = window.view(at, n, size, ec);
      if (piece == nullptr) break;
      crc = format::crc32c_extend(crc, piece, n);
      at += n;
    }
    if (ec) break;
    if (crc != frame.crc) {
      if (record_end == size) {
        set(out, ScanOutcome::Kind::torn, "last record fails its checksum");
      } else {
        set(out, ScanOutcome::Kind::damaged, "checksum mismatch");
      }
      return out;
    }
    auto first_len = static_cast<std::size_t>(
        std::min<std::uint64_t>(Window::kCapacity, frame.body_len));
    const char* body = window.view(body_at, first_len, size, ec);
    if (body == nullptr) break;
    format::TaskView task;
    format::OutcomeView outcome;
    std::uint64_t id = 0;
    std::uint32_t attempt = 0;
    auto why = format::decode_body(frame.type, {body, first_len}, frame.body_len, task, id, attempt,
                                   &outcome);
    if (!why.empty()) {
      // A good checksum over a bad body: written so, not torn.
      set(out, ScanOutcome::Kind::damaged, why);
      return out;
    }
    switch (static_cast<format::RecordType>(frame.type)) {
      case format::RecordType::task:
        ++out.task_records;
        out.highest_id = std::max(out.highest_id, id);
        index.add({id, offset, static_cast<std::uint32_t>(kFrameHeaderSize + frame.body_len),
                   attempt, task.due_ms});
        break;
      case format::RecordType::attempt:
        ++out.attempt_records;
        index.set_attempt(id, attempt);
        break;
      case format::RecordType::end:
        ++out.end_records;
        index.end(id);
        break;
      case format::RecordType::ids:
        out.highest_id = std::max(out.highest_id, id);
        break;
      case format::RecordType::outcome:
        ++out.end_records;
        ++out.outcome_records;
        index.add({.id = id,
                   .offset = offset,
                   .frame_len = static_cast<std::uint32_t>(kFrameHeaderSize + frame.body_len),
                   .outcome = true,
                   .outcome_flags = outcome.flags});
        break;
      case format::RecordType::forget:
        index.release(id, format::kOutcomeKeepsResult);
        break;
    }
    ++out.records;
    offset = record_end;
    out.good_end = offset;
  }
  if (ec) set(out, ScanOutcome::Kind::unreadable, "read: " + ec.message());
  return out;
}

}  // namespace tasq::journal
