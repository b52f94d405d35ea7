#include "command_table.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "server.h"

namespace tasq::server {
namespace {

constexpr std::array kCommands{
    CommandSpec{"lpush", -3, kWrite | kFast | kDenyOom, cmd_push, 1, 1, 1,
                "Enqueues one task per payload on a queue; returns the id of the last.", "list",
                "0.1.0", "key payload [payload ...]"},
    CommandSpec{"rpush", -3, kWrite | kFast | kDenyOom, cmd_push, 1, 1, 1,
                "Same as LPUSH: enqueues one task per payload; returns the id of the last.",
                "list", "0.1.0", "key payload [payload ...]"},
    CommandSpec{"llen", 2, kReadonly | kFast, cmd_llen, 1, 1, 1,
                "Returns the number of tasks of a queue waiting to start.", "list", "0.1.0", "key"},
    CommandSpec{"zadd", -4, kWrite | kFast | kDenyOom, cmd_zadd, 1, 1, 1,
                "Schedules a delayed task per payload at a unix time in seconds; returns the id "
                "of the last. A payload already scheduled on the queue moves (NX: stays).",
                "sorted-set", "0.1.0", "key [NX] due payload [due payload ...]"},
    CommandSpec{"zcard", 2, kReadonly | kFast, cmd_zcard, 1, 1, 1,
                "Returns the number of delayed tasks of a queue not yet due.", "sorted-set",
                "0.1.0", "key"},
    CommandSpec{"zrem", -3, kWrite | kFast, cmd_zrem, 1, 1, 1,
                "Cancels delayed tasks by payload; returns how many were cancelled.",
                "sorted-set", "0.1.0", "key payload [payload ...]"},
    CommandSpec{"ping", -1, kFast | kStale | kLoading, cmd_ping, 0, 0, 0,
                "Returns PONG, or the message given.", "connection", "0.1.0", "[message]"},
    CommandSpec{"echo", 2, kFast | kStale | kLoading, cmd_echo, 0, 0, 0,
                "Returns the given string.", "connection", "0.1.0", "message"},
    CommandSpec{"quit", -1, kFast | kNoAuth | kStale | kLoading, cmd_quit, 0, 0, 0,
                "Closes the connection once the reply is sent.", "connection", "0.1.0", ""},
    CommandSpec{"auth", -2, kFast | kNoAuth | kStale | kLoading, cmd_auth, 0, 0, 0,
                "Authenticates the connection.", "connection", "0.1.0", "[username] password"},
    CommandSpec{"select", 2, kFast | kLoading | kStale, cmd_select, 0, 0, 0,
                "Selects database 0, the only one.", "connection", "0.1.0", "index"},
    CommandSpec{"hello", -1, kFast | kNoAuth | kStale | kLoading, cmd_hello, 0, 0, 0,
                "Handshakes: protocol version, authentication and client name.", "connection",
                "0.1.0", "[protover [AUTH username password] [SETNAME clientname]]"},
    CommandSpec{"client", -2, kStale | kLoading, cmd_client, 0, 0, 0,
                "SETNAME, GETNAME, ID, SETINFO, INFO about the connection.", "connection", "0.1.0",
                "subcommand [argument ...]"},
    CommandSpec{"command", -1, kStale | kLoading, cmd_command, 0, 0, 0,
                "Describes the commands: COUNT, DOCS, INFO.", "server", "0.1.0",
                "[COUNT | DOCS [name ...] | INFO [name ...]]"},
    CommandSpec{"config", -2, kAdmin | kStale | kLoading, cmd_config, 0, 0, 0,
                "CONFIG GET pattern: the matching directives.", "server", "0.1.0",
                "GET pattern [pattern ...]"},
    CommandSpec{"info", -1, kStale | kLoading, cmd_info, 0, 0, 0,
                "Server information and statistics.", "server", "0.1.0", "[section ...]"},
    CommandSpec{"xread", -4, kReadonly | kBlocking | kMovableKeys, cmd_xread, 0, 0, 0,
                "Reads task results (tasq:result:<ID>), task ends (tasq:finished) and dead "
                "letters (tasq:dead) after the given ids; BLOCK waits for them.",
                "stream", "0.1.0",
                "[COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]"},
    CommandSpec{"xrange", -4, kReadonly, cmd_xrange, 1, 1, 1,
                "Returns the entries of tasq:result:<ID>, tasq:finished or tasq:dead with ids "
                "in a range.",
                "stream", "0.1.0", "key start end [COUNT count]"},
    CommandSpec{"xrevrange", -4, kReadonly, cmd_xrevrange, 1, 1, 1,
                "Returns the entries of a stream with ids in a range, newest first.", "stream",
                "0.1.0", "key end start [COUNT count]"},
    CommandSpec{"xlen", 2, kReadonly | kFast, cmd_xlen, 1, 1, 1,
                "Returns the number of entries of tasq:result:<ID>, tasq:finished or tasq:dead.",
                "stream", "0.1.0", "key"},
    CommandSpec{"del", -2, kWrite, cmd_del, 1, -1, 1,
                "Forgets the results of tasks (tasq:result:<ID> keys); returns how many.",
                "generic", "0.1.0", "key [key ...]"},
};

// Redis quotes at most 128 bytes of the name and of each argument, and
// stops listing arguments once the list is long.
std::string unknown_command_text(std::span<const std::string_view> args) {
  std::string text = "ERR unknown command '";
  text.append(args[0].substr(0, 128));
  text += "', with args beginning with: ";
  for (std::size_t i = 1; i < args.size() && text.size() < 512; ++i) {
    text += '\'';
    text.append(args[i].substr(0, 128));
    text += "' ";
  }
  return text;
}

}  // namespace

bool iequals(std::string_view word, std::string_view lower) {
  return word.size() == lower.size() &&
         std::equal(word.begin(), word.end(), lower.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == y;
         });
}

const CommandSpec* find_command(std::string_view name) {
  for (const auto& spec : kCommands) {
    if (iequals(name, spec.name)) return &spec;
  }
  return nullptr;
}

std::span<const CommandSpec> all_commands() { return kCommands; }

void reply_wrong_arity(resp::ReplyWriter& reply, std::string_view name) {
  std::string text = "ERR wrong number of arguments for '";
  text.append(name);
  text += "' command";
  reply.error(text);
}

Disposition dispatch_command(CommandContext& c) {
  const CommandSpec* spec = find_command(c.args[0]);
  if (spec == nullptr) {
    c.reply.error(unknown_command_text(c.args));
    return Disposition::done;
  }
  auto argc = static_cast<int>(c.args.size());
  if ((spec->arity > 0 && argc != spec->arity) || (spec->arity < 0 && argc < -spec->arity)) {
    reply_wrong_arity(c.reply, spec->name);
    return Disposition::done;
  }
  if (!c.client.authenticated && (spec->flags & kNoAuth) == 0) {
    c.reply.error("NOAUTH Authentication required.");
    return Disposition::done;
  }
  if (c.server.loading() && (spec->flags & kLoading) == 0) {
    c.reply.error("LOADING tasq is loading the journal");
    return Disposition::done;
  }
  return spec->handler(c);
}

}  // namespace tasq::server
