#pragma once
// Internal: one pass over a journal file, shared by load() and
// --check-journal. It reads, it never writes: cutting is the caller's call.

#include <cstdint>
#include <limits>
#include <string>

#include "live_index.h"

namespace tasq::journal {

struct ScanOutcome {
  enum class Kind : std::uint8_t {
    sound,       ///< every byte is a whole, good record (or the file is empty)
    torn,        ///< the last record is cut short or fails its checksum at EOF
    damaged,     ///< a bad record with data after it, or a bad file header
    unreadable,  ///< an I/O error
  };
  Kind kind = Kind::sound;
  std::uint64_t file_size = 0;
  std::uint64_t good_end = 0;  ///< where the whole, good records end: the cut point
  std::string reason;          ///< what is wrong at good_end
  bool empty = false;          ///< no file header yet (a new file, or a torn header)
  std::uint64_t records = 0;
  std::uint64_t task_records = 0;
  std::uint64_t attempt_records = 0;
  std::uint64_t end_records = 0;
  std::uint64_t highest_id = 0;
  /// Live tasks (of the good records) whose payload is over the scan's
  /// `max_payload`, the largest such payload and the id of a task with it.
  std::uint64_t oversized_tasks = 0;
  std::uint64_t largest_oversized = 0;
  std::uint64_t oversized_id = 0;
};

/// Reads `fd` from offset 0, feeding every good record into `index`.
///
/// A bad record that reaches the end of the file (its length runs past it,
/// or it ends the file and fails its checksum) is a torn write only when no
/// whole record (a sane header whose checksum holds) starts after it:
/// otherwise its length field was damaged in the middle of the file, and
/// cutting there would drop the acknowledged records that follow, so it is
/// reported as damage.
ScanOutcome scan_journal(int fd, LiveIndex& index,
                         std::uint64_t max_payload = std::numeric_limits<std::uint64_t>::max());

}  // namespace tasq::journal
