#pragma once
// INFO's text: `# Section` headers and `field:value` lines, with Redis's
// section and field names where Redis has the figure. The figures come from
// one StatsSnapshot, which the admin port's `stats` renders too.

#include <span>
#include <string>
#include <string_view>

#include "stats_snapshot.h"

namespace tasq::server {

/// INFO [section ...]: no section, `default`, `all` or `everything` give
/// every section; unknown sections are left out, as Redis does.
std::string render_info(const StatsSnapshot& snapshot, std::span<const std::string_view> sections);

}  // namespace tasq::server
