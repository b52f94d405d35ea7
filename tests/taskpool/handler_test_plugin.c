/* A plugin for handler_tests. It records every hook call in a log that the
 * test reads back through handler_test_plugin_events(), after dlopen()ing the
 * same library (which shares this copy of the globals). Built with hidden
 * visibility, so it also proves that tasq/handler.h exports the hooks. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tasq/handler.h"

static char events[8192];
static size_t events_len;

static void record(const char *format, ...) {
  va_list args;
  va_start(args, format);
  const int n = vsnprintf(events + events_len, sizeof events - events_len, format, args);
  va_end(args);
  if (n > 0) {
    events_len += (size_t)n;
    if (events_len >= sizeof events) events_len = sizeof events - 1;
  }
}

TASQ_PLUGIN_EXPORT const char *handler_test_plugin_events(void) { return events; }

TASQ_PLUGIN_EXPORT void handler_test_plugin_clear(void) {
  events_len = 0;
  events[0] = '\0';
}

static int equals(const tasq_task_info *task, const char *text) {
  return task->payload_len == strlen(text) && memcmp(task->payload, text, task->payload_len) == 0;
}

static void put(tasq_result *result, const char *text) {
  size_t n = strlen(text);
  if (n > result->capacity) n = result->capacity;
  memcpy(result->data, text, n);
  result->length = n;
}

int tasq_abi_version(void) { return TASQ_ABI_VERSION; }

int tasq_worker_start(uint32_t worker_id) {
  record("start %u;", worker_id);
  return worker_id == 99 ? 5 : 0; /* 99: refuse to start */
}

int tasq_task(const tasq_task_info *task, tasq_result *result) {
  record("task %llu;", (unsigned long long)task->id);
  if (equals(task, "fail")) {
    put(result, "bad input");
    return 7;
  }
  if (equals(task, "fail quietly")) return 3;
  if (equals(task, "overflow")) {
    result->length = result->capacity + 10; /* a buggy plugin */
    return 0;
  }
  if (equals(task, "describe")) {
    const int n = snprintf(result->data, result->capacity,
                           "id=%llu queue=%.*s attempt=%u worker=%u", (unsigned long long)task->id,
                           (int)task->queue_len, task->queue, task->attempt, task->worker_id);
    result->length = n < 0 ? 0 : (size_t)n < result->capacity ? (size_t)n : result->capacity;
    return 0;
  }
  /* Anything else: the payload reversed, as much as fits. */
  const char *payload = task->payload;
  size_t n = task->payload_len < result->capacity ? task->payload_len : result->capacity;
  for (size_t i = 0; i < n; ++i) result->data[i] = payload[task->payload_len - 1 - i];
  result->length = n;
  return 0;
}

void tasq_worker_stop(uint32_t worker_id) { record("stop %u;", worker_id); }

void tasq_finish(const tasq_finish_info *info) {
  record("finish %llu %.*s %u %d %d [%.*s] [%s];", (unsigned long long)info->id,
         (int)info->queue_len, info->queue, info->attempt, (int)info->outcome, info->status,
         info->result != NULL ? (int)info->result_len : 0, info->result != NULL ? info->result : "",
         info->reason);
}
