#pragma once
// Internal: a compaction in flight. The reactor fills the snapshot and
// starts the thread; the thread owns everything else until it posts back.

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace tasq::journal {

/// Where a rewrite builds the new file, beside the journal so that the
/// switch is a rename within one directory.
std::string rewrite_path(const std::string& path);

struct RewriteJob {
  struct Source {
    std::uint64_t offset;  ///< of the task or outcome record in the old file
    std::uint32_t frame_len;
    std::uint32_t attempt;  ///< a task's latest, written into the copy
    bool outcome;
    std::uint8_t outcome_flags;  ///< what is still kept of an outcome, written into the copy
  };
  // Set by the reactor before the thread starts.
  int source_fd = -1;
  std::uint64_t source_end = 0;  ///< S: the old file's size at the snapshot
  std::uint64_t id_mark = 0;     ///< written first, as an ids record
  std::vector<Source> sources;   ///< live records, ascending offsets, all < S
  std::string target_path;
  const std::atomic<std::uint64_t>* published_end = nullptr;

  // Set by the thread.
  int target_fd = -1;
  std::vector<std::uint64_t> new_offsets;  ///< per source, in the new file
  std::uint64_t tail_base = 0;   ///< where old byte S lands in the new file
  std::uint64_t copied_to = 0;   ///< old-file bytes [S, copied_to) are in the new file
  std::uint64_t target_size = 0;
  std::string error;             ///< non-empty: the rewrite failed, PATH untouched
};

/// The thread's work: the live records, then the tail as it grows.
void run_rewrite(RewriteJob& job);

}  // namespace tasq::journal
