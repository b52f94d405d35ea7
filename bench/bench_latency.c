/* bench_latency: enqueue-to-finish latency at a fixed offered rate.
 *
 *   bench_latency --port P --rate R --tasks N --record FILE [--size 64] [--timeout 30]
 *
 * Task i has a scheduled send time, start + i/R; the generator sleeps until it
 * and LPUSHes every task that is due, on one connection, reading the replies
 * as they come without waiting for them. Each payload carries its sequence
 * number, its scheduled send time and its actual send time (CLOCK_MONOTONIC,
 * one clock for all processes). Whatever ends the task -- tasq's finish hook
 * through latency_plugin, or a brpop_consumer -- appends "PAYLOAD FINISH_NS"
 * to FILE, which this program reads back (from where the file ended when it
 * started) once all N tasks have a line.
 *
 * Latency is measured from the scheduled send time, not the actual one: when
 * the generator falls behind (a late wake-up, a full socket), the tasks it
 * could not send on time are charged for the wait, as a real client's would
 * be. Measuring from the actual send would hide exactly the stalls that
 * matter (coordinated omission). Both are printed.
 *
 * When the finisher also stamped the time a worker started the task
 * (latency_plugin writes "PAYLOAD|START_NS" as the result), a second line
 * says where the time went: the generator's lateness (scheduled -> sent),
 * sent -> started in a worker (the master reading and publishing the push,
 * waking a worker), and started -> finished (the completion's way back to
 * the master's finish hook), as p50/p99/p99.9 of each, and the mean of each
 * part over the slowest 1% and 0.1% of tasks.
 *
 * Prints one line: "... p50 A us p99 B us p99.9 C us max D us ...". Exits 1
 * when a push is refused or not every task finishes within the timeout. */
/* POSIX and Linux calls (clock_nanosleep, O_CLOEXEC, usleep) under -std=c11 too. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "bench_util.h"

static const char program[] = "bench_latency";
static const char queue[] = "bench";

typedef struct options {
  int port;
  double rate;
  unsigned long long tasks;
  size_t size;
  int timeout_s;
  const char *record;
} options;

static options parse(int argc, char **argv) {
  options o = {0, 20000, 100000, 64, 30, NULL};
  for (int i = 1; i < argc; i += 2) {
    if (i + 1 >= argc) bench_die(program, "%s needs a value", argv[i]);
    const char *flag = argv[i], *value = argv[i + 1];
    if (strcmp(flag, "--port") == 0) {
      o.port = atoi(value);
    } else if (strcmp(flag, "--rate") == 0) {
      o.rate = strtod(value, NULL);
    } else if (strcmp(flag, "--tasks") == 0) {
      o.tasks = strtoull(value, NULL, 10);
    } else if (strcmp(flag, "--size") == 0) {
      o.size = strtoul(value, NULL, 10);
    } else if (strcmp(flag, "--timeout") == 0) {
      o.timeout_s = atoi(value);
    } else if (strcmp(flag, "--record") == 0) {
      o.record = value;
    } else {
      bench_die(program, "unknown option %s", flag);
    }
  }
  if (o.port <= 0 || o.rate <= 0 || o.tasks == 0 || o.record == NULL || o.size > 1024) {
    bench_die(program, "bad options (need --port, --record; --rate, --tasks > 0)");
  }
  return o;
}

/* Reads every reply that has arrived, without blocking unless `block`; all
 * must be ids. Returns how many were read. */
static unsigned long long drain_replies(redisContext *c, int block) {
  unsigned long long n = 0;
  struct pollfd p = {c->fd, POLLIN, 0};
  if (poll(&p, 1, block ? 1000 : 0) <= 0) return 0;
  if (redisBufferRead(c) != REDIS_OK) bench_die(program, "read failed: %s", c->errstr);
  for (;;) {
    redisReply *reply = NULL;
    if (redisGetReplyFromReader(c, (void **)&reply) != REDIS_OK) {
      bench_die(program, "bad reply: %s", c->errstr);
    }
    if (reply == NULL) return n;
    if (reply->type != REDIS_REPLY_INTEGER) {
      bench_die(program, "LPUSH refused: %s", reply->type == REDIS_REPLY_ERROR ? reply->str : "?");
    }
    freeReplyObject(reply);
    ++n;
  }
}

static void flush_commands(redisContext *c) {
  for (int done = 0; !done;) {
    if (redisBufferWrite(c, &done) != REDIS_OK) bench_die(program, "write failed: %s", c->errstr);
  }
}

