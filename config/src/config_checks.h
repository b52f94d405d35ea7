#pragma once
// Rules on one directive's value beyond its bounds, named by the `check` of
// its row. Each returns one line per problem without the directive's name.

#include <string>
#include <vector>

#include "tasq/config/config.h"

namespace tasq::config::detail {

std::vector<std::string> check_listen(const Config& config);
std::vector<std::string> check_admin_token(const Config& config);
std::vector<std::string> check_handler(const Config& config);
std::vector<std::string> check_journal(const Config& config);
std::vector<std::string> check_cron(const Config& config);

/// What an endpoint binds to, comparable: the path, or the address bytes
/// and port (so that [::1]:1 and [0::1]:1 are one), or the lowercased name.
std::string bind_key(const Endpoint& endpoint);
/// False for port 0: the kernel picks a free port each time, so two never clash.
bool may_clash(const Endpoint& endpoint);

}  // namespace tasq::config::detail
