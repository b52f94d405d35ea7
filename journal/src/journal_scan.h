#pragma once
// Internal: one pass over a journal file, shared by load() and
// --check-journal. It reads, it never writes: cutting is the caller's call.

#include <cstdint>
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
  std::uint64_t end_records = 0;  ///< outcome records included: each ends a task
  std::uint64_t outcome_records = 0;
  std::uint64_t highest_id = 0;
};

/// Reads `fd` from offset 0, feeding every good record into `index`.
ScanOutcome scan_journal(int fd, LiveIndex& index);

}  // namespace tasq::journal
