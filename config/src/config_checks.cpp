#include "config_checks.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

#include "tasq/schedule/cron.h"

namespace tasq::config::detail {

std::string bind_key(const Endpoint& endpoint) {
  if (endpoint.kind == Endpoint::Kind::unix_socket) return "unix:" + endpoint.path;
  std::array<unsigned char, sizeof(in6_addr)> bytes{};
  std::string host;
  if (::inet_pton(AF_INET, endpoint.host.c_str(), bytes.data()) == 1) {
    host = "4:" + std::string(bytes.begin(), bytes.begin() + sizeof(in_addr));
  } else if (::inet_pton(AF_INET6, endpoint.host.c_str(), bytes.data()) == 1) {
    host = "6:" + std::string(bytes.begin(), bytes.end());
  } else {
    host = "name:" + endpoint.host;
    for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return host + ":" + std::to_string(endpoint.port);
}

bool may_clash(const Endpoint& endpoint) {
  return endpoint.kind == Endpoint::Kind::unix_socket || endpoint.port != 0;
}

std::vector<std::string> check_listen(const Config& config) {
  if (config.listen.empty()) return {"at least one address is needed"};
  std::vector<std::string> problems;
  for (std::size_t i = 0; i < config.listen.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (may_clash(config.listen[i]) && bind_key(config.listen[i]) == bind_key(config.listen[j])) {
        problems.push_back(config.listen[i].text + " is given twice");
        break;
      }
    }
  }
  return problems;
}

// Admin datagrams are `TOKEN COMMAND`: a token with a space never matches.
std::vector<std::string> check_admin_token(const Config& config) {
  if (std::any_of(config.admin_token.begin(), config.admin_token.end(),
                  [](unsigned char c) { return std::isspace(c); })) {
    return {"must not contain spaces"};
  }
  return {};
}

// The spelling only; whether a plugin file is there is a check of the host
// (validate()).
std::vector<std::string> check_handler(const Config& config) {
  std::string_view handler = config.handler;
  if (handler.empty()) return {"empty: use echo, exec:COMMAND, pipe:COMMAND or /path/to/plugin.so"};
  for (std::string_view prefix : {"exec:", "pipe:"}) {
    if (handler.substr(0, prefix.size()) == prefix &&
        handler.find_first_not_of(" \t", prefix.size()) == std::string_view::npos) {
      return {std::string(prefix) + " needs a command, as in " + std::string(prefix) +
              (prefix == "exec:" ? "php /srv/task.php" : "php /srv/worker.php")};
    }
  }
  return {};
}

std::vector<std::string> check_journal(const Config& config) {
  if (config.journal.empty()) return {"empty: name a file, or none to turn the journal off"};
  return {};
}

// Each bad line is named on its own, so that one start reports them all.
std::vector<std::string> check_cron(const Config& config) {
  std::vector<std::string> problems;
  for (const auto& text : config.cron) {
    auto parsed = schedule::parse_cron_line(text);
    if (!parsed) problems.push_back("'" + text + "': " + parsed.error().detail);
  }
  return problems;
}

}  // namespace tasq::config::detail
