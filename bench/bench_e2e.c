/* bench_e2e: end to end -- N tasks pushed with pipelining, timed until every
 * one has executed.
 *
 *   bench_e2e --port P --tasks N [--size 64] [--pipeline 64] [--timeout 120]
 *             [--redis CONSUMER_EXE [--consumers 2]] [--benchmark-clients C]
 *
 * Against tasqd (the default) the tasks have executed when INFO's
 * tasks_completed has grown by N; it is polled every millisecond once the
 * last push is acknowledged. With --redis, the server is redis-server and the
 * workers are CONSUMER_EXE processes (brpop_consumer) that this program starts
 * and waits for until each is blocked in BRPOP, before the clock starts; after
 * the N tasks it pushes one "STOP" per consumer, and the tasks have executed
 * when every consumer has exited (each reports how many it ran; they must add
 * up to N).
 *
 * With --benchmark-clients, the tasks are pushed by redis-benchmark -t lpush
 * with C clients at the given pipeline depth (key "mylist"), the producer of
 * the Swoole comparison, instead of from one pipelined connection. Any server
 * whose INFO has tasks_completed can be measured so (Swoole's bench server).
 *
 * Prints one line ending in "X tasks/s (S s)". Exits 1 when the tasks do not
 * all execute within the timeout, or any push is refused. */
/* POSIX and Linux calls (clock_nanosleep, O_CLOEXEC, usleep) under -std=c11 too. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_util.h"

static const char program[] = "bench_e2e";
static const char *queue = "bench";

enum { max_consumers = 64 };

typedef struct options {
  int port;
  unsigned long long tasks;
  size_t size;
  int pipeline;
  int timeout_s;
  const char *consumer_exe;
  int consumers;
  int benchmark_clients; /* 0: push from here */
} options;

static options parse(int argc, char **argv) {
  options o = {0, 100000, 64, 64, 120, NULL, 2, 0};
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 >= argc) bench_die(program, "%s needs a value", argv[i]);
    const char *flag = argv[i], *value = argv[i + 1];
    if (strcmp(flag, "--port") == 0) {
      o.port = atoi(value);
    } else if (strcmp(flag, "--tasks") == 0) {
      o.tasks = strtoull(value, NULL, 10);
    } else if (strcmp(flag, "--size") == 0) {
      o.size = strtoul(value, NULL, 10);
    } else if (strcmp(flag, "--pipeline") == 0) {
      o.pipeline = atoi(value);
    } else if (strcmp(flag, "--timeout") == 0) {
      o.timeout_s = atoi(value);
    } else if (strcmp(flag, "--redis") == 0) {
      o.consumer_exe = value;
    } else if (strcmp(flag, "--consumers") == 0) {
      o.consumers = atoi(value);
    } else if (strcmp(flag, "--benchmark-clients") == 0) {
      o.benchmark_clients = atoi(value);
    } else {
      bench_die(program, "unknown option %s", flag);
    }
  }
  if (o.port <= 0 || o.tasks == 0 || o.pipeline <= 0 || o.consumers <= 0 ||
      o.consumers > max_consumers || o.size == 0 || o.size > 4096) {
    bench_die(program, "bad options (need --port; --tasks, --pipeline, --size > 0)");
  }
  return o;
}

/* Pushes `count` copies of `payload` (LPUSH, one payload each) in batches of
 * `pipeline` commands; every reply must be an id. */
static void push_all(redisContext *c, unsigned long long count, const char *payload, size_t len,
                     int pipeline) {
  for (unsigned long long done = 0; done < count;) {
    const unsigned long long batch =
        count - done < (unsigned long long)pipeline ? count - done : (unsigned long long)pipeline;
    for (unsigned long long i = 0; i < batch; ++i) {
      redisAppendCommand(c, "LPUSH %s %b", queue, payload, len);
    }
    for (unsigned long long i = 0; i < batch; ++i) {
      redisReply *reply = NULL;
      if (redisGetReply(c, (void **)&reply) != REDIS_OK) {
        bench_die(program, "LPUSH failed: %s", c->errstr);
      }
      if (reply->type != REDIS_REPLY_INTEGER) {
        bench_die(program, "LPUSH refused: %s", reply->type == REDIS_REPLY_ERROR ? reply->str : "?");
      }
      freeReplyObject(reply);
    }
    done += batch;
  }
}

/* Pushes the tasks with redis-benchmark (LPUSH mylist <size bytes>), its
 * output discarded; dies unless it ran to its end. */
static void push_with_redis_benchmark(const options *o) {
  char port[16], tasks[32], clients[16], pipeline[16], size[16];
  snprintf(port, sizeof port, "%d", o->port);
  snprintf(tasks, sizeof tasks, "%llu", o->tasks);
  snprintf(clients, sizeof clients, "%d", o->benchmark_clients);
  snprintf(pipeline, sizeof pipeline, "%d", o->pipeline);
  snprintf(size, sizeof size, "%zu", o->size);
  const pid_t pid = fork();
  if (pid < 0) bench_die(program, "fork failed");
  if (pid == 0) {
    const int null_fd = open("/dev/null", O_WRONLY);
    if (null_fd >= 0) dup2(null_fd, STDOUT_FILENO);
    execlp("redis-benchmark", "redis-benchmark", "-p", port, "-t", "lpush", "-n", tasks, "-c",
           clients, "-P", pipeline, "-d", size, "-q", (char *)NULL);
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    bench_die(program, "redis-benchmark failed (status %d)", status);
  }
}

