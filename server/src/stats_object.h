#pragma once
// The admin `stats` JSON as an object, for the replies that embed it (the
// dashboard's /api/dashboard), so that the page shows what tasqctl shows.

#include <nlohmann/json.hpp>

#include "stats_snapshot.h"

namespace tasq::server {

nlohmann::ordered_json stats_object(const StatsSnapshot& snapshot);

}  // namespace tasq::server
