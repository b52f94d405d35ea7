#include "http_session.h"

#include <spdlog/spdlog.h>

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <iterator>

namespace tasq::server::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

std::string_view view(beast::string_view text) { return {text.data(), text.size()}; }

std::string peer_text(const asio::ip::tcp::socket& socket) {
  boost::system::error_code ec;
  const auto peer = socket.remote_endpoint(ec);
  if (ec) return "an unknown peer";
  const auto address = peer.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(peer.port());
}

// The status a broken request gets; 0 when the connection just ends (the
// peer left, the deadline passed, or tasqd closed it).
unsigned status_for(const beast::error_code& ec) {
  if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
      ec == asio::error::operation_aborted || ec == asio::error::eof ||
      ec == asio::error::connection_reset || ec == bhttp::error::partial_message) {
    return 0;
  }
  if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) return 431;
  if (ec == bhttp::error::body_limit) return 413;
  return 400;
}

}  // namespace

Session::Session(asio::ip::tcp::socket socket, const Limits& limits,
                 std::shared_ptr<const Handler> handler)
    : peer_(peer_text(socket)),
      stream_(std::move(socket)),
      limits_(limits),
      handler_(std::move(handler)),
      buffer_(limits.header_bytes + limits.body_bytes) {}

void Session::start() { do_read(); }

void Session::stop() {
  if (stopped_) return;
  stopped_ = true;
  reading_ = false;
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  stream_.close();
}

void Session::do_read() {
  if (stopped_) return;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(limits_.header_bytes));
  parser_->body_limit(limits_.body_bytes);
  // One deadline for the whole request, not one per read: a client that
  // trickles a byte at a time (slowloris) is cut when it passes.
  stream_.expires_after(served_ == 0 ? limits_.first_request : limits_.keep_alive);
  reading_ = true;
  reading_since_ = Clock::now();
  bhttp::async_read(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](const beast::error_code& ec, std::size_t) { self->on_read(ec); });
}

void Session::on_read(const beast::error_code& ec) {
  reading_ = false;
  if (stopped_) return;
  if (ec) {
    const unsigned status = status_for(ec);
    if (status == 0) {
      stop();
      return;
    }
    spdlog::debug("http: bad request: {}", ec.message());
    reply_error(status, ec.message());
    return;
  }
  const auto& request = parser_->get();
  if (static_cast<std::size_t>(std::distance(request.begin(), request.end())) >
      limits_.header_fields) {
    reply_error(431, "too many header fields");
    return;
  }
  serve(request);
}

void Session::serve(const bhttp::request<Body>& request) {
  Request view_of_request{
      .method = view(request.method_string()),
      .target = view(request.target()),
      .host = view(request[bhttp::field::host]),
      .authorization = view(request[bhttp::field::authorization]),
      .content_type = view(request[bhttp::field::content_type]),
      .body = request.body(),
      .peer = peer_,
  };
  const bool head = request.method() == bhttp::verb::head;
  if (head) view_of_request.method = "GET";
  Reply reply = (*handler_)(view_of_request);

  ++served_;
  response_ = {};
  response_.version(request.version());
  response_.result(reply.status);
  response_.set(bhttp::field::server, "tasq");
  response_.set(bhttp::field::content_type, reply.content_type);
  response_.set(bhttp::field::cache_control, "no-store");
  response_.set("X-Content-Type-Options", "nosniff");
  for (const auto& [name, value] : reply.headers) response_.set(name, value);
  response_.body() = std::move(reply.body);
  response_.prepare_payload();
  if (head) response_.body().clear();  // Content-Length stays that of GET
  response_.keep_alive(request.keep_alive() && served_ < limits_.requests_per_connection);
  do_write();
}

void Session::reply_error(unsigned status, std::string_view text) {
  response_ = {};
  response_.version(11);
  response_.result(status);
  response_.set(bhttp::field::server, "tasq");
  response_.set(bhttp::field::content_type, "text/plain; charset=utf-8");
  response_.body() = std::string(text) + "\n";
  response_.prepare_payload();
  response_.keep_alive(false);
  do_write();
}

void Session::do_write() {
  stream_.expires_after(limits_.write);
  bhttp::async_write(stream_, response_,
                     [self = shared_from_this()](const beast::error_code& ec, std::size_t) {
                       self->on_write(ec);
                     });
}

void Session::on_write(const beast::error_code& ec) {
  if (stopped_) return;
  if (ec) {
    if (ec != beast::error::timeout) spdlog::debug("http: write: {}", ec.message());
    stop();
    return;
  }
  if (!response_.keep_alive()) {
    close_after_reply();
    return;
  }
  do_read();
}

void Session::close_after_reply() {
  beast::error_code ignored;
  stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  // One deadline for the whole drain, however much the client sends.
  stream_.expires_after(std::chrono::seconds(1));
  drain();
}

void Session::drain() {
  if (stopped_) return;
  stream_.async_read_some(asio::buffer(discard_),
                          [self = shared_from_this()](const beast::error_code& ec, std::size_t) {
                            if (ec) {
                              self->stop();
                            } else {
                              self->drain();
                            }
                          });
}

}  // namespace tasq::server::http