static void push_tasks(redisContext *c, const options *o, const char *payload) {
  if (o->benchmark_clients > 0) {
    push_with_redis_benchmark(o);
  } else {
    push_all(c, o->tasks, payload, o->size, o->pipeline);
  }
}

static void kill_all(const pid_t *pids, int n) {
  for (int i = 0; i < n; ++i) {
    if (pids[i] > 0) kill(pids[i], SIGKILL);
  }
  for (int i = 0; i < n; ++i) {
    if (pids[i] > 0) waitpid(pids[i], NULL, 0);
  }
}

/* Starts the consumers with their stdout on one pipe; returns its read end. */
static int start_consumers(const options *o, pid_t *pids) {
  int out[2];
  if (pipe(out) != 0) bench_die(program, "pipe failed");
  char port[16];
  snprintf(port, sizeof port, "%d", o->port);
  for (int i = 0; i < o->consumers; ++i) {
    pids[i] = fork();
    if (pids[i] < 0) bench_die(program, "fork failed");
    if (pids[i] == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      execl(o->consumer_exe, o->consumer_exe, port, queue, (char *)NULL);
      _exit(127);
    }
  }
  close(out[1]);
  return out[0];
}

/* Waits until `n` clients are blocked (the consumers, in BRPOP), or dies:
 * at once when a consumer has exited, else after 10 s. */
static void wait_blocked(redisContext *c, int n, pid_t *pids) {
  for (int i = 0; i < 1000; ++i) {
    if (bench_info_field(program, c, "clients", "blocked_clients") >= n) return;
    int status = 0;
    const pid_t gone = waitpid(-1, &status, WNOHANG);
    if (gone > 0) {
      for (int k = 0; k < n; ++k) {
        if (pids[k] == gone) pids[k] = 0;
      }
      kill_all(pids, n);
      bench_die(program, "consumer %d exited before the tasks (status %d)", (int)gone, status);
    }
    usleep(10000);
  }
  kill_all(pids, n);
  bench_die(program, "the consumers did not block in BRPOP within 10 s");
}

/* Waits for every consumer to exit 0 before `deadline_ns`; returns the sum of
 * the task counts they printed. Kills them and dies on timeout or failure. */
static unsigned long long wait_consumers(int out, pid_t *pids, int n, uint64_t deadline_ns) {
  int left = n;
  while (left > 0) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      for (int i = 0; i < n; ++i) {
        if (pids[i] == pid) pids[i] = 0;
      }
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        kill_all(pids, n);
        bench_die(program, "consumer %d failed (status %d)", (int)pid, status);
      }
      --left;
      continue;
    }
    if (bench_now_ns() > deadline_ns) {
      kill_all(pids, n);
      bench_die(program, "%d consumers still running at the timeout", left);
    }
    usleep(200);
  }
  char buffer[4096];
  size_t used = 0;
  for (ssize_t r; used + 1 < sizeof buffer && (r = read(out, buffer + used, sizeof buffer - 1 - used)) > 0;) {
    used += (size_t)r;
  }
  buffer[used] = '\0';
  unsigned long long total = 0;
  for (char *p = buffer, *end; *p != '\0'; p = end) {
    total += strtoull(p, &end, 10);
    if (end == p) break;
  }
  return total;
}

int main(int argc, char **argv) {
  const options o = parse(argc, argv);
  if (o.benchmark_clients > 0) queue = "mylist"; /* redis-benchmark's LPUSH key */
  char payload[4096];
  memset(payload, 'x', o.size);
  redisContext *c = bench_connect(program, o.port);
  const uint64_t timeout_ns = (uint64_t)o.timeout_s * 1000000000u;

  uint64_t start = 0, end = 0;
  if (o.consumer_exe != NULL) {
    freeReplyObject(redisCommand(c, "DEL %s", queue));
    pid_t pids[max_consumers] = {0};
    const int out = start_consumers(&o, pids);
    wait_blocked(c, o.consumers, pids);
    start = bench_now_ns();
    push_tasks(c, &o, payload);
    push_all(c, (unsigned long long)o.consumers, "STOP", 4, o.consumers);
    const unsigned long long ran = wait_consumers(out, pids, o.consumers, start + timeout_ns);
    end = bench_now_ns();
    if (ran != o.tasks) bench_die(program, "consumers ran %llu of %llu tasks", ran, o.tasks);
  } else {
    const long long base = bench_info_field(program, c, "tasks", "tasks_completed");
    const long long base_failed = bench_info_field(program, c, "tasks", "tasks_failed");
    if (base < 0) bench_die(program, "INFO tasks has no tasks_completed: is this tasqd?");
    start = bench_now_ns();
    push_tasks(c, &o, payload);
    long long done = 0;
    while ((done = bench_info_field(program, c, "tasks", "tasks_completed") - base) <
           (long long)o.tasks) {
      if (bench_now_ns() - start > timeout_ns) {
        bench_die(program, "%lld of %llu tasks executed at the timeout", done, o.tasks);
      }
      usleep(1000);
    }
    end = bench_now_ns();
    /* A server without the field (Swoole's bench server) reports no failures. */
    const long long failed = bench_info_field(program, c, "tasks", "tasks_failed") - base_failed;
    if (failed != 0) bench_die(program, "%lld tasks failed", failed);
  }
  redisFree(c);
  const double seconds = (double)(end - start) / 1e9;
  printf("e2e %s: %llu tasks of %zu bytes, pipeline %d%s: %.0f tasks/s (%.3f s)\n",
         o.consumer_exe ? "redis" : "tasq", o.tasks, o.size, o.pipeline,
         o.benchmark_clients > 0 ? " (redis-benchmark)" : "", (double)o.tasks / seconds, seconds);
  return 0;
}
