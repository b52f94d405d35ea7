#pragma once
// Internal: a `pipe:` co-process's stdout and stderr, turned into log lines.
// They are never protocol: a stray echo or var_dump lands in the log, not in
// a result. Pure (no I/O, no clock of its own), so the bounds are testable:
// a line is cut at max_line_bytes, control bytes are escaped so a line cannot
// forge others, and past a burst the co-process gets a steady line rate; what
// is dropped is counted and said. The last stderr lines are kept for the
// reason of a failed attempt.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>

namespace tasq::taskpool::handlers {

enum class OutputStream : std::uint8_t { out, err };

struct OutputLimits {
  std::size_t max_line_bytes = 4096;  ///< longer lines are cut, and marked so
  std::size_t burst_lines = 500;      ///< lines logged at once before the rate applies
  double lines_per_second = 100;      ///< the steady rate after a burst
  std::size_t tail_bytes = 2048;      ///< stderr kept for failure reasons
};

class CoProcessOutput {
 public:
  using Clock = std::chrono::steady_clock;
  /// Receives each line to log: whole, escaped, without its newline.
  using Sink = std::function<void(OutputStream, std::string_view line)>;

  CoProcessOutput(OutputLimits limits, Sink sink);

  /// Bytes as read from the stream; complete lines go to the sink.
  void append(OutputStream stream, std::string_view bytes, Clock::time_point now);
  /// The stream ended (or the co-process did): an unterminated last line is
  /// logged too, and a count of dropped lines if any.
  void finish(Clock::time_point now);
  /// Forgets the partial lines and the stderr tail: a new co-process starts.
  /// The rate budget carries over, so a crash loop cannot flood the log.
  void reset();
  /// Forgets the stderr tail only: a new task starts, and its failure
  /// reason should quote what was written during it.
  void forget_tail();

  /// The last stderr lines, oldest first, joined by newlines; "..." first
  /// when older ones were dropped. Empty when there were none.
  [[nodiscard]] std::string stderr_tail() const;
  /// Lines not logged because of the rate bound, since the start.
  [[nodiscard]] std::uint64_t dropped_total() const { return dropped_total_; }

 private:
  struct Partial {
    std::string text;
    bool cut = false;  ///< past max_line_bytes: the rest of the line is skipped
  };
  void end_line(OutputStream stream, Clock::time_point now);
  bool take_budget(Clock::time_point now);
  void remember_error_line(const std::string& line);

  OutputLimits limits_;
  Sink sink_;
  Partial partial_[2];
  double budget_;
  Clock::time_point refilled_{};
  std::uint64_t dropped_ = 0;  ///< since the last note about it
  std::uint64_t dropped_total_ = 0;
  std::deque<std::string> tail_;
  std::size_t tail_size_ = 0;
  bool tail_cut_ = false;
};

/// `bytes` with control characters (but tab) and DEL written as \xNN, and
/// backslashes doubled, so that a log line shows exactly what was written.
std::string escape_output(std::string_view bytes);

}  // namespace tasq::taskpool::handlers
