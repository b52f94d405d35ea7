#pragma once
// INFO's text: `# Section` headers and `field:value` lines, with the section
// and field names SPEC.md fixes. The admin port's `stats` reads the same
// figures through snapshot().

#include <span>
#include <string>
#include <string_view>

namespace tasq::server {

class Server;

/// INFO [section ...]: no section, `default`, `all` or `everything` give
/// every section; unknown sections are left out, as Redis does.
std::string render_info(Server& server, std::span<const std::string_view> sections);

/// Resident set size of this process in bytes, from /proc/self/statm.
std::size_t resident_bytes();

}  // namespace tasq::server
