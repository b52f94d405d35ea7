#include "handler_pipe_frame.h"

#include <algorithm>
#include <cstring>

namespace tasq::taskpool::handlers {

namespace {

constexpr char kMagic[2] = {'T', 'Q'};
/// Past this, an empty buffer is given back: one large result must not pin
/// megabytes for the life of the co-process.
constexpr std::size_t kKeepBytes = 256 * 1024;

void put_u32(char* out, std::uint32_t value) {
  for (int i = 3; i >= 0; --i) {
    out[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
}

void put_u64(char* out, std::uint64_t value) {
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
}

std::uint64_t get_be(const char* in, int bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) value = value << 8 | static_cast<unsigned char>(in[i]);
  return value;
}

bool is_frame_type(std::uint8_t type) { return type >= 1 && type <= 5; }

}  // namespace

std::string frame_type_name(std::uint8_t type) {
  switch (type) {
    case 1:
      return "TASK";
    case 2:
      return "DONE";
    case 3:
      return "FAIL";
    case 4:
      return "READY";
    case 5:
      return "STOP";
    default:
      return "type " + std::to_string(type);
  }
}

std::array<char, kFrameHeaderBytes> encode_frame_header(const FrameHeader& header) {
  std::array<char, kFrameHeaderBytes> out{};
  out[0] = kMagic[0];
  out[1] = kMagic[1];
  out[2] = static_cast<char>(kProtocolVersion);
  out[3] = static_cast<char>(header.type);
  put_u64(out.data() + 4, header.id);
  put_u32(out.data() + 12, header.attempt);
  put_u32(out.data() + 16, header.part1_bytes);
  put_u32(out.data() + 20, header.part2_bytes);
  return out;
}

std::string encode_frame(FrameType type, std::uint64_t id, std::uint32_t attempt,
                         std::string_view part1, std::string_view part2) {
  const auto header =
      encode_frame_header({.type = type,
                           .id = id,
                           .attempt = attempt,
                           .part1_bytes = static_cast<std::uint32_t>(part1.size()),
                           .part2_bytes = static_cast<std::uint32_t>(part2.size())});
  std::string out(header.data(), header.size());
  out.append(part1).append(part2);
  return out;
}

std::string_view describe(FrameStatus status) {
  switch (status) {
    case FrameStatus::ok:
      return "ok";
    case FrameStatus::need_more:
      return "incomplete frame";
    case FrameStatus::bad_magic:
      return "bad magic";
    case FrameStatus::bad_version:
      return "bad version";
    case FrameStatus::bad_type:
      return "bad frame type";
    case FrameStatus::unexpected_type:
      return "unexpected frame type";
    case FrameStatus::part_too_long:
      return "part longer than package_max_length";
  }
  return "unknown frame status";
}

FrameReader::FrameReader(FrameLimits limits) : limits_(limits) {}

std::span<char> FrameReader::prepare(std::size_t min_bytes) {
  if (start_ == end_) {
    start_ = end_ = 0;
    if (buffer_.size() > kKeepBytes && min_bytes <= kKeepBytes) {
      buffer_.resize(kKeepBytes);
      buffer_.shrink_to_fit();
    }
  } else if (start_ > 0 && buffer_.size() - end_ < min_bytes) {
    // Only a frame's tail is ever left behind: moving it is cheap.
    std::memmove(buffer_.data(), buffer_.data() + start_, end_ - start_);
    end_ -= start_;
    start_ = 0;
  }
  if (buffer_.size() - end_ < min_bytes) buffer_.resize(end_ + min_bytes);
  return {buffer_.data() + end_, buffer_.size() - end_};
}

void FrameReader::commit(std::size_t n) { end_ = std::min(end_ + n, buffer_.size()); }

void FrameReader::feed(std::string_view bytes) {
  auto space = prepare(bytes.size());
  std::memcpy(space.data(), bytes.data(), bytes.size());
  commit(bytes.size());
}

FrameStatus FrameReader::fail(FrameStatus status, std::uint64_t value) {
  error_ = status;
  error_value_ = value;
  return status;
}

FrameStatus FrameReader::check_header(std::string_view head) {
  const std::size_t have = head.size();
  if (have >= 1 && head[0] != kMagic[0]) return fail(FrameStatus::bad_magic, 0);
  if (have >= 2 && head[1] != kMagic[1]) return fail(FrameStatus::bad_magic, 0);
  if (have >= 3 && static_cast<std::uint8_t>(head[2]) != kProtocolVersion) {
    return fail(FrameStatus::bad_version, static_cast<std::uint8_t>(head[2]));
  }
  if (have >= 4) {
    const auto type = static_cast<std::uint8_t>(head[3]);
    if (!is_frame_type(type)) return fail(FrameStatus::bad_type, type);
    if ((limits_.allowed_types & (1u << type)) == 0) {
      return fail(FrameStatus::unexpected_type, type);
    }
  }
  if (have >= 20) {
    const std::uint64_t part1 = get_be(head.data() + 16, 4);
    if (part1 > limits_.max_part_bytes) return fail(FrameStatus::part_too_long, part1);
  }
  if (have >= kFrameHeaderBytes) {
    const std::uint64_t part2 = get_be(head.data() + 20, 4);
    if (part2 > limits_.max_part_bytes) return fail(FrameStatus::part_too_long, part2);
    return FrameStatus::ok;
  }
  return FrameStatus::need_more;
}

FrameStatus FrameReader::next(Frame& frame) {
  if (error_ != FrameStatus::ok) return error_;
  const std::string_view held(buffer_.data() + start_, end_ - start_);
  const FrameStatus header_status = check_header(held.substr(0, kFrameHeaderBytes));
  if (header_status != FrameStatus::ok) return header_status;

  const std::uint64_t part1 = get_be(held.data() + 16, 4);
  const std::uint64_t part2 = get_be(held.data() + 20, 4);
  const std::uint64_t total = kFrameHeaderBytes + part1 + part2;
  if (held.size() < total) return FrameStatus::need_more;

  frame.type = static_cast<FrameType>(held[3]);
  frame.id = get_be(held.data() + 4, 8);
  frame.attempt = static_cast<std::uint32_t>(get_be(held.data() + 12, 4));
  frame.part1 = held.substr(kFrameHeaderBytes, part1);
  frame.part2 = held.substr(kFrameHeaderBytes + part1, part2);
  start_ += total;
  return FrameStatus::ok;
}

}  // namespace tasq::taskpool::handlers
