#pragma once
// The worker protocol of `pipe:` handlers (version 1), as pure code: an
// incremental frame reader that is given bytes and yields whole frames, and
// the header writer. No I/O, no clock, no logging, so that it can be fuzzed
// alone (tests/fuzz/pipe_frame_fuzz.cpp) and so that the runner's policy
// (which frame is expected when) stays out of it.
//
// A frame is a 24-byte header and two parts; integers are big-endian:
//   0  2  magic "TQ"        12  4  attempt
//   2  1  version (1)       16  4  length of part 1
//   3  1  type              20  4  length of part 2
//   4  8  task id
// docs/worker-protocol.md is the reference for library writers.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tasq::taskpool::handlers {

inline constexpr std::size_t kFrameHeaderBytes = 24;
inline constexpr std::uint8_t kProtocolVersion = 1;

enum class FrameType : std::uint8_t {
  task = 1,   ///< tasqd -> co-process: part 1 the queue, part 2 the payload
  done = 2,   ///< co-process -> tasqd: part 2 the result
  fail = 3,   ///< co-process -> tasqd: part 1 the error class, part 2 the message
  ready = 4,  ///< co-process -> tasqd, once after start-up; no parts
  stop = 5,   ///< tasqd -> co-process: finish and exit 0; no parts
};

/// "TASK", "DONE", ...; "type N" for a value that is none of them.
std::string frame_type_name(std::uint8_t type);

/// The set of types one side accepts, as a bit per type value.
constexpr std::uint32_t frame_type_bit(FrameType type) { return 1u << static_cast<unsigned>(type); }
/// What tasqd reads from a co-process (fd 4).
inline constexpr std::uint32_t kRepliesToTasqd = frame_type_bit(FrameType::done) |
                                                 frame_type_bit(FrameType::fail) |
                                                 frame_type_bit(FrameType::ready);
/// What a co-process reads from tasqd (fd 3).
inline constexpr std::uint32_t kRequestsToWorker =
    frame_type_bit(FrameType::task) | frame_type_bit(FrameType::stop);

struct FrameHeader {
  FrameType type = FrameType::ready;
  std::uint64_t id = 0;
  std::uint32_t attempt = 0;
  std::uint32_t part1_bytes = 0;
  std::uint32_t part2_bytes = 0;
};

/// The 24 header bytes; the parts follow it on the wire (the runner sends all
/// three with one writev, so a payload is never copied into a frame).
std::array<char, kFrameHeaderBytes> encode_frame_header(const FrameHeader& header);

/// A whole frame in one string: for small frames (STOP) and for tests.
/// Parts longer than 4 GiB - 1 cannot be encoded; callers bound them first.
std::string encode_frame(FrameType type, std::uint64_t id, std::uint32_t attempt,
                         std::string_view part1, std::string_view part2);

/// One decoded frame; the parts are views into the reader's buffer.
struct Frame {
  FrameType type = FrameType::ready;
  std::uint64_t id = 0;
  std::uint32_t attempt = 0;
  std::string_view part1;
  std::string_view part2;
};

/// Bounds on what the other side can make the reader hold.
struct FrameLimits {
  std::size_t max_part_bytes = 2 * 1024 * 1024;   ///< package_max_length
  std::uint32_t allowed_types = kRepliesToTasqd;  ///< frame_type_bit()s
};

/// One code, one meaning: `need_more` is the only status after which reading
/// may go on; every other non-ok status is a protocol error, and stays the
/// reader's answer from then on.
enum class FrameStatus : std::uint8_t {
  ok,
  need_more,
  bad_magic,        ///< the first two bytes of a frame are not "TQ"
  bad_version,      ///< a version other than 1
  bad_type,         ///< a type byte that is no frame type
  unexpected_type,  ///< a known type that this side never receives (a TASK sent to tasqd)
  part_too_long,    ///< a part length over max_part_bytes
};

/// A short phrase for logs and failure reasons ("bad magic").
std::string_view describe(FrameStatus status);

class FrameReader {
 public:
  explicit FrameReader(FrameLimits limits = {});

  /// Writable space at the end of the buffer, at least `min_bytes` long; for
  /// reading straight into it. Invalidates the views of earlier frames.
  std::span<char> prepare(std::size_t min_bytes = 16 * 1024);
  /// Marks `n` bytes of the last prepare() as received.
  void commit(std::size_t n);
  /// prepare + copy + commit, for callers that hold the bytes already.
  void feed(std::string_view bytes);

  /// The next whole frame out of the buffered bytes. The header is checked
  /// byte by byte as it arrives, so garbage is reported at its first wrong
  /// byte rather than after 24. On ok the frame's parts are views valid until
  /// the next prepare() or feed(). After an error, returns that error again
  /// and consumes nothing.
  FrameStatus next(Frame& frame);

  /// Bytes received and not yet returned as a frame.
  [[nodiscard]] std::size_t buffered() const { return end_ - start_; }
  /// True while part of a frame has arrived and the rest has not.
  [[nodiscard]] bool mid_frame() const { return buffered() > 0; }
  /// The error next() returns, or ok when there was none.
  [[nodiscard]] FrameStatus error() const { return error_; }
  /// The offending header value of the error (the type byte, a version, a
  /// part length), for messages; 0 when there is none.
  [[nodiscard]] std::uint64_t error_value() const { return error_value_; }
  /// Bytes the buffer holds room for (for the fuzzer's bound).
  [[nodiscard]] std::size_t capacity() const { return buffer_.size(); }

 private:
  /// Checks the header bytes that have arrived; ok when all 24 have.
  FrameStatus check_header(std::string_view head);
  FrameStatus fail(FrameStatus status, std::uint64_t value);

  FrameLimits limits_;
  std::vector<char> buffer_;
  std::size_t start_ = 0;  ///< first byte not yet returned
  std::size_t end_ = 0;    ///< one past the last byte received
  FrameStatus error_ = FrameStatus::ok;
  std::uint64_t error_value_ = 0;
};

}  // namespace tasq::taskpool::handlers
