// LPUSH/RPUSH and LLEN: the commands that turn RESP into tasks.

#include "command_table.h"
#include "server.h"

namespace tasq::server {

// LPUSH and RPUSH are the same command here: a queue is a stream of tasks
// handed to workers in push order, not a list with two ends.
Disposition cmd_push(CommandContext& c) {
  if (c.server.shutting_down()) {
    c.reply.error("ERR server is shutting down: the task was not accepted");
    return Disposition::done;
  }
  auto payloads = c.args.subspan(2);
  std::uint64_t id = c.server.intake().accept(c.args[1], payloads);
  if (id == 0) return Disposition::park;
  c.reply.integer(static_cast<std::int64_t>(id));
  return Disposition::done;
}

Disposition cmd_llen(CommandContext& c) {
  c.reply.integer(static_cast<std::int64_t>(c.server.intake().pool().pending(c.args[1])));
  return Disposition::done;
}

}  // namespace tasq::server
