// tasqctl: the admin client. Sends one verb to tasqd's UDP admin port and
// prints the reply as a table, or as the raw JSON with --json.
//
// The token: --token, else $TASQ_ADMIN_TOKEN, else (for a loopback admin
// address only) the token file tasqd wrote for that port, which only
// tasqd's own user can read.
//
// Exit codes: 0 success; 1 the server answered ERR; 2 usage; 3 no reply.

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <set>
#include <string>

#include "admin_client.h"
#include "tasq/access/token_file.h"
#include "tasq/config/config.h"
#include "tasqctl_format.h"

namespace po = boost::program_options;
using namespace tasq::clients;

namespace {

constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr int kExitNoReply = 3;

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

// The token file names the port only, so it is read for a loopback address
// alone: sending the local tasqd's token to another host would give it away.
std::optional<std::uint16_t> loopback_port(const std::string& address) {
  auto endpoint = tasq::config::parse_endpoint(address);
  if (!endpoint || endpoint->kind != tasq::config::Endpoint::Kind::tcp || endpoint->port == 0 ||
      !endpoint->is_loopback()) {
    return std::nullopt;
  }
  return endpoint->port;
}

// The token, and where it came from or why there is none, for the hint
// that follows an `ERR auth`.
struct Token {
  std::string value;
  std::string origin;
};

Token find_token(const std::string& flag, const std::string& address) {
  if (!flag.empty()) return {flag, "--token"};
  if (auto env = env_or("TASQ_ADMIN_TOKEN", ""); !env.empty()) return {env, "TASQ_ADMIN_TOKEN"};
  auto port = loopback_port(address);
  if (!port) return {"", "the token file is only read for a loopback admin address"};
  std::string why;
  auto path = tasq::access::token_file_path(tasq::access::runtime_dir(), *port);
  if (auto value = tasq::access::read_token_file(path, &why)) return {*value, path};
  return {"", why};
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description options("Options");
  // clang-format off
  options.add_options()
      ("help,h", "show this help")
      ("admin", po::value<std::string>()->default_value(env_or("TASQ_ADMIN", "127.0.0.1:6381")),
       "tasqd's admin address, HOST:PORT (env TASQ_ADMIN)")
      ("token", po::value<std::string>()->default_value(""),
       "the admin token (env TASQ_ADMIN_TOKEN); not needed on tasqd's host as tasqd's user")
      ("json", "print the server's JSON as it is")
      ("timeout", po::value<double>()->default_value(2.0), "seconds to wait for the reply");
  // clang-format on
  po::options_description hidden;
  hidden.add_options()("verb", po::value<std::string>());
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("verb", 1);

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::fprintf(stderr, "tasqctl: %s\n", e.what());
    return kExitUsage;
  }
  static const std::set<std::string> kVerbs{"ping", "stats", "workers", "reload", "shutdown"};
  if (vm.count("help") != 0 || vm.count("verb") == 0) {
    std::cout << "usage: tasqctl [--admin HOST:PORT] [--token T] [--json] "
                 "ping|stats|workers|reload|shutdown\n\n"
              << options
              << "\nThe admin port takes commands only with tasqd's admin token. Without --token\n"
                 "or TASQ_ADMIN_TOKEN, tasqctl reads the token file tasqd wrote for a loopback\n"
                 "port: "
              << tasq::access::token_file_path(tasq::access::runtime_dir(), 6381)
              << " for port 6381\n"
                 "(the directory: $TASQ_RUNTIME_DIR, else /run/tasq for root or the user owning\n"
                 "it, else /tmp/tasq-UID). The file has mode 0600: run tasqctl as tasqd's user.\n";
    return vm.count("help") != 0 ? 0 : kExitUsage;
  }
  auto verb = vm["verb"].as<std::string>();
  if (kVerbs.count(verb) == 0) {
    std::fprintf(stderr, "tasqctl: unknown command '%s' (ping, stats, workers, reload, shutdown)\n",
                 verb.c_str());
    return kExitUsage;
  }
  const auto address = vm["admin"].as<std::string>();
  const Token token = find_token(vm["token"].as<std::string>(), address);
  auto timeout = std::chrono::milliseconds(static_cast<long long>(vm["timeout"].as<double>() * 1000));
  bool repeatable = verb == "ping" || verb == "stats" || verb == "workers";
  auto reply = admin_request(address, token.value.empty() ? verb : token.value + " " + verb,
                             timeout, repeatable);
  if (!reply.ok) {
    std::fprintf(stderr, "tasqctl: %s\n", reply.text.c_str());
    return kExitNoReply;
  }
  if (reply.text.rfind("ERR", 0) == 0) {
    std::fprintf(stderr, "tasqctl: %s: %s\n", verb.c_str(), reply.text.c_str());
    if (reply.text == "ERR auth") {
      std::fprintf(stderr,
                   "tasqctl: %s %s; run tasqctl as tasqd's user on its host, or pass --token\n",
                   token.value.empty() ? "sent no token:" : "the token was refused, from",
                   token.origin.c_str());
    }
    return kExitError;
  }
  try {
    if (vm.count("json") != 0 || (verb != "stats" && verb != "workers")) {
      std::cout << reply.text << "\n";
    } else if (verb == "stats") {
      std::cout << format_stats(reply.text);
    } else {
      std::cout << format_workers(reply.text);
    }
  } catch (const nlohmann::json::exception& e) {
    std::fprintf(stderr, "tasqctl: unreadable reply (%s): %s\n", e.what(), reply.text.c_str());
    return kExitError;
  }
  return 0;
}
