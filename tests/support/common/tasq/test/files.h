#pragma once
// Whole-file reads and writes for tests.

#include <fstream>
#include <ios>
#include <iterator>
#include <string>

namespace tasq::test {

/// The bytes of the file at `path`; empty when it is missing or unreadable
/// (tests poll for files that are yet to appear).
inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  try {
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  } catch (const std::ios_base::failure&) {
    // A read that fails midway -- a /proc file of a process that has just
    // exited gives ESRCH, which libstdc++'s filebuf throws -- is unreadable.
    return {};
  }
}

/// Replaces the file at `path` with `bytes`; false when it cannot be written.
inline bool write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out.flush());
}

}  // namespace tasq::test
