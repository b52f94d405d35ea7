/* A plugin for the Pool tests, whose task does what its payload says:
 *   "sleep MS"  sleeps MS milliseconds, then echoes
 *   "hang"      never returns (only the master's task_timeout ends it)
 *   "crash"     abort()s: the worker dies by SIGABRT
 *   "fail"      fails with status 5 and the reason "bad input"
 *   "ids"       returns "pid=P uid=U gid=G" of the worker
 *   "rec FILE MS MODE"  appends "S QUEUE ID ATTEMPT PID" to FILE, sleeps MS
 *               milliseconds, then appends "E QUEUE ID ATTEMPT" and succeeds;
 *               MODE "fail1" fails the first attempt (appending F, not E),
 *               "fail" fails every one, "hold1" sleeps 60 s in the first
 *               (for the test to kill), "ok" does neither. One write() per
 *               line on an O_APPEND file: the file's order is the order
 *               in which the workers got there.
 *   anything else is echoed.
 * Built with POOL_TEST_REFUSE_START, its worker start refuses (status 9). */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tasq/handler.h"

int tasq_abi_version(void) { return TASQ_ABI_VERSION; }

#ifdef POOL_TEST_REFUSE_START
int tasq_worker_start(uint32_t worker_id) {
  (void)worker_id;
  return 9;
}
#endif

static int is(const tasq_task_info *task, const char *text) {
  return task->payload_len == strlen(text) && memcmp(task->payload, text, task->payload_len) == 0;
}

static void put(tasq_result *result, const char *data, size_t n) {
  if (n > result->capacity) n = result->capacity;
  memcpy(result->data, data, n);
  result->length = n;
}

static void sleep_ms(long ms) {
  struct timespec delay = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&delay, &delay) != 0) {
  }
}

static void append_line(const char *path, const tasq_task_info *task, char kind) {
  char line[512];
  int n = snprintf(line, sizeof line, "%c %.*s %llu %u", kind, (int)task->queue_len, task->queue,
                   (unsigned long long)task->id, task->attempt);
  if (n < 0 || (size_t)n >= sizeof line - 16) return;
  if (kind == 'S') n += snprintf(line + n, sizeof line - n, " %d", (int)getpid());
  line[n++] = '\n';
  const int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  if (write(fd, line, (size_t)n) != n) {
    /* the test finds the line missing */
  }
  close(fd);
}

static int record(const tasq_task_info *task, tasq_result *result) {
  char text[512], path[400], mode[16];
  long ms = 0;
  if (task->payload_len >= sizeof text) return 2;
  memcpy(text, task->payload, task->payload_len);
  text[task->payload_len] = '\0';
  if (sscanf(text, "rec %399s %ld %15s", path, &ms, mode) != 3) return 2;
  append_line(path, task, 'S');
  if (strcmp(mode, "hold1") == 0 && task->attempt == 1) ms = 60000;
  sleep_ms(ms);
  if (strcmp(mode, "fail") == 0 || (strcmp(mode, "fail1") == 0 && task->attempt == 1)) {
    append_line(path, task, 'F');
    put(result, "asked to fail", 13);
    return 5;
  }
  append_line(path, task, 'E');
  put(result, task->payload, task->payload_len);
  return 0;
}

int tasq_task(const tasq_task_info *task, tasq_result *result) {
  char text[128];
  if (task->payload_len > 4 && memcmp(task->payload, "rec ", 4) == 0) return record(task, result);
  if (task->payload_len > 6 && task->payload_len < sizeof text &&
      memcmp(task->payload, "sleep ", 6) == 0) {
    memcpy(text, task->payload, task->payload_len);
    text[task->payload_len] = '\0';
    sleep_ms(atol(text + 6));
  } else if (is(task, "hang")) {
    for (;;) pause();
  } else if (is(task, "crash")) {
    abort();
  } else if (is(task, "fail")) {
    put(result, "bad input", 9);
    return 5;
  } else if (is(task, "ids")) {
    const int n = snprintf(text, sizeof text, "pid=%d uid=%d gid=%d", (int)getpid(),
                           (int)getuid(), (int)getgid());
    put(result, text, n > 0 ? (size_t)n : 0);
    return 0;
  }
  put(result, task->payload, task->payload_len);
  return 0;
}
