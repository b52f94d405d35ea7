#pragma once
// Internal: the journal's on-disk format, and nothing else (no I/O).
//
//   file   = header record*
//   header = "TASQJRNL" u32 version u32 crc32c(magic+version)        16 bytes
//   record = u32 body_len | u32 crc | u8 type | body[body_len]
//            crc = crc32c(body_len bytes, type, body)
//
// The length is covered by the checksum too, so a flipped length inside the
// file is damage, not a silently different record. A record whose declared
// end lies past EOF can only be told apart as "torn" (a crash mid-write).
// Integers are little-endian whatever the host is.
//
// Bodies: task    = u64 id, u32 attempt, i64 due_ms, u32 queue_len, queue, payload
//         attempt = u64 id, u32 attempt
//         end     = u64 id
//         ids     = u64 id: every id up to it may have been handed out
//         outcome = u64 id, u8 flags, u8 0, u32 attempts, i64 enqueued_ms,
//                   i64 started_ms, u64 entry_ms, u64 entry_seq, u32 queue_len,
//                   u32 result_len, u32 error_len, queue, result, error, payload
//                   (flags: 1 dead, 2 result kept, 4 dead letter kept); ends the task
//         forget  = u64 id: the outcome's result was forgotten (DEL)
//
// Version 2 added the outcome and forget records; version 1 files are read
// as they are (they hold neither).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tasq::journal::format {

inline constexpr char kMagic[8] = {'T', 'A', 'S', 'Q', 'J', 'R', 'N', 'L'};
inline constexpr std::uint32_t kVersion = 2;
inline constexpr std::uint32_t kOldestVersion = 1;  ///< still read
inline constexpr std::size_t kFileHeaderSize = 16;
inline constexpr std::size_t kFrameHeaderSize = 9;
/// A body longer than this is damage, never an allocation: payloads are
/// bounded far below it by package_max_length.
inline constexpr std::uint32_t kMaxBodySize = (1U << 30) + (64U << 10);

enum class RecordType : std::uint8_t {
  task = 1,
  attempt = 2,
  end = 3,
  ids = 4,
  outcome = 5,
  forget = 6
};

inline constexpr std::size_t kTaskFixedSize = 8 + 4 + 8 + 4;
inline constexpr std::size_t kAttemptBodySize = 8 + 4;
inline constexpr std::size_t kEndBodySize = 8;
inline constexpr std::size_t kIdsBodySize = 8;
inline constexpr std::size_t kOutcomeFixedSize = 8 + 1 + 1 + 4 + 8 + 8 + 8 + 8 + 4 + 4 + 4;
inline constexpr std::size_t kForgetBodySize = 8;

/// The flags byte of an outcome record.
enum OutcomeFlag : std::uint8_t {
  kOutcomeDead = 1,
  kOutcomeKeepsResult = 2,
  kOutcomeKeepsLetter = 4,
};

/// CRC-32C (Castagnoli) of `data`, continuing from `crc` (0 to start).
std::uint32_t crc32c_extend(std::uint32_t crc, const void* data, std::size_t size);
inline std::uint32_t crc32c(const void* data, std::size_t size) {
  return crc32c_extend(0, data, size);
}

void put_u32(char* out, std::uint32_t value);
void put_u64(char* out, std::uint64_t value);
std::uint32_t get_u32(const char* in);
std::uint64_t get_u64(const char* in);

/// The 16 bytes at offset 0 of every journal.
std::string file_header();
/// Why `bytes` (exactly kFileHeaderSize of them) is not our header; empty when it is.
std::string check_file_header(std::string_view bytes);

/// Appends whole framed records to `out`; each returns the frame's size.
std::size_t append_task(std::string& out, std::uint64_t id, std::uint32_t attempt,
                        std::int64_t due_ms, std::string_view queue, std::string_view payload);
std::size_t append_attempt(std::string& out, std::uint64_t id, std::uint32_t attempt);
std::size_t append_end(std::string& out, std::uint64_t id);
std::size_t append_ids(std::string& out, std::uint64_t id);
/// `flags` from OutcomeFlag; the strings are copied in order.
std::size_t append_outcome(std::string& out, std::uint64_t id, std::uint8_t flags,
                           std::uint32_t attempts, std::int64_t enqueued_ms,
                           std::int64_t started_ms, std::uint64_t entry_ms, std::uint64_t entry_seq,
                           std::string_view queue, std::string_view result, std::string_view error,
                           std::string_view payload);
std::size_t append_forget(std::string& out, std::uint64_t id);

struct FrameHeader {
  std::uint32_t body_len = 0;
  std::uint32_t crc = 0;
  std::uint8_t type = 0;
};
FrameHeader parse_frame_header(const char* in);
/// The checksum a frame with this header and body must carry.
std::uint32_t frame_crc(std::uint32_t body_len, std::uint8_t type, std::string_view body);

/// The fixed fields of a task body; `queue` and `payload` view into it.
struct TaskView {
  std::uint64_t id = 0;
  std::uint32_t attempt = 0;
  std::int64_t due_ms = 0;
  std::string_view queue;
  std::string_view payload;
};
/// The fields of an outcome body; the strings view into it and are set only
/// when the whole body was given.
struct OutcomeView {
  std::uint8_t flags = 0;
  std::uint32_t attempts = 0;
  std::int64_t enqueued_ms = 0;
  std::int64_t started_ms = 0;
  std::uint64_t entry_ms = 0;
  std::uint64_t entry_seq = 0;
  std::string_view queue, result, error, payload;
};

/// Why a body of `type` is malformed (empty when it is well formed); the
/// fields land in the outputs that match the type. `body` may be just the
/// first bytes of a task or outcome body (its fixed part and queue) when
/// `full_body_len` says how long the whole one is.
std::string decode_body(std::uint8_t type, std::string_view body, std::uint32_t full_body_len,
                        TaskView& task, std::uint64_t& id, std::uint32_t& attempt,
                        OutcomeView* outcome = nullptr);

/// Rewrites the attempt of a whole framed task record in place and fixes its
/// checksum (the rewrite keeps one record per task, with its latest attempt).
void patch_task_attempt(char* frame, std::uint32_t attempt);
/// Rewrites the flags of a whole framed outcome record in place (what is
/// still kept of it) and fixes its checksum.
void patch_outcome_flags(char* frame, std::uint8_t flags);

}  // namespace tasq::journal::format
