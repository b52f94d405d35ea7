// ZADD, ZCARD and ZREM: delayed tasks through the sorted-set idiom Redis
// users already schedule jobs with (score = unix time the job falls due).

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "command_table.h"
#include "delayed_tasks.h"
#include "server.h"
#include "unix_time.h"

namespace tasq::server {
namespace {

// The latest due time accepted: the last second of year 9999, as a bound
// that keeps milliseconds far inside int64.
constexpr double kMaxDueSeconds = 253402300799.0;

// Redis's string2d: the whole argument is a number strtod reads, no leading
// space, no NaN, no overflow to infinity ("inf" spelled out is accepted).
bool parse_score(std::string_view text, double& value) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text.front()))) return false;
  std::string copy(text);
  char* end = nullptr;
  errno = 0;
  value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return false;
  if (errno == ERANGE &&
      (value == HUGE_VAL || value == -HUGE_VAL || std::fpclassify(value) == FP_ZERO)) {
    return false;
  }
  return !std::isnan(value);
}

struct ZaddFlags {
  bool nx = false, xx = false, gt = false, lt = false, ch = false, incr = false;
};

}  // namespace

// ZADD key [NX] due payload [due payload ...]: options and arguments are
// checked in Redis's order and with its words, every due time before any
// task is scheduled (all or none), then the bound. Replies the id of the
// last payload's task.
Disposition cmd_zadd(CommandContext& c) {
  ZaddFlags f;
  std::size_t first = 2;
  const std::pair<std::string_view, bool*> options[] = {
      {"nx", &f.nx}, {"xx", &f.xx}, {"gt", &f.gt}, {"lt", &f.lt}, {"ch", &f.ch}, {"incr", &f.incr}};
  for (; first < c.args.size(); ++first) {
    auto option = std::find_if(std::begin(options), std::end(options),
                               [&](const auto& o) { return iequals(c.args[first], o.first); });
    if (option == std::end(options)) break;
    *option->second = true;
  }
  const std::size_t elements = c.args.size() - first;
  if (elements == 0 || elements % 2 != 0) {
    c.reply.error("ERR syntax error");
    return Disposition::done;
  }
  if (f.nx && f.xx) {
    c.reply.error("ERR XX and NX options at the same time are not compatible");
    return Disposition::done;
  }
  if ((f.gt && f.nx) || (f.lt && f.nx) || (f.gt && f.lt)) {
    c.reply.error("ERR GT, LT, and/or NX options at the same time are not compatible");
    return Disposition::done;
  }
  if (f.incr && elements > 2) {
    c.reply.error("ERR INCR option supports a single increment-element pair");
    return Disposition::done;
  }
  const std::int64_t now = unix_ms_now();
  std::vector<std::int64_t> due(elements / 2);
  for (std::size_t i = 0; i < due.size(); ++i) {
    double seconds = 0;
    if (!parse_score(c.args[first + 2 * i], seconds)) {
      c.reply.error("ERR value is not a valid float");
      return Disposition::done;
    }
    if (seconds > kMaxDueSeconds) {
      c.reply.error(
          fmt::format("ERR due time out of range: a unix time in seconds up to {:.0f} was expected",
                      kMaxDueSeconds));
      return Disposition::done;
    }
    // Past (and -inf) means now.
    due[i] = std::max(now, static_cast<std::int64_t>(std::llround(std::max(seconds, 0.0) * 1000)));
  }
  if (f.xx || f.gt || f.lt || f.ch || f.incr) {
    c.reply.error(
        "ERR ZADD schedules tasks: of the sorted-set options only NX is supported "
        "(XX, GT, LT, CH and INCR are not)");
    return Disposition::done;
  }
  if (c.server.shutting_down()) {
    c.reply.error("ERR server is shutting down: the task was not accepted");
    return Disposition::done;
  }
  DelayedTasks& delayed = c.server.delayed();
  const std::string_view queue = c.args[1];
  // Count every payload as new first: only near the bound is it worth a
  // lookup per payload to leave out those that would merely move.
  std::size_t extra = 0;
  for (std::size_t i = 0; i < due.size(); ++i)
    extra += queue.size() + c.args[first + 2 * i + 1].size();
  if (!delayed.fits(extra)) {
    extra = 0;
    for (std::size_t i = 0; i < due.size(); ++i) {
      std::string_view payload = c.args[first + 2 * i + 1];
      if (!delayed.contains(queue, payload)) extra += queue.size() + payload.size();
    }
  }
  if (!delayed.fits(extra)) {
    c.reply.error(
        fmt::format("ERR too many scheduled tasks: their payloads would pass ring_size ({} bytes); "
                    "cancel some with ZREM, wait for them to fall due, or raise ring_size",
                    delayed.max_bytes()));
    return Disposition::done;
  }
  std::uint64_t id = 0;
  for (std::size_t i = 0; i < due.size(); ++i) {
    id = delayed.schedule(queue, c.args[first + 2 * i + 1], due[i], f.nx);
  }
  c.reply.integer(static_cast<std::int64_t>(id));
  return Disposition::done;
}

Disposition cmd_zcard(CommandContext& c) {
  c.reply.integer(static_cast<std::int64_t>(c.server.delayed().count(c.args[1])));
  return Disposition::done;
}

Disposition cmd_zrem(CommandContext& c) {
  std::int64_t cancelled = 0;
  for (std::string_view payload : c.args.subspan(2)) {
    if (c.server.delayed().cancel(c.args[1], payload)) ++cancelled;
  }
  c.reply.integer(cancelled);
  return Disposition::done;
}

}  // namespace tasq::server
