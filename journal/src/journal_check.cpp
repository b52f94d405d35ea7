// `tasqd --check-journal FILE [--fix]`, Redis's redis-check-aof for the
// journal: the same scan as load(), reported instead of acted on.

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstring>
#include <string>

#include "file_io.h"
#include "journal_scan.h"
#include "tasq/journal/journal.h"

namespace tasq::journal {

int check_file(const std::string& path, bool fix, std::FILE* out) {
  // Reading needs no lock (a running tasqd only appends); cutting does, and
  // only for as long as the cut takes.
  int fd = ::open(path.c_str(), (fix ? O_RDWR : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) {
    std::fprintf(out, "journal %s: cannot open: %s\n", path.c_str(), std::strerror(errno));
    return 2;
  }
  if (fix && ::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    std::fprintf(out, "journal %s is in use by another process: stop tasqd before --fix\n",
                 path.c_str());
    ::close(fd);
    return 2;
  }
  LiveIndex index;
  ScanOutcome scan = scan_journal(fd, index);
  std::fprintf(out, "journal %s: %" PRIu64 " bytes\n", path.c_str(), scan.file_size);
  std::fprintf(out,
               "records: %" PRIu64 " (tasks %" PRIu64 ", attempts %" PRIu64 ", ends %" PRIu64
               ")\n",
               scan.records, scan.task_records, scan.attempt_records, scan.end_records);
  std::fprintf(out, "live tasks: %zu (%" PRIu64 " bytes)\n", index.live(), index.live_bytes());
  std::fprintf(out, "highest id: %" PRIu64 "\n", scan.highest_id);

  int code = 0;
  const std::uint64_t cut = scan.file_size - scan.good_end;
  switch (scan.kind) {
    case ScanOutcome::Kind::sound:
      std::fprintf(out, "status: ok\n");
      break;
    case ScanOutcome::Kind::unreadable:
      std::fprintf(out, "status: unreadable: %s\n", scan.reason.c_str());
      code = 2;
      break;
    case ScanOutcome::Kind::torn:
    case ScanOutcome::Kind::damaged: {
      const bool torn = scan.kind == ScanOutcome::Kind::torn;
      std::fprintf(out, "status: %s at byte %" PRIu64 ": %s; %" PRIu64 " byte(s) from there on\n",
                   torn ? "torn last record" : "damaged", scan.good_end, scan.reason.c_str(),
                   cut);
      code = 1;
      // A file that does not start like a journal is not cut to nothing: it
      // may be something else given by mistake.
      bool foreign = !torn && scan.good_end == 0;
      if (foreign) {
        std::fprintf(out, "not fixing: this does not look like a tasq journal\n");
      } else if (fix) {
        // What is cut is kept beside the journal first, as load() does.
        std::string saved = path + ".cut-" + std::to_string(scan.good_end);
        if (auto why = save_range(fd, scan.good_end, scan.file_size, saved); !why.empty()) {
          std::fprintf(out, "fix failed: saving the bytes from %" PRIu64 " on: %s; nothing cut\n",
                       scan.good_end, why.c_str());
          code = 2;
        } else if (::ftruncate(fd, static_cast<off_t>(scan.good_end)) != 0 || ::fsync(fd) != 0) {
          std::fprintf(out, "fix failed: cutting at byte %" PRIu64 ": %s\n", scan.good_end,
                       std::strerror(errno));
          code = 2;
        } else {
          std::fprintf(out,
                       "fixed: cut at byte %" PRIu64 ", %" PRIu64
                       " byte(s) removed and saved in %s; the records before it are kept\n",
                       scan.good_end, cut, saved.c_str());
          code = 0;
        }
      } else {
        std::fprintf(out,
                     "run with --fix to cut the file at byte %" PRIu64
                     " (the bytes from there on are then kept in %s.cut-%" PRIu64
                     " but no longer replayed)\n",
                     scan.good_end, path.c_str(), scan.good_end);
      }
      break;
    }
  }
  ::close(fd);
  return code;
}

}  // namespace tasq::journal
