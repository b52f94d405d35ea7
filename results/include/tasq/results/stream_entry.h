#pragma once
// One stream entry on the wire, as Redis writes it in RESP2 and RESP3 alike:
// a two-element array of the id and a flat array of field, value, ...

#include "tasq/resp/reply_writer.h"
#include "tasq/results/dead_letters.h"
#include "tasq/results/finished_events.h"
#include "tasq/results/result_store.h"

namespace tasq::results {

/// tasq:result:<ID>: status, result, error (dead only), attempts, queue,
/// enqueued_ms, started_ms, ended_ms.
void write_entry(resp::ReplyWriter& reply, const Outcome& outcome);
/// tasq:finished: id, queue, status, error (dead only).
void write_entry(resp::ReplyWriter& reply, const FinishedEvent& event);
/// tasq:dead: id, queue, payload, attempts, error, ended_ms.
void write_entry(resp::ReplyWriter& reply, const DeadLetter& letter);

}  // namespace tasq::results
