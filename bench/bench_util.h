/* Small helpers shared by the benchmark's C programs: the clock, connecting,
 * reading one INFO field, and failing loudly. Header-only, so each program
 * stays one file. */
#ifndef TASQ_BENCH_UTIL_H
#define TASQ_BENCH_UTIL_H

#include <hiredis/hiredis.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

/* CLOCK_MONOTONIC is one clock for every process on the machine, so a time
 * stamped by one process can be compared with one read in another. */
static inline uint64_t bench_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline void bench_sleep_until_ns(uint64_t when) {
  struct timespec ts = {(time_t)(when / 1000000000u), (long)(when % 1000000000u)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0) {
  }
}

__attribute__((format(printf, 2, 3), noreturn)) static inline void bench_die(const char *program,
                                                                          const char *format,
                                                                          ...) {
  va_list args;
  va_start(args, format);
  fprintf(stderr, "%s: ", program);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
  exit(1);
}

/* Connects to 127.0.0.1:port with a 5 s timeout, or exits with a message. */
static inline redisContext *bench_connect(const char *program, int port) {
  const struct timeval timeout = {5, 0};
  redisContext *c = redisConnectWithTimeout("127.0.0.1", port, timeout);
  if (c == NULL || c->err) {
    bench_die(program, "connect to 127.0.0.1:%d: %s", port, c ? c->errstr : "out of memory");
  }
  return c;
}

/* Returns the integer value of `field` in `INFO section`, or -1 when the
 * reply has no such field. Exits when the command itself fails. */
static inline long long bench_info_field(const char *program, redisContext *c,
                                         const char *section, const char *field) {
  redisReply *reply = redisCommand(c, "INFO %s", section);
  if (reply == NULL || reply->type != REDIS_REPLY_STRING) {
    bench_die(program, "INFO %s failed: %s", section, reply ? reply->str : c->errstr);
  }
  long long value = -1;
  const size_t field_len = strlen(field);
  for (const char *line = reply->str; line != NULL && *line != '\0';) {
    if (strncmp(line, field, field_len) == 0 && line[field_len] == ':') {
      value = strtoll(line + field_len + 1, NULL, 10);
      break;
    }
    line = strchr(line, '\n');
    if (line != NULL) ++line;
  }
  freeReplyObject(reply);
  return value;
}

/* BRPOP with a 1 s timeout, as the Redis-side consumers wait: the value
 * popped (the reply is the caller's to free), or NULL when a second passed
 * with none. Exits after 30 such seconds in a row (counted in
 * *idle_seconds, reset by a pop), or on an error or an unexpected reply. */
static inline redisReply *bench_brpop(const char *program, redisContext *c, const char *queue,
                                      int *idle_seconds, unsigned long long tasks,
                                      const redisReply **value) {
  redisReply *reply = redisCommand(c, "BRPOP %s 1", queue);
  if (reply == NULL) bench_die(program, "BRPOP failed: %s", c->errstr);
  if (reply->type == REDIS_REPLY_NIL) {
    freeReplyObject(reply);
    if (++*idle_seconds >= 30) bench_die(program, "no task for 30 s after %llu tasks", tasks);
    return NULL;
  }
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
    bench_die(program, "unexpected BRPOP reply type %d", reply->type);
  }
  *idle_seconds = 0;
  *value = reply->element[1];
  return reply;
}

/* A payload of exactly `size` bytes (more if the stamp needs it) that starts
 * with "SEQ,INTENDED_NS,SENT_NS," and is padded with 'x'. Returns its length. */
static inline size_t bench_stamp_payload(char *out, size_t capacity, size_t size, uint64_t seq,
                                         uint64_t intended_ns, uint64_t sent_ns) {
  int n = snprintf(out, capacity, "%llu,%llu,%llu,", (unsigned long long)seq,
                   (unsigned long long)intended_ns, (unsigned long long)sent_ns);
  size_t len = n < 0 ? 0 : (size_t)n;
  if (len >= capacity) len = capacity - 1;
  while (len < size && len + 1 < capacity) out[len++] = 'x';
  return len;
}

#endif /* TASQ_BENCH_UTIL_H */
