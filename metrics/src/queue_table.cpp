#include "tasq/metrics/queue_table.h"

#include <algorithm>

#include "utf8.h"

namespace tasq::metrics {
namespace {

constexpr std::size_t kMaxLabelBytes = 64;
// A candidate must be this many times more active than the weakest queue
// with a series before it takes that series.
constexpr double kTakeOverFactor = 2.0;
// And its proven score must be at least this: with the default decay, about
// one event a second, sustained.
constexpr double kMinTakeOverScore = 10.0;

}  // namespace

QueueTable::QueueTable(Limits limits) : limits_(limits) {
  limits_.tracked = std::max(limits_.tracked, limits_.named + 1);
}

bool QueueTable::nameable(std::string_view queue) {
  if (queue.empty() || queue.size() > kMaxLabelBytes || queue == kOther) return false;
  std::size_t i = 0;
  while (i < queue.size()) {
    const std::size_t length = utf8_sequence_length(queue.substr(i));
    if (length == 0) return false;
    if (length == 1) {
      const auto c = static_cast<unsigned char>(queue[i]);
      if (c < 0x20 || c == 0x7F) return false;
    }
    i += length;
  }
  return true;
}

bool QueueTable::is_named(std::string_view queue) const { return named_.contains(queue); }

// Space-Saving: a queue not yet tracked takes the place of the least active
// candidate that has no series, inheriting its score (an overestimate that
// lets a steadily busy newcomer rise above the rest).
QueueTable::Score& QueueTable::track(std::string_view queue, double weight) {
  if (auto it = scores_.find(queue); it != scores_.end()) {
    it->second.score += weight;
    return it->second;
  }
  double inherited = 0;
  if (scores_.size() >= limits_.tracked) {
    auto weakest = scores_.end();
    for (auto it = scores_.begin(); it != scores_.end(); ++it) {
      if (named_.contains(it->first)) continue;
      if (weakest == scores_.end() || it->second.score < weakest->second.score) weakest = it;
    }
    // tracked > named, so a candidate without a series always exists.
    inherited = weakest->second.score;
    scores_.erase(weakest);
    last_.counters = nullptr;
  }
  return scores_.emplace(std::string(queue), Score{inherited + weight, inherited}).first->second;
}

QueueCounters& QueueTable::counters_for(std::string_view queue, double weight) {
  if (last_.counters != nullptr && queue == last_.name) {
    if (last_.score != nullptr) last_.score->score += weight;
    return *last_.counters;
  }
  Score* score = nullptr;
  QueueCounters* counters = &other_;
  if (nameable(queue)) {
    score = &track(queue, weight);
    if (auto it = named_.find(queue); it != named_.end()) {
      counters = &it->second;
    } else if (named_.size() < limits_.named) {
      counters = &named_[std::string(queue)];
    }
  }
  last_.name.assign(queue);
  last_.score = score;
  last_.counters = counters;
  return *counters;
}

void QueueTable::on_enqueued(std::string_view queue, std::uint64_t tasks) {
  counters_for(queue, static_cast<double>(tasks)).enqueued += tasks;
}

void QueueTable::on_end(std::string_view queue, EndKind kind, double wait_seconds,
                        double run_seconds) {
  QueueCounters& counters = counters_for(queue, 1);
  switch (kind) {
    case EndKind::completed:
      ++counters.completed;
      break;
    case EndKind::failed:
      ++counters.failed;
      break;
    case EndKind::dead:
      // The last attempt failed too, as the task counters count it.
      ++counters.failed;
      ++counters.dead;
      break;
  }
  counters.wait.observe(wait_seconds);
  counters.run.observe(run_seconds);
}

void QueueTable::rerank() {
  last_.counters = nullptr;  // series move below
  for (auto& [name, s] : scores_) {
    s.score *= limits_.decay;
    s.inherited *= limits_.decay;
  }
  const auto score_of = [&](const std::string& name) {
    auto it = scores_.find(name);
    return it == scores_.end() ? 0.0 : it->second.score;
  };
  // Candidates without a series, by proven activity, most active first.
  std::vector<std::pair<double, const std::string*>> rising;
  for (const auto& [name, s] : scores_) {
    if (!named_.contains(name)) rising.emplace_back(s.score - s.inherited, &name);
  }
  std::sort(rising.begin(), rising.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  for (const auto& [score, name] : rising) {
    if (named_.size() < limits_.named) {
      named_.emplace(*name, QueueCounters{});
      continue;
    }
    auto weakest = named_.end();
    double weakest_score = 0;
    for (auto it = named_.begin(); it != named_.end(); ++it) {
      const double s = score_of(it->first);
      if (weakest == named_.end() || s < weakest_score) {
        weakest = it;
        weakest_score = s;
      }
    }
    if (weakest == named_.end() || score < kMinTakeOverScore ||
        score <= kTakeOverFactor * weakest_score) {
      break;
    }
    named_.erase(weakest);
    named_.emplace(*name, QueueCounters{});
  }
}

}  // namespace tasq::metrics
