#include "task_results.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "tasq/results/stream_reply.h"

namespace tasq::server {
namespace {

results::TaskOutcome to_outcome(const TaskResults::End& end) {
  return results::TaskOutcome{
      .task_id = end.task_id,
      .status = end.dead ? results::Status::dead : results::Status::completed,
      .attempts = end.attempts,
      .enqueued_ms = end.enqueued_ms,
      .started_ms = end.started_ms,
      .queue = end.queue,
      .result = end.result,
      .error = end.error,
      .payload = end.payload};
}

}  // namespace

TaskResults::TaskResults(boost::asio::io_context& io, results::Streams::Limits limits,
                         std::size_t max_result_bytes)
    : streams_(limits), max_result_bytes_(max_result_bytes), expiry_timer_(io) {
  streams_.results().on_drop([this](std::uint64_t task_id) { released(task_id, true, false); });
}

TaskResults::~TaskResults() = default;

std::int64_t TaskResults::now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

void TaskResults::released(std::uint64_t task_id, bool result, bool letter) {
  if (release_) release_(task_id, result, letter);
}

std::optional<journal::Outcome> TaskResults::on_end(const End& given, bool journaled) {
  End end = given;
  end.result = end.result.substr(0, max_result_bytes_);
  const std::int64_t now = end.ended_ms;
  results::Streams::Changes changes;
  const results::StreamId id = streams_.record(to_outcome(end), now, changes);
  bool keeps_letter = end.dead;
  for (std::uint64_t dropped : changes.dead_dropped) {
    if (dropped == end.task_id) {
      keeps_letter = false;  // dead_letter_max 0
    } else {
      released(dropped, false, true);
    }
  }
  arm_expiry(now);

  const results::StreamKey keys[] = {{results::StreamKey::Kind::result, end.task_id},
                                     {results::StreamKey::Kind::finished, 0},
                                     {results::StreamKey::Kind::dead, 0}};
  wake(keys, end.dead ? 3 : 2);
  streams_.end_of_turn();

  // Without a journal the record would be built only to be dropped: for an
  // end with a result, two string copies and an allocation.
  if (!journaled || (!changes.result_kept && !keeps_letter)) return std::nullopt;
  journal::Outcome out;
  out.id = end.task_id;
  out.dead = end.dead;
  out.keeps_result = changes.result_kept;
  out.keeps_letter = keeps_letter;
  out.attempts = end.attempts;
  out.enqueued_ms = end.enqueued_ms;
  out.started_ms = end.started_ms;
  out.entry_ms = id.ms;
  out.entry_seq = id.seq;
  out.queue.assign(end.queue);
  if (end.dead) {
    out.error.assign(end.error);
    out.payload.assign(end.payload);
  } else {
    out.result.assign(end.result);
  }
  return out;
}

void TaskResults::restore(const journal::Outcome& outcome) {
  const End end{.task_id = outcome.id,
                .dead = outcome.dead,
                .attempts = outcome.attempts,
                .enqueued_ms = outcome.enqueued_ms,
                .started_ms = outcome.started_ms,
                .queue = outcome.queue,
                .result = outcome.result,
                .error = outcome.error,
                .payload = outcome.payload};
  results::Streams::Changes changes;
  const std::int64_t now = now_ms();
  streams_.restore(to_outcome(end), {outcome.entry_ms, outcome.entry_seq}, outcome.keeps_result,
                   outcome.dead && outcome.keeps_letter, now, changes);
  // Expired while tasqd was down, or over a bound that shrank: the journal
  // may leave it out from now on.
  if (outcome.keeps_result && !changes.result_kept) released(outcome.id, true, false);
  for (std::uint64_t dropped : changes.dead_dropped) released(dropped, false, true);
  arm_expiry(now);
}

bool TaskResults::forget(std::uint64_t task_id) {
  return streams_.forget_result(task_id, now_ms());
}

std::optional<results::DeadLetter> TaskResults::take_dead_letter(std::uint64_t task_id) {
  auto letter = streams_.take_dead_letter(task_id);
  if (letter) ++retried_;
  return letter;
}

bool TaskResults::try_read(const BlockedRead& read, resp::ReplyWriter& reply) const {
  std::vector<std::string_view> keys(read.keys().begin(), read.keys().end());
  return results::write_xread(reply, streams_, keys, read.after(), read.count(), now_ms());
}

void TaskResults::block(BlockedRead& read) {
  for (const auto& key : read.keys()) waiting_.add(read, results::classify_key(key));
}

void TaskResults::unblock(BlockedRead& read) { waiting_.remove(read); }

// Each waiter is asked once however many of the keys it waits on moved. One
// that answers leaves the lists (unblock) during the loop, which therefore
// walks a copy and skips whoever is no longer listed by the time its turn
// comes.
void TaskResults::wake(const results::StreamKey* keys, std::size_t count) {
  if (waiting_.size() == 0) return;
  std::vector<results::WaitList::Waiter*> list;
  list.swap(to_wake_);
  list.clear();
  waiting_.waiting_on({keys, count}, list);
  for (auto* waiter : list) {
    if (waiting_.contains(waiter)) static_cast<BlockedRead*>(waiter)->on_stream_ready();
  }
  list.clear();
  to_wake_.swap(list);
}

// One timer for the oldest result's expiry, re-armed as they go; none while
// no result is kept, so an idle server has nothing to wake for.
void TaskResults::arm_expiry(std::int64_t now) {
  // Nothing kept can expire before the oldest does, and the timer is set for
  // that: an end need not look at the oldest entry (cold memory by then).
  if (expiry_armed_for_ && now < *expiry_armed_for_) return;
  const std::optional<std::int64_t> next = streams_.results().expire(now);
  if (!next) {
    if (expiry_armed_for_) expiry_timer_.cancel();
    expiry_armed_for_.reset();
    return;
  }
  if (expiry_armed_for_ && *expiry_armed_for_ <= *next) return;
  expiry_armed_for_ = *next;
  expiry_timer_.expires_after(std::chrono::milliseconds(std::max<std::int64_t>(*next - now, 0)));
  expiry_timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    expiry_armed_for_.reset();
    arm_expiry(now_ms());
  });
}

}  // namespace tasq::server
