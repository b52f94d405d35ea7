// tasqctl: the admin client. Sends one verb to tasqd's UDP admin port and
// prints the reply as a table, or as the raw JSON with --json.
//
// Exit codes: 0 success; 1 the server answered ERR; 2 usage; 3 no reply.

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "admin_client.h"
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

}  // namespace

int main(int argc, char** argv) {
  po::options_description options("Options");
  options.add_options()
      ("help,h", "show this help")
      ("admin", po::value<std::string>()->default_value(env_or("TASQ_ADMIN", "127.0.0.1:6381")),
       "tasqd's admin address, HOST:PORT (env TASQ_ADMIN)")
      ("token", po::value<std::string>()->default_value(env_or("TASQ_ADMIN_TOKEN", "")),
       "the admin_token, when tasqd has one (env TASQ_ADMIN_TOKEN)")
      ("json", "print the server's JSON as it is")
      ("timeout", po::value<double>()->default_value(2.0), "seconds to wait for the reply");
  po::options_description hidden;
  hidden.add_options()("verb", po::value<std::string>())(
      "args", po::value<std::vector<std::string>>()->multitoken());
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("verb", 1).add("args", -1);

  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::fprintf(stderr, "tasqctl: %s\n", e.what());
    return kExitUsage;
  }
  static const std::set<std::string> kVerbs{"ping",     "stats", "workers", "reload",
                                            "shutdown", "dead",  "retry"};
  if (vm.count("help") != 0 || vm.count("verb") == 0) {
    std::cout << "usage: tasqctl [--admin HOST:PORT] [--token T] [--json] "
                 "ping|stats|workers|reload|shutdown|dead [QUEUE|* [LIMIT]]|retry ID|all [QUEUE]\n\n"
              << options;
    return vm.count("help") != 0 ? 0 : kExitUsage;
  }
  auto verb = vm["verb"].as<std::string>();
  if (kVerbs.count(verb) == 0) {
    std::fprintf(stderr,
                 "tasqctl: unknown command '%s' (ping, stats, workers, reload, shutdown, dead, "
                 "retry)\n",
                 verb.c_str());
    return kExitUsage;
  }
  const auto args =
      vm.count("args") != 0 ? vm["args"].as<std::vector<std::string>>() : std::vector<std::string>();
  const std::size_t most_args = verb == "dead" || verb == "retry" ? 2 : 0;
  if (args.size() > most_args || (verb == "retry" && args.empty())) {
    std::fprintf(stderr, "tasqctl: usage: %s\n",
                 verb == "dead"    ? "tasqctl dead [QUEUE|* [LIMIT]]"
                 : verb == "retry" ? "tasqctl retry ID|all [QUEUE]"
                                   : ("tasqctl " + verb + " (no arguments)").c_str());
    return kExitUsage;
  }
  std::string command = verb;
  for (const auto& arg : args) command += " " + arg;
  auto token = vm["token"].as<std::string>();
  auto timeout = std::chrono::milliseconds(static_cast<long long>(vm["timeout"].as<double>() * 1000));
  bool repeatable = verb == "ping" || verb == "stats" || verb == "workers" || verb == "dead";
  auto reply = admin_request(vm["admin"].as<std::string>(),
                             token.empty() ? command : token + " " + command, timeout, repeatable);
  if (!reply.ok) {
    std::fprintf(stderr, "tasqctl: %s\n", reply.text.c_str());
    return kExitNoReply;
  }
  if (reply.text.rfind("ERR", 0) == 0) {
    std::fprintf(stderr, "tasqctl: %s: %s\n", verb.c_str(), reply.text.c_str());
    return kExitError;
  }
  try {
    if (vm.count("json") != 0 || (verb != "stats" && verb != "workers" && verb != "dead")) {
      std::cout << reply.text << "\n";
    } else if (verb == "stats") {
      std::cout << format_stats(reply.text);
    } else if (verb == "dead") {
      std::cout << format_dead(reply.text);
    } else {
      std::cout << format_workers(reply.text);
    }
  } catch (const nlohmann::json::exception& e) {
    std::fprintf(stderr, "tasqctl: unreadable reply (%s): %s\n", e.what(), reply.text.c_str());
    return kExitError;
  }
  return 0;
}
