// Connection commands: PING, ECHO, QUIT, AUTH, SELECT, HELLO, CLIENT.

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>

#include "command_table.h"
#include "server.h"
#include "tasq/server/version.h"

namespace tasq::server {
namespace {

// Redis refuses names that would break CLIENT LIST's one-line format.
bool valid_client_name(std::string_view name) {
  return std::all_of(name.begin(), name.end(), [](char ch) { return ch > ' ' && ch <= '~'; });
}

// Returns true and replies nothing on success; replies the error otherwise.
bool check_password(CommandContext& c, std::string_view user, std::string_view password) {
  // Both checks run whatever the user name, so the reply time tells nothing.
  const bool password_ok = c.server.requirepass().matches(password);
  if (user == "default" && password_ok) {
    c.client.authenticated = true;
    return true;
  }
  c.reply.error("WRONGPASS invalid username-password pair or user is disabled.");
  return false;
}

void reply_client_info(CommandContext& c) {
  std::string line = "id=" + std::to_string(c.client.id) + " addr=" + c.client.peer +
                     " name=" + c.client.name + " db=0 resp=" + std::to_string(c.client.protocol) +
                     " lib-name=" + c.client.lib_name + " lib-ver=" + c.client.lib_version + "\n";
  c.reply.verbatim(line);
}

}  // namespace

Disposition cmd_ping(CommandContext& c) {
  if (c.args.size() > 2) {
    reply_wrong_arity(c.reply, "ping");
  } else if (c.args.size() == 2) {
    c.reply.bulk(c.args[1]);
  } else {
    c.reply.simple("PONG");
  }
  return Disposition::done;
}

Disposition cmd_echo(CommandContext& c) {
  c.reply.bulk(c.args[1]);
  return Disposition::done;
}

Disposition cmd_quit(CommandContext& c) {
  c.reply.simple("OK");
  c.client.close_requested = true;
  return Disposition::done;
}

Disposition cmd_auth(CommandContext& c) {
  if (c.args.size() > 3) {
    c.reply.error("ERR syntax error");
    return Disposition::done;
  }
  if (c.server.config().requirepass.empty()) {
    c.reply.error(
        "ERR AUTH <password> called without any password configured for the default user. "
        "Are you sure your configuration is correct?");
    return Disposition::done;
  }
  std::string_view user = c.args.size() == 3 ? c.args[1] : std::string_view("default");
  if (check_password(c, user, c.args.back())) c.reply.simple("OK");
  return Disposition::done;
}

Disposition cmd_select(CommandContext& c) {
  long long index = 0;
  auto arg = c.args[1];
  auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), index);
  if (ec != std::errc() || end != arg.data() + arg.size()) {
    c.reply.error("ERR value is not an integer or out of range");
  } else if (index != 0) {
    c.reply.error("ERR DB index is out of range");
  } else {
    c.reply.simple("OK");
  }
  return Disposition::done;
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
Disposition cmd_hello(CommandContext& c) {
  int protocol = c.client.protocol;
  std::size_t i = 1;
  if (c.args.size() > 1) {
    auto arg = c.args[1];
    long long version = 0;
    auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), version);
    if (ec != std::errc() || end != arg.data() + arg.size()) {
      c.reply.error("ERR Protocol version is not an integer or out of range");
      return Disposition::done;
    }
    if (version < 2 || version > 3) {
      c.reply.error("NOPROTO unsupported protocol version");
      return Disposition::done;
    }
    protocol = static_cast<int>(version);
    i = 2;
  }
  std::string_view new_name;
  bool set_name = false;
  for (; i < c.args.size(); ++i) {
    bool more = i + 1 < c.args.size();
    if (iequals(c.args[i], "auth") && i + 2 < c.args.size()) {
      if (c.server.config().requirepass.empty()) {
        c.reply.error(
            "ERR AUTH <password> called without any password configured for the default user. "
            "Are you sure your configuration is correct?");
        return Disposition::done;
      }
      if (!check_password(c, c.args[i + 1], c.args[i + 2])) return Disposition::done;
      i += 2;
    } else if (iequals(c.args[i], "setname") && more) {
      new_name = c.args[i + 1];
      set_name = true;
      ++i;
    } else {
      c.reply.error(std::string("ERR Syntax error in HELLO option '") + std::string(c.args[i]) +
                    "'");
      return Disposition::done;
    }
  }
  if (!c.client.authenticated) {
    c.reply.error(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
        "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
        "select the RESP protocol version at the same time");
    return Disposition::done;
  }
  if (set_name) {
    if (!valid_client_name(new_name)) {
      c.reply.error("ERR Client names cannot contain spaces, newlines or special characters.");
      return Disposition::done;
    }
    c.client.name = std::string(new_name);
  }
  c.client.protocol = protocol;
  c.reply.set_protocol(protocol);
  c.reply.map(7);
  c.reply.bulk("server");
  c.reply.bulk("tasq");
  c.reply.bulk("version");
  c.reply.bulk(kRedisCompatVersion);
  c.reply.bulk("proto");
  c.reply.integer(protocol);
  c.reply.bulk("id");
  c.reply.integer(static_cast<std::int64_t>(c.client.id));
  c.reply.bulk("mode");
  c.reply.bulk("standalone");
  c.reply.bulk("role");
  c.reply.bulk("master");
  c.reply.bulk("modules");
  c.reply.array(0);
  return Disposition::done;
}

Disposition cmd_client(CommandContext& c) {
  auto sub = c.args[1];
  auto n = c.args.size();
  if (iequals(sub, "setname") && n == 3) {
    if (!valid_client_name(c.args[2])) {
      c.reply.error("ERR Client names cannot contain spaces, newlines or special characters.");
    } else {
      c.client.name = std::string(c.args[2]);
      c.reply.simple("OK");
    }
  } else if (iequals(sub, "getname") && n == 2) {
    if (c.client.name.empty()) {
      c.reply.null();
    } else {
      c.reply.bulk(c.client.name);
    }
  } else if (iequals(sub, "id") && n == 2) {
    c.reply.integer(static_cast<std::int64_t>(c.client.id));
  } else if (iequals(sub, "info") && n == 2) {
    reply_client_info(c);
  } else if (iequals(sub, "setinfo") && n == 4) {
    auto attr = c.args[2];
    if (!valid_client_name(c.args[3])) {
      c.reply.error("ERR lib-name and lib-ver cannot contain spaces, newlines or special characters.");
    } else if (iequals(attr, "lib-name")) {
      c.client.lib_name = std::string(c.args[3]);
      c.reply.simple("OK");
    } else if (iequals(attr, "lib-ver")) {
      c.client.lib_version = std::string(c.args[3]);
      c.reply.simple("OK");
    } else {
      c.reply.error(std::string("ERR Unrecognized option '") + std::string(attr) + "'");
    }
  } else if (iequals(sub, "setname") || iequals(sub, "getname") || iequals(sub, "id") ||
             iequals(sub, "setinfo") || iequals(sub, "info")) {
    std::string name = "client|";
    for (char ch : sub) name += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    reply_wrong_arity(c.reply, name);
  } else {
    c.reply.error(std::string("ERR unknown subcommand '") + std::string(sub.substr(0, 128)) +
                  "'. Try CLIENT HELP.");
  }
  return Disposition::done;
}

}  // namespace tasq::server
