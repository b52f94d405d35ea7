#include "resolve_endpoint.h"

#include <boost/asio/ip/address.hpp>
#include <stdexcept>
#include <string>

namespace tasq::server {

boost::asio::ip::tcp::endpoint resolve_endpoint(boost::asio::io_context& io,
                                                const config::Endpoint& endpoint,
                                                std::string_view directive) {
  namespace asio = boost::asio;
  boost::system::error_code ec;
  auto address = asio::ip::make_address(endpoint.host, ec);
  if (!ec) return {address, endpoint.port};
  asio::ip::tcp::resolver resolver(io);
  auto results = resolver.resolve(endpoint.host, std::to_string(endpoint.port), ec);
  if (ec || results.empty()) {
    throw std::runtime_error(std::string(directive) + ": cannot resolve '" + endpoint.host +
                             "': " + ec.message());
  }
  return results.begin()->endpoint();
}

}  // namespace tasq::server
