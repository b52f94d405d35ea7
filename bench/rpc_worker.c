/* rpc_worker: the worker of the classic RPC over Redis, for bench_wait's
 * Redis side. It loops BRPOP on one list; a job is "REPLYKEY PAYLOAD", and
 * "running" it is what tasq's echo handler does: the result is the payload,
 * LPUSHed to REPLYKEY, where the producer waits in BRPOP.
 *
 *   rpc_worker PORT QUEUE
 *
 * The job "STOP" ends it (exit 0). Bounded: it gives up after 30 s without
 * a job and exits 1. */
#define _GNU_SOURCE
#include "bench_util.h"

static const char program[] = "rpc_worker";

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s PORT QUEUE\n", program);
    return 2;
  }
  redisContext *c = bench_connect(program, atoi(argv[1]));
  const char *queue = argv[2];
  int idle_seconds = 0;
  for (;;) {
    redisReply *reply = redisCommand(c, "BRPOP %s 1", queue);
    if (reply == NULL) bench_die(program, "BRPOP failed: %s", c->errstr);
    if (reply->type == REDIS_REPLY_NIL) {
      freeReplyObject(reply);
      if (++idle_seconds >= 30) bench_die(program, "no job for 30 s");
      continue;
    }
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
      bench_die(program, "unexpected BRPOP reply type %d", reply->type);
    }
    idle_seconds = 0;
    const redisReply *job = reply->element[1];
    if (job->len == 4 && memcmp(job->str, "STOP", 4) == 0) {
      freeReplyObject(reply);
      break;
    }
    const char *space = memchr(job->str, ' ', job->len);
    if (space == NULL) bench_die(program, "a job without its reply key");
    const size_t key_len = (size_t)(space - job->str);
    redisReply *done =
        redisCommand(c, "LPUSH %b %b", job->str, key_len, space + 1, job->len - key_len - 1);
    if (done == NULL || done->type != REDIS_REPLY_INTEGER) {
      bench_die(program, "LPUSH of the reply failed: %s", done ? done->str : c->errstr);
    }
    freeReplyObject(done);
    freeReplyObject(reply);
  }
  redisFree(c);
  return 0;
}
