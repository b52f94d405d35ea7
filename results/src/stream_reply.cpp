#include "tasq/results/stream_reply.h"

#include "tasq/results/stream_key.h"

namespace tasq::results {

std::vector<StreamId> resolve_from(const Streams& streams, std::span<const std::string_view> keys,
                                   std::span<const ReadFrom> from, std::int64_t now_ms) {
  std::vector<StreamId> after;
  after.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    after.push_back(from[i].last ? streams.last_id(classify_key(keys[i]), now_ms) : from[i].id);
  }
  return after;
}

bool write_xread(resp::ReplyWriter& reply, const Streams& streams,
                 std::span<const std::string_view> keys, std::span<const StreamId> after,
                 std::uint64_t count, std::int64_t now_ms) {
  std::size_t ready = 0;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (streams.has_after(classify_key(keys[i]), after[i], now_ms)) ++ready;
  }
  if (ready == 0) return false;
  if (reply.protocol() >= 3) {
    reply.map(ready);
  } else {
    reply.array(ready);
  }
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const StreamKey key = classify_key(keys[i]);
    if (!streams.has_after(key, after[i], now_ms)) continue;
    if (reply.protocol() < 3) reply.array(2);
    reply.bulk(keys[i]);
    // Entries after the id: the range from the next id up; there is one,
    // since an entry is greater than `after`.
    const StreamId start = next_id(after[i]).value_or(StreamId::max());
    streams.write_range(reply, key, start, StreamId::max(), count, false, now_ms);
  }
  return true;
}

void write_xrange(resp::ReplyWriter& reply, const Streams& streams, const XrangeArgs& args,
                  bool reverse, std::int64_t now_ms) {
  const StreamKey key = classify_key(args.key);
  if (!streams.exists(key, now_ms)) {
    reply.array(0);
    return;
  }
  if (args.count && *args.count == 0) {
    reply.null_array();
    return;
  }
  streams.write_range(reply, key, args.start, args.end, args.count.value_or(0), reverse, now_ms);
}

}  // namespace tasq::results
