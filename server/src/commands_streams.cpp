// XREAD, XRANGE, XREVRANGE, XLEN and DEL: the stream commands, answered on
// tasq:result:<ID>, tasq:finished and tasq:dead with Redis's replies and
// errors. Any other key reads as a stream that does not exist.

#include <variant>

#include "command_table.h"
#include "server.h"
#include "task_results.h"
#include "tasq/results/stream_key.h"
#include "tasq/results/stream_reply.h"

namespace tasq::server {
namespace {

// Past this a BLOCK timeout is "for ever": it would not fit a steady_clock
// deadline, and no client waits that long (about 100 years).
constexpr std::int64_t kLongestBlockMs = 3'000'000'000'000;

Disposition reply_range(CommandContext& c, bool reverse) {
  auto parsed = results::parse_xrange(c.args, reverse);
  if (const auto* error = std::get_if<std::string>(&parsed)) {
    c.reply.error(*error);
    return Disposition::done;
  }
  const TaskResults& results = c.server.results();
  results::write_xrange(c.reply, results.streams(), std::get<results::XrangeArgs>(parsed), reverse,
                        TaskResults::now_ms());
  return Disposition::done;
}

}  // namespace

// A result that exists when the client asks is answered at once; only when
// none of the streams has anything after its id does the client wait.
Disposition cmd_xread(CommandContext& c) {
  auto parsed = results::parse_xread(c.args);
  if (const auto* error = std::get_if<std::string>(&parsed)) {
    c.reply.error(*error);
    return Disposition::done;
  }
  auto& args = std::get<results::XreadArgs>(parsed);
  const TaskResults& results = c.server.results();
  const std::int64_t now = TaskResults::now_ms();
  auto after = results::resolve_from(results.streams(), args.keys, args.from, now);
  if (results::write_xread(c.reply, results.streams(), args.keys, after, args.count, now)) {
    return Disposition::done;
  }
  if (!args.block_ms) {
    c.reply.null_array();
    return Disposition::done;
  }
  c.block = BlockRequest{.keys = {args.keys.begin(), args.keys.end()},
                         .after = std::move(after),
                         .count = args.count,
                         .timeout_ms = *args.block_ms > kLongestBlockMs ? 0 : *args.block_ms};
  return Disposition::block;
}

Disposition cmd_xrange(CommandContext& c) { return reply_range(c, false); }

Disposition cmd_xrevrange(CommandContext& c) { return reply_range(c, true); }

Disposition cmd_xlen(CommandContext& c) {
  const auto key = results::classify_key(c.args[1]);
  c.reply.integer(
      static_cast<std::int64_t>(c.server.results().streams().length(key, TaskResults::now_ms())));
  return Disposition::done;
}

// Only results can be deleted: tasq:finished and tasq:dead are tasq's own
// (a dead letter leaves by a retry), and other keys hold nothing.
Disposition cmd_del(CommandContext& c) {
  std::int64_t forgotten = 0;
  for (std::string_view arg : c.args.subspan(1)) {
    const auto key = results::classify_key(arg);
    if (key.kind == results::StreamKey::Kind::result && c.server.forget_result(key.task_id)) {
      ++forgotten;
    }
  }
  c.reply.integer(forgotten);
  return Disposition::done;
}

}  // namespace tasq::server
