#include "tasq/results/stream_entry.h"

#include <string>
#include <type_traits>

namespace tasq::results {
namespace {

void header(resp::ReplyWriter& reply, StreamId id, std::size_t fields) {
  reply.array(2);
  reply.bulk(id.text());
  reply.array(2 * fields);
}

void field(resp::ReplyWriter& reply, std::string_view name, std::string_view value) {
  reply.bulk(name);
  reply.bulk(value);
}

template <typename Number>
requires std::is_integral_v<Number>
void field(resp::ReplyWriter& reply, std::string_view name, Number value) {
  reply.bulk(name);
  reply.bulk(std::to_string(value));
}

}  // namespace

void write_entry(resp::ReplyWriter& reply, const Outcome& outcome) {
  const bool dead = outcome.status == Status::dead;
  header(reply, outcome.entry_id, dead ? 8 : 7);
  field(reply, "status", to_string(outcome.status));
  field(reply, "result", outcome.result);
  if (dead) field(reply, "error", outcome.error);
  field(reply, "attempts", outcome.attempts);
  field(reply, "queue", outcome.queue);
  field(reply, "enqueued_ms", outcome.enqueued_ms);
  field(reply, "started_ms", outcome.started_ms);
  field(reply, "ended_ms", outcome.ended_ms);
}

void write_entry(resp::ReplyWriter& reply, const FinishedEvent& event) {
  const bool dead = event.status == Status::dead;
  header(reply, event.id, dead ? 4 : 3);
  field(reply, "id", event.task_id);
  field(reply, "queue", event.queue);
  field(reply, "status", to_string(event.status));
  if (dead) field(reply, "error", event.error);
}

void write_entry(resp::ReplyWriter& reply, const DeadLetter& letter) {
  header(reply, letter.id, 6);
  field(reply, "id", letter.task_id);
  field(reply, "queue", letter.queue);
  field(reply, "payload", letter.payload);
  field(reply, "attempts", letter.attempts);
  field(reply, "error", letter.error);
  field(reply, "ended_ms", letter.id.ms);
}

}  // namespace tasq::results
