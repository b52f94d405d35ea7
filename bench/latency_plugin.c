/* latency_plugin: the handler of the latency benchmark. In the workers it is
 * tasq's echo, plus the time the worker started the task: the result is
 * "PAYLOAD|START_NS". In the master its finish hook stamps the time each task
 * ended and appends "RESULT FINISH_NS\n" to the file named by
 * $TASQ_BENCH_RECORD, one write(2) per task. bench_latency put its send times
 * in the payload, so every line holds the task's whole life -- sent, started
 * in a worker, finished in the master -- read on the one CLOCK_MONOTONIC all
 * processes share, and bench_latency can say where the time went.
 *
 * Without $TASQ_BENCH_RECORD the finish hook does nothing. */
/* POSIX and Linux calls (clock_nanosleep, O_CLOEXEC, usleep) under -std=c11 too. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tasq/handler.h"

int tasq_abi_version(void) { return TASQ_ABI_VERSION; }

static unsigned long long now_ns(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (unsigned long long)now.tv_sec * 1000000000ull + (unsigned long long)now.tv_nsec;
}

int tasq_task(const tasq_task_info *task, tasq_result *result) {
  const unsigned long long started = now_ns();
  char stamp[32];
  const int stamp_len = snprintf(stamp, sizeof stamp, "|%llu", started);
  size_t n = task->payload_len < result->capacity ? task->payload_len : result->capacity;
  memcpy(result->data, task->payload, n);
  if (stamp_len > 0 && n + (size_t)stamp_len <= result->capacity) {
    memcpy(result->data + n, stamp, (size_t)stamp_len);
    n += (size_t)stamp_len;
  }
  result->length = n;
  return 0;
}

static int record_fd = -2; /* -2: not opened yet; -1: no record wanted or open failed */

void tasq_finish(const tasq_finish_info *info) {
  const unsigned long long finished = now_ns();
  if (record_fd == -2) {
    const char *path = getenv("TASQ_BENCH_RECORD");
    record_fd = path != NULL && path[0] != '\0'
                    ? open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)
                    : -1;
  }
  if (record_fd < 0 || info->outcome != TASQ_COMPLETED) return;
  char line[4096];
  const int n =
      snprintf(line, sizeof line, "%.*s %llu\n", (int)info->result_len, info->result, finished);
  if (n > 0 && (size_t)n < sizeof line) {
    if (write(record_fd, line, (size_t)n) != n) {
      /* A short record shows up as a missing task in bench_latency. */
    }
  }
}
