#pragma once
// Internal: the few system calls the journal makes, looped over partial
// transfers and EINTR, as error codes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <system_error>

namespace tasq::journal {

std::error_code last_errno();
/// pwrite(2) all of [data, data+size) at `offset`.
std::error_code write_all_at(int fd, const char* data, std::size_t size, std::uint64_t offset);
/// pread(2) exactly `size` bytes at `offset`; a short file is io_error.
std::error_code read_all_at(int fd, char* data, std::size_t size, std::uint64_t offset);
/// Copies [from, to) of `src` to `dst` at `dst_offset`, in chunks.
std::error_code copy_range(int src, std::uint64_t from, std::uint64_t to, int dst,
                           std::uint64_t dst_offset);
/// fsync of the directory holding `path`, so that a rename in it is durable.
std::error_code fsync_parent_directory(const std::string& path);

/// Makes `fd` (the file at `path`) mode 0600, whatever the umask made it.
std::error_code make_private(int fd);

/// Copies [from, to) of `fd` into a new file of mode 0600 named `target`, or
/// `target`.1, .2, ... when that name is taken (an earlier copy is never
/// replaced), and fsyncs it and its directory: bytes about to be cut off a
/// journal are kept beside it first. On success `target` is the name used
/// and the result is empty; otherwise it says which call failed and why.
std::string save_range(int fd, std::uint64_t from, std::uint64_t to, std::string& target);

}  // namespace tasq::journal
