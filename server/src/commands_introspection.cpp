// Introspection: COMMAND, CONFIG GET and INFO.

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "command_table.h"
#include "info.h"
#include "server.h"

namespace tasq::server {
namespace {

std::vector<std::string_view> flag_names(std::uint32_t flags) {
  static constexpr std::pair<CommandFlag, std::string_view> kNames[] = {
      {kWrite, "write"},     {kReadonly, "readonly"}, {kDenyOom, "denyoom"}, {kAdmin, "admin"},
      {kNoAuth, "no_auth"},  {kLoading, "loading"},   {kStale, "stale"},     {kFast, "fast"},
      {kBlocking, "blocking"}, {kMovableKeys, "movablekeys"},
  };
  std::vector<std::string_view> names;
  for (const auto& [flag, name] : kNames) {
    if ((flags & flag) != 0) names.push_back(name);
  }
  return names;
}

// One COMMAND INFO entry in Redis 7's ten-element layout.
void reply_command_info(resp::ReplyWriter& reply, const CommandSpec& spec) {
  reply.array(10);
  reply.bulk(spec.name);
  reply.integer(spec.arity);
  auto flags = flag_names(spec.flags);
  reply.set(flags.size());
  for (auto flag : flags) reply.simple(flag);
  reply.integer(spec.first_key);
  reply.integer(spec.last_key);
  reply.integer(spec.key_step);
  reply.set(0);    // ACL categories
  reply.set(0);    // tips
  reply.array(0);  // key specs
  reply.array(0);  // subcommands
}

void reply_command_docs(resp::ReplyWriter& reply, const CommandSpec& spec) {
  reply.bulk(spec.name);
  reply.map(4);
  reply.bulk("summary");
  reply.bulk(spec.summary);
  reply.bulk("since");
  reply.bulk(spec.since);
  reply.bulk("group");
  reply.bulk(spec.group);
  reply.bulk("syntax");
  reply.bulk(spec.syntax);
}

}  // namespace

Disposition cmd_command(CommandContext& c) {
  auto commands = all_commands();
  if (c.args.size() == 1) {
    c.reply.array(commands.size());
    for (const auto& spec : commands) reply_command_info(c.reply, spec);
    return Disposition::done;
  }
  auto sub = c.args[1];
  auto names = c.args.subspan(2);
  if (iequals(sub, "count") && names.empty()) {
    c.reply.integer(static_cast<std::int64_t>(commands.size()));
  } else if (iequals(sub, "info")) {
    if (names.empty()) {
      c.reply.array(commands.size());
      for (const auto& spec : commands) reply_command_info(c.reply, spec);
    } else {
      c.reply.array(names.size());
      for (auto name : names) {
        if (const auto* spec = find_command(name)) {
          reply_command_info(c.reply, *spec);
        } else {
          c.reply.null_array();
        }
      }
    }
  } else if (iequals(sub, "docs")) {
    std::vector<const CommandSpec*> found;
    if (names.empty()) {
      for (const auto& spec : commands) found.push_back(&spec);
    } else {
      for (auto name : names) {
        if (const auto* spec = find_command(name)) found.push_back(spec);
      }
    }
    c.reply.map(found.size());
    for (const auto* spec : found) reply_command_docs(c.reply, *spec);
  } else if (iequals(sub, "count")) {
    reply_wrong_arity(c.reply, "command|count");
  } else {
    c.reply.error(std::string("ERR unknown subcommand '") + std::string(sub.substr(0, 128)) +
                  "'. Try COMMAND HELP.");
  }
  return Disposition::done;
}

// CONFIG GET pattern [pattern ...]: glob patterns, case-insensitive, as Redis.
// `save` and `appendonly` are answered (empty and "no") because
// redis-benchmark and other tools probe them; tasq has neither. Secret
// directives (admin_token) are never shown.
Disposition cmd_config(CommandContext& c) {
  auto sub = c.args[1];
  if (!iequals(sub, "get")) {
    if (iequals(sub, "set") || iequals(sub, "rewrite") || iequals(sub, "resetstat")) {
      c.reply.error(std::string("ERR CONFIG ") + std::string(sub) +
                    " is not supported: tasq reads its configuration at start");
    } else {
      c.reply.error(std::string("ERR unknown subcommand '") + std::string(sub.substr(0, 128)) +
                    "'. Try CONFIG HELP.");
    }
    return Disposition::done;
  }
  if (c.args.size() < 3) {
    reply_wrong_arity(c.reply, "config|get");
    return Disposition::done;
  }
  auto values = config::directive_values(c.server.config(), config::Secrets::hidden);
  values.emplace_back("save", "");
  values.emplace_back("appendonly", "no");
  std::vector<const std::pair<std::string, std::string>*> matches;
  for (const auto& entry : values) {
    for (auto pattern : c.args.subspan(2)) {
      std::string p(pattern);
      if (fnmatch(p.c_str(), entry.first.c_str(), FNM_CASEFOLD) == 0) {
        matches.push_back(&entry);
        break;
      }
    }
  }
  c.reply.map(matches.size());
  for (const auto* entry : matches) {
    c.reply.bulk(entry->first);
    c.reply.bulk(entry->second);
  }
  return Disposition::done;
}

Disposition cmd_info(CommandContext& c) {
  c.reply.verbatim(render_info(c.server.snapshot(), c.args.subspan(1)));
  return Disposition::done;
}

}  // namespace tasq::server
