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

}  // namespace tasq::journal
