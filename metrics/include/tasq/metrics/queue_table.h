#pragma once
// Per-queue figures with a bounded number of series. Queue names are keys
// that clients choose, so one series per queue would let a client with
// random keys make every scrape (and the Prometheus behind it) grow without
// end. The busiest queues get a series of their own; every other queue is
// counted under the one label kOther.
//
// Busiest is estimated in bounded memory with the Space-Saving method: at
// most `tracked` candidate queues carry a decaying activity score, and a
// new queue takes the place of the least active candidate. A queue gets its
// own series while there is a free one; later it takes one only from a
// queue at least twice less active, and only once its own activity is
// proven (not inherited) and steady, so that series neither flap between
// similar queues nor rotate through a flood of one-off keys.
//
// Counters stay monotonic across these moves: a series counts the events
// that happened while it existed. A queue that loses its series stops
// appearing; its later events count under kOther, which never goes down.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tasq/metrics/histogram.h"

namespace tasq::metrics {

/// What happened to the tasks of one series.
struct QueueCounters {
  std::uint64_t enqueued = 0;   ///< tasks accepted
  std::uint64_t completed = 0;  ///< tasks ended successfully
  std::uint64_t failed = 0;     ///< attempts that failed (each retry, and the last before dead)
  std::uint64_t dead = 0;       ///< tasks dead-lettered
  Histogram wait;               ///< seconds from entering the ring to the start of an attempt
  Histogram run;                ///< seconds from the start of an attempt to its end
};

enum class EndKind : std::uint8_t { completed, failed, dead };

class QueueTable {
 public:
  /// The label of everything without a series of its own.
  static constexpr std::string_view kOther = "(other)";

  struct Limits {
    std::size_t named = 20;    ///< queues with a series of their own
    std::size_t tracked = 80;  ///< candidates scored (at least `named`)
    double decay = 0.9;        ///< scores are multiplied by this at each rerank()
  };

  explicit QueueTable(Limits limits);
  QueueTable() : QueueTable(Limits{}) {}

  void on_enqueued(std::string_view queue, std::uint64_t tasks);
  /// One end of one attempt, with its queue wait and run time in seconds.
  void on_end(std::string_view queue, EndKind kind, double wait_seconds, double run_seconds);
  /// Ages the scores and moves series to the busiest queues; once a second.
  void rerank();

  [[nodiscard]] const Limits& limits() const { return limits_; }
  /// The queues with a series of their own, by name.
  [[nodiscard]] const std::map<std::string, QueueCounters, std::less<>>& named() const {
    return named_;
  }
  /// Everything else, under kOther.
  [[nodiscard]] const QueueCounters& other() const { return other_; }
  /// True when `queue` has a series of its own now.
  [[nodiscard]] bool is_named(std::string_view queue) const;

  /// Whether a queue name may become a label: 1 to 64 bytes of valid
  /// UTF-8 without control characters, and not kOther itself. Longer names
  /// could share a cut-down label; the rest would need escaping that
  /// dashboards show badly.
  static bool nameable(std::string_view queue);

 private:
  /// A candidate's decayed activity; `inherited` is the part of `score`
  /// taken over from the candidate it replaced (Space-Saving's error bound).
  struct Score {
    double score = 0;
    double inherited = 0;
  };

  QueueCounters& counters_for(std::string_view queue, double weight);
  /// The queue's candidate entry, its score raised by `weight`.
  Score& track(std::string_view queue, double weight);

  Limits limits_;
  std::map<std::string, Score, std::less<>> scores_;  ///< the candidates
  std::map<std::string, QueueCounters, std::less<>> named_;
  QueueCounters other_;
  /// The last queue counters_for() looked up, and where its score and
  /// series are: most pushes and ends name the queue of the one before, and
  /// two map lookups and a UTF-8 check per task are a measurable part of the
  /// master's time. Map nodes stay put until erased, so only an erase (in
  /// track() or rerank()) makes these stale; both forget them.
  struct LastQueue {
    std::string name;
    Score* score = nullptr;           ///< null: not nameable
    QueueCounters* counters = nullptr;  ///< null: nothing remembered
  };
  LastQueue last_;
};

}  // namespace tasq::metrics
