// libFuzzer target for the journal's start-up scan (journal_scan.cpp): the
// input is a whole journal file. The last byte, when there is one, sets the
// payload bound the scan counts oversized tasks against.
//
// Checked on every input, besides ASan and UBSan's own checks:
//  - the scan ends within the file, and a sound file was read to its end;
//  - the counts add up, and the live set comes only from task records;
//  - a file cut where the scan says the good records end (what load() and
//    --check-journal --fix do) scans as sound, with the same records and the
//    same live tasks: a cut never loses a record the scan accepted;
//  - a torn tail has no whole record in it (else it was damage).

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "journal_scan.h"
#include "live_index.h"
#include "record_format.h"

namespace {

using tasq::journal::LiveEntry;
using tasq::journal::LiveIndex;
using tasq::journal::ScanOutcome;

// The file of a scan: a memfd, so that no disk is touched.
class MemFile {
 public:
  explicit MemFile(std::string_view bytes) : fd_(::memfd_create("journal-fuzz", MFD_CLOEXEC)) {
    if (fd_ < 0) std::abort();
    for (std::size_t done = 0; done < bytes.size();) {
      ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
      if (n <= 0) std::abort();
      done += static_cast<std::size_t>(n);
    }
  }
  ~MemFile() { ::close(fd_); }
  MemFile(const MemFile&) = delete;
  MemFile& operator=(const MemFile&) = delete;
  [[nodiscard]] int fd() const { return fd_; }

 private:
  int fd_;
};

std::vector<LiveEntry> live_entries(LiveIndex& index) {
  std::vector<LiveEntry> out;
  index.for_each([&](const LiveEntry& entry) { out.push_back(entry); });
  return out;
}

bool same(const std::vector<LiveEntry>& a, const std::vector<LiveEntry>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].id != b[i].id || a[i].offset != b[i].offset || a[i].frame_len != b[i].frame_len ||
        a[i].attempt != b[i].attempt || a[i].due_ms != b[i].due_ms) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const std::uint64_t max_payload = size == 0 ? 0 : static_cast<std::uint8_t>(bytes.back()) * 8;
  MemFile file(bytes);
  LiveIndex index;
  const ScanOutcome scan = tasq::journal::scan_journal(file.fd(), index, max_payload);

  FUZZ_CHECK(scan.kind != ScanOutcome::Kind::unreadable);
  FUZZ_CHECK(scan.file_size == size);
  FUZZ_CHECK(scan.good_end <= scan.file_size);
  FUZZ_CHECK(scan.records >= scan.task_records + scan.attempt_records + scan.end_records);
  FUZZ_CHECK(index.live() <= scan.task_records);
  FUZZ_CHECK(scan.oversized_tasks <= index.live());
  FUZZ_CHECK((scan.oversized_tasks == 0) == (scan.largest_oversized == 0));
  FUZZ_CHECK(scan.oversized_tasks == 0 || scan.largest_oversized > max_payload);
  if (scan.kind == ScanOutcome::Kind::sound) {
    FUZZ_CHECK(scan.good_end == scan.file_size || (scan.empty && size == 0));
  } else {
    FUZZ_CHECK(!scan.reason.empty());
  }
  if (scan.empty || scan.good_end < tasq::journal::format::kFileHeaderSize) return 0;
  FUZZ_CHECK(scan.records > 0 || scan.good_end == tasq::journal::format::kFileHeaderSize);

  if (scan.kind == ScanOutcome::Kind::torn || scan.kind == ScanOutcome::Kind::damaged) {
    // What survives the cut is exactly what the scan accepted.
    MemFile cut(bytes.substr(0, scan.good_end));
    LiveIndex again;
    const ScanOutcome rescan = tasq::journal::scan_journal(cut.fd(), again, max_payload);
    FUZZ_CHECK(rescan.kind == ScanOutcome::Kind::sound);
    FUZZ_CHECK(rescan.records == scan.records);
    FUZZ_CHECK(rescan.highest_id == scan.highest_id);
    FUZZ_CHECK(rescan.oversized_tasks == scan.oversized_tasks);
    FUZZ_CHECK(same(live_entries(again), live_entries(index)));
  }
  if (scan.kind == ScanOutcome::Kind::torn && scan.good_end + 1 < size) {
    // Nothing whole after a torn record: else the scan would have said damage.
    const std::uint64_t from = scan.good_end + 1;
    for (std::uint64_t at = from; at + tasq::journal::format::kFrameHeaderSize <= size; ++at) {
      auto frame = tasq::journal::format::parse_frame_header(bytes.data() + at);
      const std::uint64_t end = at + tasq::journal::format::kFrameHeaderSize + frame.body_len;
      if (frame.body_len > tasq::journal::format::kMaxBodySize || end > size) continue;
      std::string_view body = bytes.substr(at + tasq::journal::format::kFrameHeaderSize,
                                           frame.body_len);
      if (frame.crc != tasq::journal::format::frame_crc(frame.body_len, frame.type, body)) continue;
      tasq::journal::format::TaskView task;
      std::uint64_t id = 0;
      std::uint32_t attempt = 0;
      // A checksum that holds over a body of the wrong shape is no record.
      if (!tasq::journal::format::decode_body(frame.type, body, frame.body_len, task, id, attempt)
               .empty()) {
        continue;
      }
      FUZZ_CHECK(false && "a whole record follows a tail called torn");
    }
  }
  return 0;
}
