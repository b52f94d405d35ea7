#pragma once
// The replies of XREAD, XRANGE/XREVRANGE and XLEN over the Streams, in
// Redis's shapes: XREAD answers an array of [key, entries] pairs in RESP2
// and a map of key -> entries in RESP3, or a null when nothing is there.

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "tasq/resp/reply_writer.h"
#include "tasq/results/stream_args.h"
#include "tasq/results/streams.h"

namespace tasq::results {

/// XREAD's starting points with `$` replaced by each stream's last id now,
/// as Redis fixes them when the command first runs (a blocked client then
/// waits for entries after those).
std::vector<StreamId> resolve_from(const Streams& streams, std::span<const std::string_view> keys,
                                   std::span<const ReadFrom> from, std::int64_t now_ms);

/// Writes XREAD's answer for every key that has entries after its id, at
/// most `count` each (0: all). Returns false, writing nothing, when none has
/// (the caller answers a null or blocks).
bool write_xread(resp::ReplyWriter& reply, const Streams& streams,
                 std::span<const std::string_view> keys, std::span<const StreamId> after,
                 std::uint64_t count, std::int64_t now_ms);

/// XRANGE (or XREVRANGE with `reverse`): an empty array for a key without a
/// stream, a null array for COUNT 0 on one that exists, else the entries.
void write_xrange(resp::ReplyWriter& reply, const Streams& streams, const XrangeArgs& args,
                  bool reverse, std::int64_t now_ms);

}  // namespace tasq::results
