#include "record_format.h"

#include <cstring>

#if TASQ_HAVE_ISAL
#include <isa-l/crc.h>

#include <algorithm>
#include <climits>
#else
#include <boost/crc.hpp>
#endif

namespace tasq::journal::format {

// Intel's ISA-L (hardware-accelerated, libisal-dev) where the system has it;
// otherwise Boost.CRC with the Castagnoli parameters. Both compute the same
// standard CRC-32C, so files move freely between builds (a test pins the
// check value).
std::uint32_t crc32c_extend(std::uint32_t crc, const void* data, std::size_t size) {
#if TASQ_HAVE_ISAL
  // ISA-L's crc32_iscsi works on the register (not inverted at either end)
  // and takes an int length.
  std::uint32_t reg = ~crc;
  auto* bytes = static_cast<unsigned char*>(const_cast<void*>(data));
  while (size > 0) {
    auto n = std::min<std::size_t>(size, INT_MAX);
    reg = crc32_iscsi(bytes, static_cast<int>(n), reg);
    bytes += n;
    size -= n;
  }
  return ~reg;
#else
  // A finished CRC-32C is the register inverted and bit-reflected, while
  // Boost takes its initial remainder unreflected: undo both to continue.
  std::uint32_t register_value = ~crc;
  std::uint32_t unreflected = 0;
  for (int bit = 0; bit < 32; ++bit) unreflected |= ((register_value >> bit) & 1U) << (31 - bit);
  boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> engine(unreflected);
  engine.process_bytes(data, size);
  return engine.checksum();
#endif
}

void put_u32(char* out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xFFU);
}
void put_u64(char* out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((value >> (8 * i)) & 0xFFU);
}
std::uint32_t get_u32(const char* in) {
  std::uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(in[i]);
  return value;
}
std::uint64_t get_u64(const char* in) {
  std::uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(in[i]);
  return value;
}

std::string file_header() {
  std::string out(kFileHeaderSize, '\0');
  std::memcpy(out.data(), kMagic, sizeof kMagic);
  put_u32(out.data() + 8, kVersion);
  put_u32(out.data() + 12, crc32c(out.data(), 12));
  return out;
}

std::string check_file_header(std::string_view bytes) {
  if (bytes.size() < kFileHeaderSize || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    return "not a tasq journal (bad magic)";
  }
  if (get_u32(bytes.data() + 12) != crc32c(bytes.data(), 12)) return "file header checksum mismatch";
  std::uint32_t version = get_u32(bytes.data() + 8);
  if (version < kOldestVersion || version > kVersion) {
    return "unsupported journal format version " + std::to_string(version);
  }
  return {};
}

namespace {

// Reserves the frame header, lets `fill` write the body, then seals it.
template <typename Fill>
std::size_t append_frame(std::string& out, RecordType type, std::size_t body_len, Fill fill) {
  std::size_t start = out.size();
  out.resize(start + kFrameHeaderSize + body_len);
  char* frame = out.data() + start;
  put_u32(frame, static_cast<std::uint32_t>(body_len));
  frame[8] = static_cast<char>(type);
  fill(frame + kFrameHeaderSize);
  put_u32(frame + 4, frame_crc(static_cast<std::uint32_t>(body_len), static_cast<std::uint8_t>(type),
                               {frame + kFrameHeaderSize, body_len}));
  return kFrameHeaderSize + body_len;
}

}  // namespace

std::size_t append_task(std::string& out, std::uint64_t id, std::uint32_t attempt,
                        std::int64_t due_ms, std::string_view queue, std::string_view payload) {
  std::size_t body_len = kTaskFixedSize + queue.size() + payload.size();
  return append_frame(out, RecordType::task, body_len, [&](char* body) {
    put_u64(body, id);
    put_u32(body + 8, attempt);
    put_u64(body + 12, static_cast<std::uint64_t>(due_ms));
    put_u32(body + 20, static_cast<std::uint32_t>(queue.size()));
    if (!queue.empty()) std::memcpy(body + kTaskFixedSize, queue.data(), queue.size());
    if (!payload.empty()) {
      std::memcpy(body + kTaskFixedSize + queue.size(), payload.data(), payload.size());
    }
  });
}

std::size_t append_attempt(std::string& out, std::uint64_t id, std::uint32_t attempt) {
  return append_frame(out, RecordType::attempt, kAttemptBodySize, [&](char* body) {
    put_u64(body, id);
    put_u32(body + 8, attempt);
  });
}

std::size_t append_end(std::string& out, std::uint64_t id) {
  return append_frame(out, RecordType::end, kEndBodySize, [&](char* body) { put_u64(body, id); });
}

std::size_t append_ids(std::string& out, std::uint64_t id) {
  return append_frame(out, RecordType::ids, kIdsBodySize, [&](char* body) { put_u64(body, id); });
}

std::size_t append_outcome(std::string& out, std::uint64_t id, std::uint8_t flags,
                           std::uint32_t attempts, std::int64_t enqueued_ms,
                           std::int64_t started_ms, std::uint64_t entry_ms,
                           std::uint64_t entry_seq, std::string_view queue,
                           std::string_view result, std::string_view error,
                           std::string_view payload) {
  std::size_t body_len =
      kOutcomeFixedSize + queue.size() + result.size() + error.size() + payload.size();
  return append_frame(out, RecordType::outcome, body_len, [&](char* body) {
    put_u64(body, id);
    body[8] = static_cast<char>(flags);
    body[9] = 0;
    put_u32(body + 10, attempts);
    put_u64(body + 14, static_cast<std::uint64_t>(enqueued_ms));
    put_u64(body + 22, static_cast<std::uint64_t>(started_ms));
    put_u64(body + 30, entry_ms);
    put_u64(body + 38, entry_seq);
    put_u32(body + 46, static_cast<std::uint32_t>(queue.size()));
    put_u32(body + 50, static_cast<std::uint32_t>(result.size()));
    put_u32(body + 54, static_cast<std::uint32_t>(error.size()));
    char* at = body + kOutcomeFixedSize;
    for (std::string_view part : {queue, result, error, payload}) {
      if (!part.empty()) std::memcpy(at, part.data(), part.size());
      at += part.size();
    }
  });
}

