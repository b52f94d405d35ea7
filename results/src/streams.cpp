#include "tasq/results/streams.h"

#include <algorithm>
#include <iterator>

#include "tasq/results/stream_entry.h"

namespace tasq::results {
namespace {

// Writes the entries of [first, last) — sorted by id, all within the range —
// forwards or backwards, at most `count` of them (0: all).
template <typename It>
void write_entries(resp::ReplyWriter& reply, It first, It last, std::size_t count, bool reverse) {
  auto total = static_cast<std::size_t>(std::distance(first, last));
  if (count != 0) total = std::min(total, count);
  reply.array(total);
  if (!reverse) {
    for (std::size_t i = 0; i < total; ++i, ++first) write_entry(reply, *first);
  } else {
    for (std::size_t i = 0; i < total; ++i) write_entry(reply, *--last);
  }
}

// Adapts a map's iterator to its values, for write_entries.
template <typename MapIt>
struct ValueIt {
  using iterator_category = std::bidirectional_iterator_tag;
  using value_type = typename MapIt::value_type::second_type;
  using difference_type = std::ptrdiff_t;
  using pointer = const value_type*;
  using reference = const value_type&;
  MapIt it;
  reference operator*() const { return it->second; }
  ValueIt& operator++() {
    ++it;
    return *this;
  }
  ValueIt& operator--() {
    --it;
    return *this;
  }
  ValueIt operator++(int) { return ValueIt{it++}; }
  ValueIt operator--(int) { return ValueIt{it--}; }
  bool operator==(const ValueIt& other) const { return it == other.it; }
};

}  // namespace

Streams::Streams(Limits limits)
    : results_(limits.results), finished_(limits.finished_max), dead_(limits.dead_max) {}

// Redis's rule for XADD *: the current millisecond, or the last id's plus a
// sequence step when the clock has not moved on (or went back).
StreamId Streams::next_entry_id(std::int64_t now_ms) {
  const auto now = static_cast<std::uint64_t>(std::max<std::int64_t>(now_ms, 0));
  if (now > last_given_.ms) {
    last_given_ = {now, 0};
  } else {
    last_given_ = next_id(last_given_).value_or(last_given_);
  }
  return last_given_;
}

namespace {

// The result stream's entry of an end with entry id `id`.
Outcome result_of(const TaskOutcome& outcome, StreamId id) {
  const bool dead = outcome.status == Status::dead;
  return Outcome{.task_id = outcome.task_id,
                 .entry_id = id,
                 .status = outcome.status,
                 .attempts = outcome.attempts,
                 .enqueued_ms = outcome.enqueued_ms,
                 .started_ms = outcome.started_ms,
                 .ended_ms = static_cast<std::int64_t>(id.ms),
                 .queue = outcome.queue,
                 .result = dead ? std::string_view() : outcome.result,
                 .error = dead ? outcome.error : std::string_view()};
}

DeadLetter letter_of(const TaskOutcome& outcome, StreamId id) {
  return DeadLetter{.id = id,
                    .task_id = outcome.task_id,
                    .queue = std::string(outcome.queue),
                    .payload = std::string(outcome.payload),
                    .attempts = outcome.attempts,
                    .error = std::string(outcome.error)};
}

}  // namespace

StreamId Streams::record(const TaskOutcome& outcome, std::int64_t now_ms, Changes& changes) {
  const StreamId id = next_entry_id(now_ms);
  const bool dead = outcome.status == Status::dead;
  const Outcome result = result_of(outcome, id);
  changes.result_kept = results_.keep(result, now_ms);
  unkept_.reset();
  if (!changes.result_kept) {
    Unkept& copy = unkept_.emplace(Unkept{result, {}});
    copy.bytes.reserve(result.queue.size() + result.result.size() + result.error.size());
    copy.bytes.append(result.queue).append(result.result).append(result.error);
    const std::string_view bytes = copy.bytes;
    copy.outcome.queue = bytes.substr(0, result.queue.size());
    copy.outcome.result = bytes.substr(result.queue.size(), result.result.size());
    copy.outcome.error = bytes.substr(result.queue.size() + result.result.size());
  }
  finished_.add(FinishedEvent{.id = id,
                              .task_id = outcome.task_id,
                              .status = outcome.status,
                              .queue = std::string(outcome.queue),
                              .error = dead ? std::string(outcome.error) : std::string()});
  if (dead) dead_.add(letter_of(outcome, id), &changes.dead_dropped);
  return id;
}

void Streams::restore(const TaskOutcome& outcome, StreamId id, bool with_result,
                      bool with_dead_letter, std::int64_t now_ms, Changes& changes) {
  if (id > last_given_) last_given_ = id;
  if (with_result) changes.result_kept = results_.keep(result_of(outcome, id), now_ms);
  if (outcome.status == Status::dead && with_dead_letter) {
    dead_.add(letter_of(outcome, id), &changes.dead_dropped);
  }
}

std::optional<Outcome> Streams::find_result(std::uint64_t task_id, std::int64_t now_ms) const {
  if (auto kept = results_.find(task_id, now_ms)) return kept;
  if (unkept_ && unkept_->outcome.task_id == task_id) return unkept_->outcome;
  return std::nullopt;
}

std::optional<DeadLetter> Streams::take_dead_letter(std::uint64_t task_id) {
  auto letter = dead_.take(task_id);
  if (letter) results_.forget(task_id, INT64_MIN);
  return letter;
}

bool Streams::exists(const StreamKey& key, std::int64_t now_ms) const {
  switch (key.kind) {
    case StreamKey::Kind::result:
      return find_result(key.task_id, now_ms).has_value();
    case StreamKey::Kind::finished:
    case StreamKey::Kind::dead:
      return true;
    case StreamKey::Kind::none:
      break;
  }
  return false;
}

std::size_t Streams::length(const StreamKey& key, std::int64_t now_ms) const {
  switch (key.kind) {
    case StreamKey::Kind::result:
      return find_result(key.task_id, now_ms) ? 1 : 0;
    case StreamKey::Kind::finished:
      return finished_.events().size();
    case StreamKey::Kind::dead:
      return dead_.letters().size();
    case StreamKey::Kind::none:
      break;
  }
  return 0;
}

StreamId Streams::last_id(const StreamKey& key, std::int64_t now_ms) const {
  switch (key.kind) {
    case StreamKey::Kind::result: {
      auto outcome = find_result(key.task_id, now_ms);
      return outcome ? outcome->entry_id : StreamId{};
    }
    case StreamKey::Kind::finished:
      return finished_.last_id();
    case StreamKey::Kind::dead:
      return dead_.last_id();
    case StreamKey::Kind::none:
      break;
  }
  return {};
}

bool Streams::has_after(const StreamKey& key, StreamId after, std::int64_t now_ms) const {
  switch (key.kind) {
    case StreamKey::Kind::result: {
      auto outcome = find_result(key.task_id, now_ms);
      return outcome && outcome->entry_id > after;
    }
    case StreamKey::Kind::finished:
      return !finished_.events().empty() && finished_.events().back().id > after;
    case StreamKey::Kind::dead:
      return !dead_.letters().empty() && dead_.letters().rbegin()->first > after;
    case StreamKey::Kind::none:
      break;
  }
  return false;
}

void Streams::write_range(resp::ReplyWriter& reply, const StreamKey& key, StreamId start,
                          StreamId end, std::size_t count, bool reverse,
                          std::int64_t now_ms) const {
  switch (key.kind) {
    case StreamKey::Kind::result: {
      auto outcome = find_result(key.task_id, now_ms);
      if (outcome && start <= end && outcome->entry_id >= start && outcome->entry_id <= end) {
        reply.array(1);
        write_entry(reply, *outcome);
        return;
      }
      break;
    }
    case StreamKey::Kind::finished: {
      if (start > end) break;
      const auto& events = finished_.events();
      auto by_id = [](const FinishedEvent& event, StreamId id) { return event.id < id; };
      auto first = std::lower_bound(events.begin(), events.end(), start, by_id);
      auto last = std::upper_bound(first, events.end(), end,
                                   [](StreamId id, const FinishedEvent& e) { return id < e.id; });
      write_entries(reply, first, last, count, reverse);
      return;
    }
    case StreamKey::Kind::dead: {
      if (start > end) break;
      const auto& letters = dead_.letters();
      using It = ValueIt<std::map<StreamId, DeadLetter>::const_iterator>;
      write_entries(reply, It{letters.lower_bound(start)}, It{letters.upper_bound(end)}, count,
                    reverse);
      return;
    }
    case StreamKey::Kind::none:
      break;
  }
  reply.array(0);
}

}  // namespace tasq::results
