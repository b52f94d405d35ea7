#include "tasq/resp/parser.h"

namespace tasq::resp {

std::string_view describe(ParseStatus status) {
  switch (status) {
    case ParseStatus::ok:
      return "ok";
    case ParseStatus::need_more:
      return "incomplete request";
    case ParseStatus::invalid_multibulk_length:
      return "invalid multibulk length";
    case ParseStatus::invalid_bulk_length:
    case ParseStatus::bulk_too_long:  // Redis's words for a bulk over proto-max-bulk-len
      return "invalid bulk length";
    case ParseStatus::request_too_long:
      return "request exceeds package_max_length";
    case ParseStatus::expected_dollar:
      return "expected '$'";
    case ParseStatus::missing_crlf:
      return "expected CRLF after bulk string";
    case ParseStatus::inline_too_long:
      return "too big inline request";
    case ParseStatus::unbalanced_quotes:
      return "unbalanced quotes in request";
    case ParseStatus::unauthenticated_multibulk_length:
      return "unauthenticated multibulk length";
    case ParseStatus::unauthenticated_bulk_length:
      return "unauthenticated bulk length";
  }
  return "unknown error";
}

}  // namespace tasq::resp
