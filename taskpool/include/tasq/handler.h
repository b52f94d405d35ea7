/* tasq handler plugin ABI, version 1.
 *
 * A plugin is a shared library exporting the functions below with C linkage.
 * tasq loads it with dlopen(RTLD_NOW | RTLD_LOCAL) in every task worker when
 * the worker starts (so a reload picks up a rebuilt library), and once in the
 * master, where only tasq_finish is called.
 *
 * Required: tasq_abi_version, tasq_task. Optional: tasq_worker_start,
 * tasq_worker_stop, tasq_finish. A missing required function, or a version
 * other than the one tasq was built with, makes tasq refuse the plugin with
 * a one-line error at start-up.
 *
 * Threads: a worker is a single-threaded process that runs one task at a time,
 * so the hooks need no locking; global state is per worker process.
 *
 * Versioning: TASQ_ABI_VERSION changes whenever a struct below changes its
 * layout or a function its meaning, and tasq loads only plugins that return
 * exactly its own version: rebuild the plugin against the new header.
 *
 * Include this header in the plugin's source: its declarations check the
 * signatures of your definitions, give them C linkage in C++, and export them
 * even when the library is built with -fvisibility=hidden.
 */
#ifndef TASQ_HANDLER_H
#define TASQ_HANDLER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TASQ_ABI_VERSION 1

#if defined(__GNUC__) || defined(__clang__)
#define TASQ_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define TASQ_PLUGIN_EXPORT
#endif

/* A task as the worker sees it. The pointers are valid only during the call. */
typedef struct tasq_task_info {
  uint64_t id;       /* unique, positive, increasing in push order */
  const char *queue; /* the LPUSH key; not NUL-terminated */
  size_t queue_len;
  const void *payload; /* the pushed bytes; not NUL-terminated */
  size_t payload_len;
  uint32_t attempt;   /* 1 for the first run, 2 for the first retry, ... */
  uint32_t worker_id; /* 0 .. task_worker_num-1 */
} tasq_task_info;

/* Where a handler may put its result: at most `capacity` bytes at `data`.
 * `length` is 0 on entry; set it to the bytes written (0 = no result).
 * When the task fails, the bytes written become the failure reason instead. */
typedef struct tasq_result {
  char *data;
  size_t capacity;
  size_t length;
} tasq_result;

/* How a task attempt ended, as tasq_finish reports it. */
typedef enum tasq_outcome {
  TASQ_COMPLETED = 0, /* the handler succeeded */
  TASQ_FAILED = 1,    /* this attempt failed and the task will be retried */
  TASQ_DEAD = 2       /* the last attempt failed: the task is dead-lettered */
} tasq_outcome;

typedef struct tasq_finish_info {
  uint64_t id;
  const char *queue; /* not NUL-terminated */
  size_t queue_len;
  uint32_t attempt;
  tasq_outcome outcome;
  int status;         /* the handler's return value, or -1 when the worker died */
  const char *result; /* the handler's result, on TASQ_COMPLETED; else NULL */
  size_t result_len;
  const char *reason; /* NUL-terminated, why it failed; "" on success */
} tasq_finish_info;

/* Required. Return TASQ_ABI_VERSION as the plugin was built against it. */
TASQ_PLUGIN_EXPORT int tasq_abi_version(void);

/* Optional. Called once in each worker after it has dropped privileges,
 * before its first task. Non-zero refuses to start: the worker exits and is
 * respawned with back-off. */
TASQ_PLUGIN_EXPORT int tasq_worker_start(uint32_t worker_id);

/* Required. Runs one task. Returns 0 on success; any other value is a failure
 * that tasq retries up to task_retry attempts. On failure, the bytes written
 * to `result` (if any) are reported as the reason, e.g. an error message. */
TASQ_PLUGIN_EXPORT int tasq_task(const tasq_task_info *task, tasq_result *result);

/* Optional. Called once in a worker that stops gracefully (reload, recycle,
 * shutdown); not called when the worker crashes or is killed. */
TASQ_PLUGIN_EXPORT void tasq_worker_stop(uint32_t worker_id);

/* Optional. Called in the master, on its event loop, once for every end of a
 * task attempt. Must not block: the server waits while it runs. The pointers
 * are valid only during the call. */
TASQ_PLUGIN_EXPORT void tasq_finish(const tasq_finish_info *info);

#ifdef __cplusplus
}
#endif

#endif /* TASQ_HANDLER_H */
