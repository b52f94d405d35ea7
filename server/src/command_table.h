#pragma once
// The command table: {name, arity, flags, handler} with the static
// description that COMMAND reports. Arity, authentication and unknown
// commands are checked in dispatch_command(), in one place.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "client_state.h"
#include "tasq/resp/reply_writer.h"
#include "tasq/results/stream_id.h"

namespace tasq::server {

class Server;

enum class Disposition : std::uint8_t {
  done,  ///< the reply is written
  park,  ///< the command must run again later (push into a full ring)
  block,  ///< XREAD BLOCK found nothing: the client waits (CommandContext::block)
};

/// What an XREAD BLOCK that found nothing waits for: its keys (copied, the
/// arguments' views do not outlive the command), the ids after which it
/// reads, and how long (0: for ever).
struct BlockRequest {
  std::vector<std::string> keys;
  std::vector<results::StreamId> after;
  std::uint64_t count = 0;
  std::int64_t timeout_ms = 0;
};

struct CommandContext {
  Server& server;
  ClientState& client;
  resp::ReplyWriter& reply;
  std::span<const std::string_view> args;
  std::optional<BlockRequest> block = std::nullopt;  ///< set with Disposition::block
};

using CommandHandler = Disposition (*)(CommandContext&);

/// Flags as COMMAND INFO reports them.
enum CommandFlag : std::uint32_t {
  kWrite = 1u << 0,
  kReadonly = 1u << 1,
  kFast = 1u << 2,
  kNoAuth = 1u << 3,     ///< allowed before AUTH
  kLoading = 1u << 4,
  kStale = 1u << 5,
  kDenyOom = 1u << 6,
  kAdmin = 1u << 7,
  kBlocking = 1u << 8,
  kMovableKeys = 1u << 9,
};

struct CommandSpec {
  std::string_view name;     ///< lower case
  int arity;                 ///< exact count, or -N for at least N (name included)
  std::uint32_t flags;
  CommandHandler handler;
  int first_key, last_key, key_step;
  std::string_view summary;
  std::string_view group;
  std::string_view since;
  std::string_view syntax;   ///< argument synopsis, e.g. "key element [element ...]"
};

/// Case-insensitive lookup; nullptr when unknown.
const CommandSpec* find_command(std::string_view name);
std::span<const CommandSpec> all_commands();

/// Checks the command (known, arity, authenticated) and runs it.
Disposition dispatch_command(CommandContext& context);

// The handlers, grouped by the file that holds them.
Disposition cmd_push(CommandContext& c);
Disposition cmd_llen(CommandContext& c);
Disposition cmd_zadd(CommandContext& c);
Disposition cmd_zcard(CommandContext& c);
Disposition cmd_zrem(CommandContext& c);
Disposition cmd_ping(CommandContext& c);
Disposition cmd_echo(CommandContext& c);
Disposition cmd_quit(CommandContext& c);
Disposition cmd_auth(CommandContext& c);
Disposition cmd_select(CommandContext& c);
Disposition cmd_hello(CommandContext& c);
Disposition cmd_client(CommandContext& c);
Disposition cmd_command(CommandContext& c);
Disposition cmd_config(CommandContext& c);
Disposition cmd_info(CommandContext& c);
Disposition cmd_xread(CommandContext& c);
Disposition cmd_xrange(CommandContext& c);
Disposition cmd_xrevrange(CommandContext& c);
Disposition cmd_xlen(CommandContext& c);
Disposition cmd_del(CommandContext& c);

/// Case-insensitive equality of a client's word with a lower-case name.
bool iequals(std::string_view word, std::string_view lower);

/// Redis's `wrong number of arguments for 'x' command` reply.
void reply_wrong_arity(resp::ReplyWriter& reply, std::string_view name);

}  // namespace tasq::server
