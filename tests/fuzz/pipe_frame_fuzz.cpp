// libFuzzer target for the worker protocol's frame reader (the `pipe:`
// handler's tasqd side, and the side a worker library reads).
//
// An input is two control bytes, then the bytes that arrive on the pipe, so a
// seed is a captured stream with two bytes in front (tests/fuzz/corpus/pipe/):
//   byte 0: bit 0 picks the mode; bits 1-2 the limits; bit 3 the side.
//   byte 1: how the stream is cut into reads.
//  - raw: the stream is read once whole and once in chunks; both must give
//    the same frames and the same final status; every frame re-encodes to the
//    very bytes it came from and respects the limits; an error stays that
//    error; the buffer stays within one frame and one read.
//  - round trip (bit 0 set): frames are built from the rest of the input,
//    encoded by the writer and must come back exactly.

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "handler_pipe_frame.h"

namespace {

using tasq::taskpool::handlers::encode_frame;
using tasq::taskpool::handlers::Frame;
using tasq::taskpool::handlers::FrameLimits;
using tasq::taskpool::handlers::FrameReader;
using tasq::taskpool::handlers::FrameStatus;
using tasq::taskpool::handlers::FrameType;
using tasq::taskpool::handlers::kFrameHeaderBytes;
using tasq::taskpool::handlers::kRepliesToTasqd;
using tasq::taskpool::handlers::kRequestsToWorker;

struct Decoded {
  FrameType type;
  std::uint64_t id;
  std::uint32_t attempt;
  std::string part1, part2;
  bool operator==(const Decoded&) const = default;
};

struct Outcome {
  std::vector<Decoded> frames;
  FrameStatus last = FrameStatus::need_more;
};

FrameLimits limits_for(std::uint8_t control) {
  FrameLimits limits;
  limits.allowed_types = (control & 8) != 0 ? kRequestsToWorker : kRepliesToTasqd;
  switch ((control >> 1) & 3) {
    case 0:
      break;  // package_max_length's default, as tasqd runs
    case 1:
      limits.max_part_bytes = 16;
      break;
    case 2:
      limits.max_part_bytes = 40000;
      break;
    default:
      limits.max_part_bytes = 0;  // READY and STOP only
      break;
  }
  return limits;
}

/// Chunk sizes cycled through while feeding: from 1 byte to 64 KiB.
std::size_t chunk_size(std::uint8_t seed, std::size_t round) {
  if (seed == 0) return 0;  // all at once
  const std::size_t sizes[] = {1, 2, 3, 7, 23, 24, 25, 100, 4096, 65536};
  return sizes[(seed + round * (seed | 1)) % std::size(sizes)];
}

constexpr std::size_t kMaxChunk = 65536;

Outcome run(std::string_view stream, const FrameLimits& limits, std::uint8_t seed) {
  tasq::fuzz::fuzz_input = stream;
  FrameReader reader(limits);
  Outcome outcome;
  std::size_t fed = 0;
  std::size_t round = 0;
  bool failed = false;
  while (fed < stream.size()) {
    std::size_t n = chunk_size(seed, round++);
    n = n == 0 ? stream.size() - fed : std::min(n, stream.size() - fed);
    // Each read from its own heap copy, so a stale view trips the sanitizer.
    const std::vector<char> chunk(stream.begin() + static_cast<std::ptrdiff_t>(fed),
                                  stream.begin() + static_cast<std::ptrdiff_t>(fed + n));
    auto space = reader.prepare(n);
    FUZZ_CHECK(space.size() >= n);
    std::memcpy(space.data(), chunk.data(), n);
    reader.commit(n);
    fed += n;
    if (seed != 0) {
      FUZZ_CHECK(reader.capacity() <= kFrameHeaderBytes + 2 * limits.max_part_bytes + kMaxChunk);
    }

    std::vector<Frame> batch;
    for (;;) {
      Frame frame;
      const std::size_t before = reader.buffered();
      const FrameStatus status = reader.next(frame);
      if (status == FrameStatus::ok) {
        FUZZ_CHECK(!failed);
        FUZZ_CHECK(frame.part1.size() <= limits.max_part_bytes);
        FUZZ_CHECK(frame.part2.size() <= limits.max_part_bytes);
        FUZZ_CHECK((limits.allowed_types & (1u << static_cast<unsigned>(frame.type))) != 0);
        const std::size_t used = before - reader.buffered();
        FUZZ_CHECK(used == kFrameHeaderBytes + frame.part1.size() + frame.part2.size());
        // The frame is exactly the bytes it was read from.
        const std::string again =
            encode_frame(frame.type, frame.id, frame.attempt, frame.part1, frame.part2);
        FUZZ_CHECK(again == stream.substr(fed - before, used));
        batch.push_back(frame);
        continue;
      }
      if (status == FrameStatus::need_more) {
        FUZZ_CHECK(!failed);
        FUZZ_CHECK(reader.buffered() < kFrameHeaderBytes + 2 * limits.max_part_bytes);
        break;
      }
      if (failed) FUZZ_CHECK(status == outcome.last);
      FUZZ_CHECK(reader.error() == status);
      FUZZ_CHECK(reader.buffered() == before);
      failed = true;
      outcome.last = status;
      break;
    }
    if (!failed) outcome.last = FrameStatus::need_more;
    // Views are read only after the batch: next() must not move them.
    for (const Frame& frame : batch) {
      outcome.frames.push_back({frame.type, frame.id, frame.attempt, std::string(frame.part1),
                                std::string(frame.part2)});
    }
  }
  if (failed) {
    Frame frame;
    reader.feed(encode_frame(FrameType::stop, 0, 0, "", ""));
    FUZZ_CHECK(reader.next(frame) == outcome.last);
  }
  return outcome;
}

void check_raw(std::uint8_t control, std::uint8_t seed, std::string_view stream) {
  const FrameLimits limits = limits_for(control);
  const Outcome whole = run(stream, limits, 0);
  const Outcome chunked = run(stream, limits, seed == 0 ? 1 : seed);
  FUZZ_CHECK(whole.frames == chunked.frames);
  FUZZ_CHECK(whole.last == chunked.last);
}

void check_round_trip(std::uint8_t control, std::uint8_t seed, FuzzedDataProvider& input) {
  FrameLimits limits = limits_for(control);
  limits.max_part_bytes = std::max<std::size_t>(limits.max_part_bytes, 256);
  const std::vector<FrameType> types =
      (control & 8) != 0
          ? std::vector<FrameType>{FrameType::task, FrameType::stop}
          : std::vector<FrameType>{FrameType::done, FrameType::fail, FrameType::ready};
  std::vector<Decoded> frames(input.ConsumeIntegralInRange<std::size_t>(1, 8));
  std::string stream;
  for (auto& frame : frames) {
    frame.type = types[input.ConsumeIntegralInRange<std::size_t>(0, types.size() - 1)];
    frame.id = input.ConsumeIntegral<std::uint64_t>();
    frame.attempt = input.ConsumeIntegral<std::uint32_t>();
    const std::size_t cap = std::min<std::size_t>(limits.max_part_bytes, 256);
    frame.part1 = input.ConsumeBytesAsString(input.ConsumeIntegralInRange<std::size_t>(0, cap));
    frame.part2 = input.ConsumeBytesAsString(input.ConsumeIntegralInRange<std::size_t>(0, cap));
    stream += encode_frame(frame.type, frame.id, frame.attempt, frame.part1, frame.part2);
  }
  const Outcome outcome = run(stream, limits, seed);
  FUZZ_CHECK(outcome.last == FrameStatus::need_more);
  FUZZ_CHECK(outcome.frames == frames);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t control = data[0];
  const std::uint8_t seed = data[1];
  if ((control & 1) == 0) {
    check_raw(control, seed, {reinterpret_cast<const char*>(data + 2), size - 2});
  } else {
    FuzzedDataProvider input(data + 2, size - 2);
    check_round_trip(control, seed, input);
  }
  return 0;
}
