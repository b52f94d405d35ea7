// The worker protocol's frame reader and writer, alone: byte layout, every
// split of a stream, and every kind of garbage.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "handler_pipe_frame.h"

namespace tasq::taskpool::handlers {
namespace {

struct Decoded {
  FrameType type;
  std::uint64_t id;
  std::uint32_t attempt;
  std::string part1, part2;
  bool operator==(const Decoded&) const = default;
};

Decoded copy(const Frame& frame) {
  return {frame.type, frame.id, frame.attempt, std::string(frame.part1), std::string(frame.part2)};
}

/// Feeds `stream` in chunks of `chunk` bytes, each from its own heap copy so
/// that a view into a dead chunk would be caught by the sanitizer, and reads
/// frames after each chunk.
std::vector<Decoded> read_all(std::string_view stream, std::size_t chunk, FrameStatus& last,
                              FrameLimits limits = {}) {
  FrameReader reader(limits);
  std::vector<Decoded> frames;
  last = FrameStatus::need_more;
  for (std::size_t at = 0; at < stream.size(); at += chunk) {
    const auto piece = std::make_unique<std::string>(stream.substr(at, chunk));
    reader.feed(*piece);
    Frame frame;
    while ((last = reader.next(frame)) == FrameStatus::ok) frames.push_back(copy(frame));
    if (last != FrameStatus::need_more) break;
  }
  return frames;
}

TEST(PipeFrame, HeaderLayoutIsBigEndianAsDocumented) {
  const std::string frame =
      encode_frame(FrameType::task, 0x0102030405060708ULL, 0x0a0b0c0d, "q", "payload");
  const std::string expected_header =
      std::string("TQ\x01\x01", 4) + std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8) +
      std::string("\x0a\x0b\x0c\x0d", 4) + std::string("\x00\x00\x00\x01", 4) +
      std::string("\x00\x00\x00\x07", 4);
  ASSERT_EQ(frame.size(), kFrameHeaderBytes + 8);
  EXPECT_EQ(frame.substr(0, kFrameHeaderBytes), expected_header);
  EXPECT_EQ(frame.substr(kFrameHeaderBytes), "qpayload");
}

TEST(PipeFrame, StopAndReadyAreBareHeaders) {
  const std::string stop = encode_frame(FrameType::stop, 0, 0, "", "");
  EXPECT_EQ(stop, std::string("TQ\x01\x05", 4) + std::string(20, '\0'));
  const std::string ready = encode_frame(FrameType::ready, 0, 0, "", "");
  EXPECT_EQ(ready, std::string("TQ\x01\x04", 4) + std::string(20, '\0'));
}

TEST(PipeFrame, EveryReplyTypeRoundTrips) {
  const std::string stream = encode_frame(FrameType::ready, 0, 0, "", "") +
                             encode_frame(FrameType::done, 7, 0, "", "RESULT") +
                             encode_frame(FrameType::fail, 8, 0, "RuntimeException", "no") +
                             encode_frame(FrameType::done, 9, 0, "", "");
  FrameStatus last;
  const auto frames = read_all(stream, stream.size(), last);
  EXPECT_EQ(last, FrameStatus::need_more);
  const std::vector<Decoded> expected{{FrameType::ready, 0, 0, "", ""},
                                      {FrameType::done, 7, 0, "", "RESULT"},
                                      {FrameType::fail, 8, 0, "RuntimeException", "no"},
                                      {FrameType::done, 9, 0, "", ""}};
  EXPECT_EQ(frames, expected);
}

TEST(PipeFrame, EverySplitGivesTheSameFrames) {
  std::string binary(300, '\0');
  for (std::size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>(i * 7);
  const std::string stream = encode_frame(FrameType::done, 1, 0, "", binary) +
                             encode_frame(FrameType::fail, 2, 0, "E", std::string(5, '\n')) +
                             encode_frame(FrameType::done, 3, 0, "", "x");
  FrameStatus whole_status;
  const auto whole = read_all(stream, stream.size(), whole_status);
  ASSERT_EQ(whole.size(), 3u);
  for (std::size_t chunk = 1; chunk < stream.size(); ++chunk) {
    FrameStatus status;
    EXPECT_EQ(read_all(stream, chunk, status), whole) << "chunk " << chunk;
    EXPECT_EQ(status, FrameStatus::need_more);
  }
}

TEST(PipeFrame, IncompleteFrameIsNeedMoreAndMidFrame) {
  const std::string frame = encode_frame(FrameType::done, 5, 0, "", "abc");
  FrameReader reader;
  Frame out;
  EXPECT_FALSE(reader.mid_frame());
  EXPECT_EQ(reader.next(out), FrameStatus::need_more);
  reader.feed(frame.substr(0, frame.size() - 1));
  EXPECT_EQ(reader.next(out), FrameStatus::need_more);
  EXPECT_TRUE(reader.mid_frame());
  reader.feed(frame.substr(frame.size() - 1));
  ASSERT_EQ(reader.next(out), FrameStatus::ok);
  EXPECT_EQ(out.part2, "abc");
  EXPECT_FALSE(reader.mid_frame());
}

TEST(PipeFrame, BadMagicIsSeenAtItsFirstByte) {
  for (const std::string garbage : {"h", "Tx", "hello world\n"}) {
    FrameReader reader;
    reader.feed(garbage);
    Frame out;
    EXPECT_EQ(reader.next(out), FrameStatus::bad_magic) << garbage;
  }
}

TEST(PipeFrame, BadVersionAndTypeAreSeenBeforeTheWholeHeader) {
  FrameReader version;
  version.feed(std::string("TQ\x02", 3));
  Frame out;
  EXPECT_EQ(version.next(out), FrameStatus::bad_version);
  EXPECT_EQ(version.error_value(), 2u);

  for (unsigned char type : {0, 6, 255}) {
    FrameReader reader;
    reader.feed(std::string("TQ\x01", 3) + static_cast<char>(type));
    EXPECT_EQ(reader.next(out), FrameStatus::bad_type) << int(type);
    EXPECT_EQ(reader.error_value(), type);
  }
}

TEST(PipeFrame, EachSideRefusesTheOtherSidesFrames) {
  Frame out;
  FrameReader tasqd_side;  // replies only
  tasqd_side.feed(encode_frame(FrameType::task, 1, 1, "q", "p"));
  EXPECT_EQ(tasqd_side.next(out), FrameStatus::unexpected_type);

  FrameReader worker_side({.max_part_bytes = 100, .allowed_types = kRequestsToWorker});
  worker_side.feed(encode_frame(FrameType::task, 1, 1, "q", "p"));
  ASSERT_EQ(worker_side.next(out), FrameStatus::ok);
  worker_side.feed(encode_frame(FrameType::done, 1, 0, "", "r"));
  EXPECT_EQ(worker_side.next(out), FrameStatus::unexpected_type);
}

TEST(PipeFrame, OverlongPartIsRefusedFromItsHeaderAlone) {
  const FrameLimits limits{.max_part_bytes = 10, .allowed_types = kRepliesToTasqd};
  Frame out;
  // Part 1 is judged at 20 header bytes, part 2 at 24: no body needs to arrive.
  FrameReader first(limits);
  first.feed(encode_frame(FrameType::fail, 1, 0, std::string(11, 'x'), "").substr(0, 20));
  EXPECT_EQ(first.next(out), FrameStatus::part_too_long);
  EXPECT_EQ(first.error_value(), 11u);

  FrameReader second(limits);
  const auto header = encode_frame_header({.type = FrameType::done,
                                           .id = 1,
                                           .attempt = 0,
                                           .part1_bytes = 0,
                                           .part2_bytes = 0xffffffff});
  second.feed({header.data(), header.size()});
  EXPECT_EQ(second.next(out), FrameStatus::part_too_long);
  EXPECT_EQ(second.error_value(), 0xffffffffu);
  EXPECT_LT(second.capacity(), 1u << 20) << "nothing was allocated for the announced part";

  FrameReader exact(limits);
  exact.feed(encode_frame(FrameType::done, 1, 0, "", std::string(10, 'y')));
  EXPECT_EQ(exact.next(out), FrameStatus::ok);
}

TEST(PipeFrame, AnErrorSticksAndConsumesNothing) {
  FrameReader reader;
  reader.feed("garbage");
  Frame out;
  EXPECT_EQ(reader.next(out), FrameStatus::bad_magic);
  const std::size_t held = reader.buffered();
  reader.feed(encode_frame(FrameType::done, 1, 0, "", "fine"));
  EXPECT_EQ(reader.next(out), FrameStatus::bad_magic);
  EXPECT_EQ(reader.error(), FrameStatus::bad_magic);
  EXPECT_GT(reader.buffered(), held);
}

TEST(PipeFrame, ValidFramesBeforeGarbageAreDelivered) {
  const std::string stream = encode_frame(FrameType::done, 1, 0, "", "ok") + "Warning: x";
  FrameStatus last;
  const auto frames = read_all(stream, 3, last);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].part2, "ok");
  EXPECT_EQ(last, FrameStatus::bad_magic);
}

TEST(PipeFrame, LargeResultBufferIsGivenBackOnceRead) {
  FrameReader reader({.max_part_bytes = 4 << 20, .allowed_types = kRepliesToTasqd});
  reader.feed(encode_frame(FrameType::done, 1, 0, "", std::string(3 << 20, 'r')));
  Frame out;
  ASSERT_EQ(reader.next(out), FrameStatus::ok);
  EXPECT_EQ(out.part2.size(), 3u << 20);
  reader.prepare(4096);
  EXPECT_LE(reader.capacity(), 256u * 1024);
}

TEST(PipeFrame, TypeNamesForMessages) {
  EXPECT_EQ(frame_type_name(1), "TASK");
  EXPECT_EQ(frame_type_name(5), "STOP");
  EXPECT_EQ(frame_type_name(9), "type 9");
}

}  // namespace
}  // namespace tasq::taskpool::handlers
