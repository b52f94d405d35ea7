/* rpop_batch_consumer: the stronger Redis side of the end-to-end comparison
 * -- a worker written the way a performance-minded Redis user would write
 * it. It takes up to BATCH tasks per round trip with `RPOP key BATCH` (Redis
 * 6.2+), and only when the list is empty blocks in `BRPOP key 1` for the
 * next one, so an idle consumer costs no busy loop. Each task is "run" as
 * tasq's echo handler does (it has the payload, and that is the whole job).
 *
 *   rpop_batch_consumer PORT QUEUE [BATCH]      (BATCH: 100 by default)
 *
 * The payload "STOP" ends it: it prints the number of tasks it ran and exits
 * 0. A batch may hold the STOPs meant for other consumers too: those are put
 * back (RPUSH, so they are the next popped) for them. Bounded: it gives up
 * after 30 s without a task and exits 1. */
/* POSIX and Linux calls (clock_nanosleep, usleep) under -std=c11 too. */
#define _GNU_SOURCE
#include <unistd.h>

#include "bench_util.h"

static const char program[] = "rpop_batch_consumer";

static int is_stop(const redisReply *payload) {
  return payload->type == REDIS_REPLY_STRING && payload->len == 4 &&
         memcmp(payload->str, "STOP", 4) == 0;
}

int main(int argc, char **argv) {
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: %s PORT QUEUE [BATCH]\n", program);
    return 2;
  }
  const int port = atoi(argv[1]);
  const char *queue = argv[2];
  const long batch = argc == 4 ? atol(argv[3]) : 100;
  if (batch <= 0) bench_die(program, "BATCH must be a positive number");

  redisContext *c = bench_connect(program, port);
  unsigned long long tasks = 0;
  int idle_seconds = 0;
  int stops = 0;
  while (stops == 0) {
    redisReply *reply = redisCommand(c, "RPOP %s %ld", queue, batch);
    if (reply == NULL) bench_die(program, "RPOP failed: %s", c->errstr);
    if (reply->type == REDIS_REPLY_ERROR) bench_die(program, "RPOP refused: %s", reply->str);
    if (reply->type == REDIS_REPLY_ARRAY) {
      for (size_t i = 0; i < reply->elements; ++i) {
        if (is_stop(reply->element[i])) {
          ++stops;
        } else {
          ++tasks;
        }
      }
      freeReplyObject(reply);
      idle_seconds = 0;
      continue;
    }
    freeReplyObject(reply);
    /* The list is empty: wait for the next task without spinning. */
    const redisReply *value = NULL;
    reply = bench_brpop(program, c, queue, &idle_seconds, tasks, &value);
    if (reply == NULL) continue;
    if (is_stop(value)) {
      ++stops;
    } else {
      ++tasks;
    }
    freeReplyObject(reply);
  }
  /* Keep one STOP; the others belong to other consumers. */
  for (int i = 1; i < stops; ++i) {
    redisReply *reply = redisCommand(c, "RPUSH %s STOP", queue);
    if (reply == NULL || reply->type != REDIS_REPLY_INTEGER) {
      bench_die(program, "RPUSH STOP failed: %s", reply ? reply->str : c->errstr);
    }
    freeReplyObject(reply);
  }
  printf("%llu\n", tasks);
  fflush(stdout);
  redisFree(c);
  return 0;
}
