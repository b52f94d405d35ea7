#pragma once
// The TCP address a listener binds: a literal address as it is, a host name
// resolved once at start.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <string_view>

#include "tasq/config/config.h"

namespace tasq::server {

/// Throws std::runtime_error naming `directive` (`listen`, `metrics`) when
/// the host cannot be resolved.
boost::asio::ip::tcp::endpoint resolve_endpoint(boost::asio::io_context& io,
                                                const config::Endpoint& endpoint,
                                                std::string_view directive);

}  // namespace tasq::server