typedef struct record_file {
  int fd;
  char *data;
  size_t used, capacity;
  unsigned long long lines;
} record_file;

/* Appends whatever the finishers have written since the last call. */
static void read_records(record_file *r) {
  for (;;) {
    if (r->capacity - r->used < 65536) {
      r->capacity = r->capacity * 2 + 65536;
      r->data = realloc(r->data, r->capacity);
      if (r->data == NULL) bench_die(program, "out of memory");
    }
    const ssize_t got = read(r->fd, r->data + r->used, r->capacity - r->used - 1);
    if (got <= 0) return;
    for (ssize_t i = 0; i < got; ++i) r->lines += r->data[r->used + (size_t)i] == '\n';
    r->used += (size_t)got;
  }
}

static int compare_u64(const void *a, const void *b) {
  const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* The q-quantile (0 < q <= 1) of sorted values, nearest rank. */
static double quantile_us(const uint64_t *sorted, size_t n, double q) {
  size_t rank = (size_t)(q * (double)n + 0.999999);
  if (rank < 1) rank = 1;
  if (rank > n) rank = n;
  return (double)sorted[rank - 1] / 1000.0;
}

/* One task's latency cut at the worker's start stamp (nanoseconds). */
typedef struct part {
  uint64_t total;      /* scheduled send -> finish */
  uint64_t late;       /* scheduled send -> actual send (the generator) */
  uint64_t to_start;   /* actual send -> started in a worker */
  uint64_t to_finish;  /* started -> finished in the master */
} part;

static int compare_total_desc(const void *a, const void *b) {
  const uint64_t x = ((const part *)a)->total, y = ((const part *)b)->total;
  return x > y ? -1 : x < y;
}

enum part_field { field_late, field_to_start, field_to_finish };

static uint64_t part_value(const part *p, enum part_field field) {
  switch (field) {
    case field_late: return p->late;
    case field_to_start: return p->to_start;
    default: return p->to_finish;
  }
}

/* p50/p99/p99.9 of one part, in microseconds, as "A/B/C". */
static void print_quantiles(const char *name, const part *parts, size_t n, enum part_field field) {
  uint64_t *values = malloc(n * sizeof *values);
  if (values == NULL) bench_die(program, "out of memory");
  for (size_t i = 0; i < n; ++i) values[i] = part_value(&parts[i], field);
  qsort(values, n, sizeof *values, compare_u64);
  printf(" %s %.1f/%.1f/%.1f us;", name, quantile_us(values, n, 0.5), quantile_us(values, n, 0.99),
         quantile_us(values, n, 0.999));
  free(values);
}

/* Where the time went: each part's quantiles, then the mean of each part
 * over the slowest tasks, which says which part makes the tail. */
static void print_parts(part *parts, size_t n) {
  printf("breakdown (p50/p99/p99.9):");
  print_quantiles("generator late", parts, n, field_late);
  print_quantiles("sent->worker start", parts, n, field_to_start);
  print_quantiles("worker start->finish", parts, n, field_to_finish);
  qsort(parts, n, sizeof *parts, compare_total_desc);
  const double shares[] = {0.01, 0.001};
  for (size_t s = 0; s < 2; ++s) {
    size_t k = (size_t)((double)n * shares[s]);
    if (k == 0) k = 1;
    double late = 0, to_start = 0, to_finish = 0;
    for (size_t i = 0; i < k; ++i) {
      late += (double)parts[i].late;
      to_start += (double)parts[i].to_start;
      to_finish += (double)parts[i].to_finish;
    }
    printf(" slowest %g%% (%zu) mean: late %.1f + to start %.1f + to finish %.1f us;",
           shares[s] * 100, k, late / (double)k / 1000, to_start / (double)k / 1000,
           to_finish / (double)k / 1000);
  }
  printf("\n");
}

int main(int argc, char **argv) {
  const options o = parse(argc, argv);
  /* Wake up when asked, not up to the default 50 us later. */
  prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
  record_file records = {open(o.record, O_RDONLY | O_CREAT | O_CLOEXEC, 0644), NULL, 0, 0, 0};
  if (records.fd < 0) bench_die(program, "open(%s) failed", o.record);
  /* One server may serve several runs with one record file: read only what
   * this run adds. */
  lseek(records.fd, 0, SEEK_END);
  redisContext *c = bench_connect(program, o.port);

  const double period_ns = 1e9 / o.rate;
  const uint64_t start = bench_now_ns() + 10000000u;
  char payload[1100];
  unsigned long long sent = 0, replied = 0;
  while (sent < o.tasks) {
    const uint64_t due = start + (uint64_t)((double)sent * period_ns);
    uint64_t now = bench_now_ns();
    if (now < due) {
      bench_sleep_until_ns(due);
      now = bench_now_ns();
    }
    /* Everything due by now goes in one write. */
    for (; sent < o.tasks; ++sent) {
      const uint64_t intended = start + (uint64_t)((double)sent * period_ns);
      if (intended > now) break;
      const size_t len = bench_stamp_payload(payload, sizeof payload, o.size, sent, intended, now);
      redisAppendCommand(c, "LPUSH %s %b", queue, payload, len);
    }
    flush_commands(c);
    replied += drain_replies(c, 0);
  }
  const uint64_t send_end = bench_now_ns();
  const uint64_t deadline = send_end + (uint64_t)o.timeout_s * 1000000000u;
  while (replied < o.tasks) {
    if (bench_now_ns() > deadline) bench_die(program, "%llu of %llu replies", replied, o.tasks);
    replied += drain_replies(c, 1);
  }
  while (read_records(&records), records.lines < o.tasks) {
    if (bench_now_ns() > deadline) {
      bench_die(program, "%llu of %llu tasks finished at the timeout", records.lines, o.tasks);
    }
    usleep(2000);
  }
  redisFree(c);

  /* Parse "SEQ,INTENDED,SENT,xxx[|START] FINISH" lines; a task recorded
   * twice (a retry) counts once, at its first finish. */
  uint64_t *from_intended = calloc(o.tasks, sizeof *from_intended);
  uint64_t *from_sent = calloc(o.tasks, sizeof *from_sent);
  unsigned char *seen = calloc(o.tasks, 1);
  part *parts = calloc(o.tasks, sizeof *parts);
  if (from_intended == NULL || from_sent == NULL || seen == NULL || parts == NULL) {
    bench_die(program, "out of memory");
  }
  records.data[records.used] = '\0';
  size_t n = 0, stamped = 0;
  for (char *line = records.data; *line != '\0';) {
    char *eol = strchr(line, '\n');
    if (eol == NULL) break;
    *eol = '\0';
    unsigned long long seq = 0, intended = 0, sent_at = 0, finish = 0, started = 0;
    const char *space = strrchr(line, ' ');
    if (space == NULL || sscanf(line, "%llu,%llu,%llu,", &seq, &intended, &sent_at) != 3 ||
        sscanf(space + 1, "%llu", &finish) != 1 || seq >= o.tasks) {
      bench_die(program, "bad record line: %s", line);
    }
    const char *bar = memchr(line, '|', (size_t)(space - line));
    if (bar != NULL && sscanf(bar + 1, "%llu", &started) != 1) started = 0;
    if (!seen[seq]) {
      seen[seq] = 1;
      from_intended[n] = finish > intended ? finish - intended : 0;
      from_sent[n] = finish > sent_at ? finish - sent_at : 0;
      if (started != 0) {
        parts[stamped].total = from_intended[n];
        parts[stamped].late = sent_at > intended ? sent_at - intended : 0;
        parts[stamped].to_start = started > sent_at ? started - sent_at : 0;
        parts[stamped].to_finish = finish > started ? finish - started : 0;
        ++stamped;
      }
      ++n;
    }
    line = eol + 1;
  }
  if (n != o.tasks) bench_die(program, "%zu distinct tasks of %llu recorded", n, o.tasks);
  qsort(from_intended, n, sizeof *from_intended, compare_u64);
  qsort(from_sent, n, sizeof *from_sent, compare_u64);
  const double achieved = (double)o.tasks / ((double)(send_end - start) / 1e9);
  printf("latency: %llu tasks at %.0f/s (sent at %.0f/s), from scheduled send: p50 %.1f us p99 %.1f "
         "us p99.9 %.1f us max %.1f us; from actual send: p50 %.1f us p99 %.1f us\n",
         o.tasks, o.rate, achieved, quantile_us(from_intended, n, 0.5),
         quantile_us(from_intended, n, 0.99), quantile_us(from_intended, n, 0.999),
         quantile_us(from_intended, n, 1.0), quantile_us(from_sent, n, 0.5),
         quantile_us(from_sent, n, 0.99));
  if (stamped == n) print_parts(parts, n);
  free(parts);
  free(from_intended);
  free(from_sent);
  free(seen);
  free(records.data);
  return 0;
}
