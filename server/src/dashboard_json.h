#pragma once
// /api/dashboard: what the dashboard page draws, as one JSON object —
//   {"version", "process_id",
//    "stats":   the admin `stats` object (the same snapshot INFO renders),
//    "history": one point a second for the last minutes, after `since`,
//    "dead":    the latest dead-lettered tasks with their error}

#include <cstdint>
#include <string>

namespace tasq::server {

class Server;

std::string dashboard_json(Server& server, std::int64_t since);

}  // namespace tasq::server