std::size_t append_forget(std::string& out, std::uint64_t id) {
  return append_frame(out, RecordType::forget, kForgetBodySize,
                      [&](char* body) { put_u64(body, id); });
}

FrameHeader parse_frame_header(const char* in) {
  return {get_u32(in), get_u32(in + 4), static_cast<std::uint8_t>(in[8])};
}

std::uint32_t frame_crc(std::uint32_t body_len, std::uint8_t type, std::string_view body) {
  char head[5];
  put_u32(head, body_len);
  head[4] = static_cast<char>(type);
  return crc32c_extend(crc32c(head, sizeof head), body.data(), body.size());
}

std::string decode_body(std::uint8_t type, std::string_view body, std::uint32_t full_body_len,
                        TaskView& task, std::uint64_t& id, std::uint32_t& attempt,
                        OutcomeView* outcome) {
  switch (static_cast<RecordType>(type)) {
    case RecordType::task: {
      if (full_body_len < kTaskFixedSize || body.size() < kTaskFixedSize) {
        return "task record too short";
      }
      task.id = get_u64(body.data());
      task.attempt = get_u32(body.data() + 8);
      task.due_ms = static_cast<std::int64_t>(get_u64(body.data() + 12));
      std::uint32_t queue_len = get_u32(body.data() + 20);
      if (queue_len > full_body_len - kTaskFixedSize) return "task record queue length out of range";
      if (body.size() < kTaskFixedSize + queue_len) return "task record cut short";
      task.queue = body.substr(kTaskFixedSize, queue_len);
      task.payload = body.substr(kTaskFixedSize + queue_len);
      id = task.id;
      attempt = task.attempt;
      return {};
    }
    case RecordType::attempt:
      if (full_body_len != kAttemptBodySize) return "attempt record of the wrong size";
      id = get_u64(body.data());
      attempt = get_u32(body.data() + 8);
      return {};
    case RecordType::end:
      if (full_body_len != kEndBodySize) return "end record of the wrong size";
      id = get_u64(body.data());
      return {};
    case RecordType::ids:
      if (full_body_len != kIdsBodySize) return "ids record of the wrong size";
      id = get_u64(body.data());
      return {};
    case RecordType::outcome: {
      if (full_body_len < kOutcomeFixedSize || body.size() < kOutcomeFixedSize) {
        return "outcome record too short";
      }
      const auto flags = static_cast<std::uint8_t>(body[8]);
      if ((flags & ~(kOutcomeDead | kOutcomeKeepsResult | kOutcomeKeepsLetter)) != 0 ||
          body[9] != 0) {
        return "outcome record with unknown flags";
      }
      const std::uint64_t lengths = std::uint64_t{get_u32(body.data() + 46)} +
                                    get_u32(body.data() + 50) + get_u32(body.data() + 54);
      if (lengths > full_body_len - kOutcomeFixedSize) return "outcome record lengths out of range";
      id = get_u64(body.data());
      if (outcome != nullptr) {
        outcome->flags = flags;
        outcome->attempts = get_u32(body.data() + 10);
        outcome->enqueued_ms = static_cast<std::int64_t>(get_u64(body.data() + 14));
        outcome->started_ms = static_cast<std::int64_t>(get_u64(body.data() + 22));
        outcome->entry_ms = get_u64(body.data() + 30);
        outcome->entry_seq = get_u64(body.data() + 38);
        if (body.size() == full_body_len) {
          std::string_view rest = body.substr(kOutcomeFixedSize);
          outcome->queue = rest.substr(0, get_u32(body.data() + 46));
          rest.remove_prefix(outcome->queue.size());
          outcome->result = rest.substr(0, get_u32(body.data() + 50));
          rest.remove_prefix(outcome->result.size());
          outcome->error = rest.substr(0, get_u32(body.data() + 54));
          rest.remove_prefix(outcome->error.size());
          outcome->payload = rest;
        }
      }
      return {};
    }
    case RecordType::forget:
      if (full_body_len != kForgetBodySize) return "forget record of the wrong size";
      id = get_u64(body.data());
      return {};
  }
  return "unknown record type " + std::to_string(type);
}

void patch_task_attempt(char* frame, std::uint32_t attempt) {
  FrameHeader header = parse_frame_header(frame);
  put_u32(frame + kFrameHeaderSize + 8, attempt);
  put_u32(frame + 4,
          frame_crc(header.body_len, header.type, {frame + kFrameHeaderSize, header.body_len}));
}

void patch_outcome_flags(char* frame, std::uint8_t flags) {
  FrameHeader header = parse_frame_header(frame);
  frame[kFrameHeaderSize + 8] = static_cast<char>(flags);
  put_u32(frame + 4,
          frame_crc(header.body_len, header.type, {frame + kFrameHeaderSize, header.body_len}));
}

}  // namespace tasq::journal::format
