/* bench_wait: the push-and-wait round trip -- a producer that needs the
 * outcome of the task it pushed (Swoole's taskwait), timed from before the
 * push until the outcome is in the producer's hands.
 *
 *   bench_wait --port P [--clients C] [--requests N] [--size BYTES] [--redis]
 *              [--timeout S]
 *
 * tasq:  LPUSH bench PAYLOAD -> :ID, then XREAD BLOCK on tasq:result:ID.
 * redis: the classic RPC over Redis -- LPUSH bench_jobs "REPLYKEY PAYLOAD",
 *        then BRPOP REPLYKEY, which a worker (bench/rpc_worker) fills.
 * C client threads, each on its own connection, run N/C round trips one
 * after the other. Prints one line:
 *   clients C: N round trips in S s: R round trips/s, p50 A us, p99 B us
 * and exits 1 when a round trip fails or times out. */
#define _GNU_SOURCE
#include <pthread.h>

#include "bench_util.h"

static const char program[] = "bench_wait";

struct options {
  int port;
  int clients;
  long requests;
  size_t size;
  int redis;
  int timeout_s;
};

struct client {
  const struct options *opt;
  int index;
  long count;
  uint64_t *latencies; /* ns, one per round trip */
  char error[256];
};

static void *run_client(void *arg) {
  struct client *self = arg;
  const struct options *opt = self->opt;
  redisContext *c = bench_connect(program, opt->port);
  char *payload = malloc(opt->size + 64);
  char key[64];
  if (payload == NULL) bench_die(program, "out of memory");
  memset(payload, 'x', opt->size + 64);
  for (long i = 0; i < self->count; ++i) {
    const uint64_t start = bench_now_ns();
    redisReply *reply;
    if (!opt->redis) {
      reply = redisCommand(c, "LPUSH bench %b", payload, opt->size);
      if (reply == NULL || reply->type != REDIS_REPLY_INTEGER) {
        snprintf(self->error, sizeof self->error, "LPUSH: %s", reply ? reply->str : c->errstr);
        return NULL;
      }
      snprintf(key, sizeof key, "tasq:result:%lld", reply->integer);
      freeReplyObject(reply);
      reply = redisCommand(c, "XREAD BLOCK %d STREAMS %s 0", opt->timeout_s * 1000, key);
      if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements != 1) {
        snprintf(self->error, sizeof self->error, "XREAD %s: %s", key,
                 reply ? (reply->type == REDIS_REPLY_ERROR ? reply->str : "timed out") : c->errstr);
        return NULL;
      }
      freeReplyObject(reply);
    } else {
      /* The job names its reply list; the payload follows a space. */
      const int n = snprintf(key, sizeof key, "reply:%d:%ld", self->index, i);
      memcpy(payload, key, (size_t)n);
      payload[n] = ' ';
      reply = redisCommand(c, "LPUSH bench_jobs %b", payload, opt->size + (size_t)n + 1);
      if (reply == NULL || reply->type != REDIS_REPLY_INTEGER) {
        snprintf(self->error, sizeof self->error, "LPUSH: %s", reply ? reply->str : c->errstr);
        return NULL;
      }
      freeReplyObject(reply);
      reply = redisCommand(c, "BRPOP %s %d", key, opt->timeout_s);
      if (reply == NULL || reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
        snprintf(self->error, sizeof self->error, "BRPOP %s: %s", key,
                 reply ? (reply->type == REDIS_REPLY_ERROR ? reply->str : "timed out") : c->errstr);
        return NULL;
      }
      memset(payload, 'x', (size_t)n + 1);
      freeReplyObject(reply);
    }
    self->latencies[i] = bench_now_ns() - start;
  }
  free(payload);
  redisFree(c);
  return NULL;
}

static int by_value(const void *a, const void *b) {
  const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
  struct options opt = {
      .port = 0, .clients = 1, .requests = 10000, .size = 64, .redis = 0, .timeout_s = 10};
  for (int i = 1; i < argc; ++i) {
    const char *arg = argv[i];
    const char *value = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(arg, "--redis") == 0) {
      opt.redis = 1;
      continue;
    }
    if (value == NULL) bench_die(program, "%s needs a value", arg);
    if (strcmp(arg, "--port") == 0)
      opt.port = atoi(value);
    else if (strcmp(arg, "--clients") == 0)
      opt.clients = atoi(value);
    else if (strcmp(arg, "--requests") == 0)
      opt.requests = atol(value);
    else if (strcmp(arg, "--size") == 0)
      opt.size = (size_t)atol(value);
    else if (strcmp(arg, "--timeout") == 0)
      opt.timeout_s = atoi(value);
    else
      bench_die(program, "unknown option %s", arg);
    ++i;
  }
  if (opt.port <= 0 || opt.clients <= 0 || opt.requests < opt.clients || opt.timeout_s <= 0) {
    bench_die(program, "usage: --port P [--clients C] [--requests N>=C] [--size B] [--redis]");
  }
  struct client *clients = calloc((size_t)opt.clients, sizeof *clients);
  pthread_t *threads = calloc((size_t)opt.clients, sizeof *threads);
  uint64_t *all = calloc((size_t)opt.requests, sizeof *all);
  if (clients == NULL || threads == NULL || all == NULL) bench_die(program, "out of memory");
  const long each = opt.requests / opt.clients;
  const uint64_t start = bench_now_ns();
  for (int i = 0; i < opt.clients; ++i) {
    clients[i] = (struct client){
        .opt = &opt, .index = i, .count = each, .latencies = all + (size_t)i * (size_t)each};
    if (pthread_create(&threads[i], NULL, run_client, &clients[i]) != 0) {
      bench_die(program, "pthread_create failed");
    }
  }
  for (int i = 0; i < opt.clients; ++i) pthread_join(threads[i], NULL);
  const double seconds = (double)(bench_now_ns() - start) / 1e9;
  for (int i = 0; i < opt.clients; ++i) {
    if (clients[i].error[0] != '\0') bench_die(program, "client %d: %s", i, clients[i].error);
  }
  const size_t n = (size_t)each * (size_t)opt.clients;
  qsort(all, n, sizeof *all, by_value);
  printf("clients %d: %zu round trips in %.2f s: %.0f round trips/s, p50 %.0f us, p99 %.0f us\n",
         opt.clients, n, seconds, (double)n / seconds, (double)all[n / 2] / 1e3,
         (double)all[n * 99 / 100] / 1e3);
  free(all);
  free(threads);
  free(clients);
  return 0;
}
