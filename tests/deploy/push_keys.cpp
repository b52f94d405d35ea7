// push_keys: the hiredis producer of the twemproxy test.
//
//   push_keys HOST PORT PREFIX COUNT TAG
//
// Pushes COUNT tasks, one per queue: `LPUSH PREFIX<i> TAG:PREFIX<i>` for i in
// [0, COUNT), pipelined in batches as a busy producer would, and prints one
// `QUEUE ID` line per reply. Exits 1 on any error reply or lost connection,
// so that the test sees a refusal rather than a short list.

#include <hiredis/hiredis.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

namespace {

constexpr long kBatch = 256;

struct ContextFree {
  void operator()(redisContext* context) const { redisFree(context); }
};
struct ReplyFree {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s HOST PORT PREFIX COUNT TAG\n", argv[0]);
    return 2;
  }
  const std::string prefix = argv[3];
  const std::string tag = argv[5];
  const long count = std::strtol(argv[4], nullptr, 10);
  timeval timeout{10, 0};
  std::unique_ptr<redisContext, ContextFree> context(
      redisConnectWithTimeout(argv[1], std::atoi(argv[2]), timeout));
  if (!context || context->err != 0) {
    std::fprintf(stderr, "push_keys: cannot connect: %s\n",
                 context ? context->errstr : "out of memory");
    return 1;
  }
  // Replies are bounded too: a proxy that stops answering fails the run.
  redisSetTimeout(context.get(), timeout);

  for (long first = 0; first < count; first += kBatch) {
    const long end = std::min(count, first + kBatch);
    for (long i = first; i < end; ++i) {
      std::string queue = prefix + std::to_string(i);
      std::string payload = tag + ":" + queue;
      redisAppendCommand(context.get(), "LPUSH %b %b", queue.data(), queue.size(), payload.data(),
                         payload.size());
    }
    for (long i = first; i < end; ++i) {
      void* raw = nullptr;
      if (redisGetReply(context.get(), &raw) != REDIS_OK) {
        std::fprintf(stderr, "push_keys: connection lost: %s\n", context->errstr);
        return 1;
      }
      std::unique_ptr<redisReply, ReplyFree> reply(static_cast<redisReply*>(raw));
      if (reply->type != REDIS_REPLY_INTEGER) {
        std::fprintf(stderr, "push_keys: push %ld refused: %s\n", i,
                     reply->str != nullptr ? reply->str : "(not an integer)");
        return 1;
      }
      std::printf("%s%ld %lld\n", prefix.c_str(), i, reply->integer);
    }
  }
  return std::fflush(stdout) == 0 ? 0 : 1;
}
