#pragma once
// What a connection has told the server about itself (CLIENT SETNAME, HELLO,
// AUTH). Kept apart from Session so that commands see only this.

#include <cstdint>
#include <string>

namespace tasq::server {

struct ClientState {
  std::uint64_t id = 0;
  std::string peer;          ///< "127.0.0.1:51234", "[::1]:5000" or the unix path
  std::string name;
  std::string lib_name;
  std::string lib_version;
  int protocol = 2;
  bool authenticated = false;
  bool close_requested = false;  ///< QUIT: close once the reply is written
};

}  // namespace tasq::server
