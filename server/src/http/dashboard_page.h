#pragma once
// The dashboard: one HTML file (server/dashboard/index.html) with its
// script and style inline, compiled into tasqd, so that it needs nothing
// from the network.

#include <string_view>

namespace tasq::server::http {

std::string_view dashboard_page();

}  // namespace tasq::server::http
