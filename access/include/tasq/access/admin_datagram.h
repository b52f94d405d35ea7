#pragma once
// Reading one admin datagram, as pure code (no I/O, no allocation) so that
// it can be fuzzed: `TOKEN COMMAND` in plain text, whitespace around either
// ignored. What the command then does is the server's business.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tasq/access/secret.h"

namespace tasq::access {

/// The longest datagram read; a longer one is refused whole, not cut.
inline constexpr std::size_t kMaxAdminDatagram = 1024;

/// Why a datagram gets no command run. One code, one meaning.
enum class AdminRefusal : std::uint8_t {
  none,      ///< the command may run
  too_long,  ///< over kMaxAdminDatagram bytes
  not_text,  ///< a byte that is neither printable nor blank
  empty,     ///< nothing but whitespace (after a good token, too)
  auth,      ///< the first word is not the token (with a token set)
};

struct AdminRequest {
  AdminRefusal refusal = AdminRefusal::none;
  /// The command, trimmed, without the token: a view into the datagram.
  std::string_view command;
};

/// Reads `datagram`. With `token` set its first word must be the token
/// (checked in constant time, so the token cannot be found byte by byte
/// from reply times); with no token the whole text is the command.
AdminRequest read_admin_datagram(std::string_view datagram, const Secret& token);

/// The reply datagram for a refusal: "ERR auth", "ERR empty command", ...
std::string_view refusal_reply(AdminRefusal refusal);

}  // namespace tasq::access
