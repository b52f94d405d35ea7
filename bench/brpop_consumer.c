/* brpop_consumer: the Redis side of the benchmark's comparisons -- what a
 * worker looks like when redis-server is the queue. It loops BRPOP on one
 * list and "runs" each task as tasq's echo handler does (it has the payload,
 * and that is the whole job).
 *
 *   brpop_consumer PORT QUEUE [RECORD_FILE]
 *
 * The payload "STOP" ends it: it prints the number of tasks it ran and exits
 * 0. With RECORD_FILE it appends "PAYLOAD FINISH_NS\n" for every task, one
 * write(2) each (O_APPEND, so several consumers can share the file), which is
 * what bench_latency reads back. Bounded: it gives up after 30 s without a
 * task and exits 1. */
/* POSIX and Linux calls (clock_nanosleep, O_CLOEXEC, usleep) under -std=c11 too. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>

#include "bench_util.h"

static const char program[] = "brpop_consumer";

int main(int argc, char **argv) {
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: %s PORT QUEUE [RECORD_FILE]\n", program);
    return 2;
  }
  const int port = atoi(argv[1]);
  const char *queue = argv[2];
  int record_fd = -1;
  if (argc == 4) {
    record_fd = open(argv[3], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (record_fd < 0) bench_die(program, "open(%s) failed", argv[3]);
  }

  redisContext *c = bench_connect(program, port);
  unsigned long long tasks = 0;
  int idle_seconds = 0;
  char line[4096];
  for (;;) {
    const redisReply *payload = NULL;
    redisReply *reply = bench_brpop(program, c, queue, &idle_seconds, tasks, &payload);
    if (reply == NULL) continue;
    if (payload->len == 4 && memcmp(payload->str, "STOP", 4) == 0) {
      freeReplyObject(reply);
      break;
    }
    ++tasks;
    if (record_fd >= 0) {
      const uint64_t finish = bench_now_ns();
      const int n = snprintf(line, sizeof line, "%.*s %llu\n", (int)payload->len, payload->str,
                             (unsigned long long)finish);
      if (n < 0 || (size_t)n >= sizeof line) bench_die(program, "payload too long to record");
      if (write(record_fd, line, (size_t)n) != n) bench_die(program, "write to record failed");
    }
    freeReplyObject(reply);
  }
  printf("%llu\n", tasks);
  fflush(stdout);
  redisFree(c);
  return 0;
}
