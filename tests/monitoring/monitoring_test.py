#!/usr/bin/env python3
"""The `metrics` listener against real tools, one check per run:

  monitoring_test.py CHECK SOURCE_DIR TASQD TASQCTL

  promtool    `promtool check metrics` accepts a real /metrics page (with
              queues, a dead task, the journal on) and it has every family
              the docs name
  prometheus  a real Prometheus server (temporary config and storage)
              scrapes tasqd; its HTTP API's tasq_tasks_completed_total
              equals INFO's tasks_completed
  agree       INFO, `tasqctl stats --json`, /metrics and /api/dashboard show
              the same figures
  grafana     every metric the Grafana dashboard queries is on /metrics;
              prometheus.yml passes `promtool check config`; the compose
              `monitoring` profile is valid

A missing tool skips (77) outside CI and fails in CI.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

SKIP = 77
TOKEN = "monitoring-test-token"


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def need(tool):
    if shutil.which(tool):
        return
    if os.environ.get("CI"):
        fail(tool + " is not installed")
    print("SKIP: " + tool + " is not installed", file=sys.stderr)
    sys.exit(SKIP)


def eventually(what, probe, timeout=60.0):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = probe()
        if last:
            return last
        time.sleep(0.2)
    fail("timed out waiting for " + what + " (last: " + repr(last) + ")")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Tasqd:
    """A real tasqd with the metrics listener, a journal and a handler
    that fails payloads starting with "fail" (dead at once: task_retry 1)."""

    def __init__(self, tasqd, work):
        self.log_path = os.path.join(work, "tasqd.log")
        handler = 'exec:read -r p; case "$p" in fail*) echo "no such account" >&2; exit 3;; esac; echo ok'
        args = [tasqd, "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--admin_token", TOKEN,
                "--metrics", "127.0.0.1:0", "--journal", os.path.join(work, "tasq.journal"),
                "--task_worker_num", "2", "--task_retry", "1", "--handler", handler]
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(args, cwd=work, stderr=self.log, stdout=subprocess.DEVNULL)

        def ready():
            if self.process.poll() is not None:
                fail("tasqd exited at start: " + open(self.log_path).read())
            text = open(self.log_path).read()
            listen = re.search(r"\] listening on 127\.0\.0\.1:(\d+)", text)
            admin = re.search(r"admin port listening on 127\.0\.0\.1:(\d+)", text)
            metrics = re.search(r"metrics listening on 127\.0\.0\.1:(\d+)", text)
            if not (listen and admin and metrics and "journal replayed" in text):
                return None
            return int(listen.group(1)), int(admin.group(1)), int(metrics.group(1))

        self.port, self.admin_port, self.metrics_port = eventually("tasqd to start", ready)
        import redis  # python3-redis, in tasq.sh's PACKAGES
        self.redis = redis.Redis(port=self.port, decode_responses=True)

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()

    def http(self, path):
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (self.metrics_port, path), timeout=10) as r:
            return r.read().decode()

    def info(self):
        return self.redis.info("all")

    def push_workload(self):
        for i in range(30):
            self.redis.lpush("emails", "welcome-%d" % i)
        for i in range(12):
            self.redis.rpush("reports", "daily-%d" % i)
        self.redis.lpush("billing", "fail-1", "fail-2")
        self.redis.zadd("reminders", {"later": time.time() + 3600})
        eventually("the tasks to end", lambda: self.info()["tasks_completed"] == 42
                   and self.info()["tasks_dead"] == 2)


def parse_metrics(text):
    """{(name, frozenset(labels)): value} of a Prometheus text page."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$', line)
        if not match:
            fail("not a sample line: " + line)
        labels = frozenset(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', match.group(3) or ""))
        samples[(match.group(1), labels)] = float(match.group(4))
    return samples


def check_promtool(src, tasqd_path, tasqctl, work):
    need("promtool")
    server = Tasqd(tasqd_path, work)
    try:
        server.push_workload()
        page = server.http("/metrics")
        result = subprocess.run(["promtool", "check", "metrics"], input=page, text=True,
                                capture_output=True)
        if result.returncode != 0 or result.stdout.strip() or result.stderr.strip():
            fail("promtool check metrics (exit %d): %s %s" % (result.returncode, result.stdout, result.stderr))
        names = {name for name, _ in parse_metrics(page)}
        wanted = ["tasq_tasks_completed_total", "tasq_tasks_enqueued_total", "tasq_tasks_dead_total",
                  "tasq_tasks_pending", "tasq_tasks_in_flight", "tasq_tasks_scheduled",
                  "tasq_task_wait_seconds_bucket", "tasq_task_run_seconds_count",
                  "tasq_queue_completed_total", "tasq_queue_waiting_tasks", "tasq_queue_wait_seconds_bucket",
                  "tasq_journal_size_bytes", "tasq_journal_last_write_ok", "tasq_workers_alive",
                  "tasq_results_kept", "tasq_results_evicted_total", "tasq_blocked_clients",
                  "tasq_dead_letters",
                  "process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
                  "process_start_time_seconds"]
        missing = [n for n in wanted if n not in names]
        if missing:
            fail("missing from /metrics: " + ", ".join(missing))
        print("promtool check metrics: clean; %d samples" % len(parse_metrics(page)))
    finally:
        server.stop()


def check_prometheus(src, tasqd_path, tasqctl, work):
    need("prometheus")
    server = Tasqd(tasqd_path, work)
    prometheus = None
    try:
        server.push_workload()
        config = os.path.join(work, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n"
                    "scrape_configs:\n  - job_name: tasq\n    scrape_interval: 1s\n"
                    "    static_configs:\n      - targets: ['127.0.0.1:%d']\n" % server.metrics_port)
        # Prometheus takes its address from the command line only: a free
        # port the kernel picked, tried again if another process took it.
        # Started means answering on /-/ready, not merely alive after a
        # second: on a loaded machine it can take longer to fail to bind.
        def ready_or_exited(port):
            if prometheus.poll() is not None:
                return "exited"
            try:
                with urllib.request.urlopen("http://127.0.0.1:%d/-/ready" % port, timeout=5) as r:
                    return "ready" if r.status == 200 else None
            except OSError:
                return None

        for _ in range(3):
            port = free_port()
            log = open(os.path.join(work, "prometheus.log"), "w")
            prometheus = subprocess.Popen(
                ["prometheus", "--config.file=" + config, "--storage.tsdb.path=" + os.path.join(work, "tsdb"),
                 "--web.listen-address=127.0.0.1:%d" % port, "--log.level=warn"],
                stdout=log, stderr=log, cwd=work)
            if eventually("prometheus to start", lambda: ready_or_exited(port), timeout=90) == "ready":
                break
        else:
            fail("prometheus did not start: " + open(os.path.join(work, "prometheus.log")).read())

        def query(expr):
            url = "http://127.0.0.1:%d/api/v1/query?%s" % (port, urllib.parse.urlencode({"query": expr}))
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    body = json.load(r)
            except OSError:
                return None
            result = body.get("data", {}).get("result", [])
            return float(result[0]["value"][1]) if result else None

        completed = server.info()["tasks_completed"]
        got = eventually("Prometheus to have scraped tasq_tasks_completed_total = %d" % completed,
                         lambda: query("tasq_tasks_completed_total") == completed and completed, timeout=90)
        # More tasks: the next scrapes follow.
        for i in range(8):
            server.redis.lpush("emails", "more-%d" % i)
        eventually("the new tasks to end", lambda: server.info()["tasks_completed"] == completed + 8)
        completed = server.info()["tasks_completed"]
        eventually("Prometheus to follow to %d" % completed,
                   lambda: query("tasq_tasks_completed_total") == completed, timeout=90)
        up = query('up{job="tasq"}')
        if up != 1:
            fail("up{job=tasq} is %r" % up)
        emails = query('tasq_queue_completed_total{queue="emails"}')
        if emails != 38:
            fail("Prometheus has tasq_queue_completed_total{queue=emails} = %r, not 38" % emails)
        print("Prometheus scraped tasq_tasks_completed_total = %d, as INFO says (was %r)" % (completed, got))
    finally:
        if prometheus and prometheus.poll() is None:
            prometheus.terminate()
            prometheus.wait(timeout=30)
        server.stop()


def check_agree(src, tasqd_path, tasqctl, work):
    server = Tasqd(tasqd_path, work)
    try:
        server.push_workload()
        # One client blocked in XREAD on a task that does not exist yet; it
        # ends with the connection when tasqd stops.
        import redis
        waiter = redis.Redis(port=server.port, decode_responses=True)

        def wait_forever():
            try:
                waiter.xread({"tasq:result:999999": 0}, block=120000)
            except redis.exceptions.RedisError:
                pass

        threading.Thread(target=wait_forever, daemon=True).start()
        eventually("a blocked client", lambda: server.info()["blocked_clients"] == 1)
        time.sleep(1.2)  # a history tick
        info = server.info()
        out = subprocess.run([tasqctl, "--admin", "127.0.0.1:%d" % server.admin_port, "--token", TOKEN,
                              "--json", "stats"], capture_output=True, text=True, timeout=30)
        if out.returncode != 0:
            fail("tasqctl stats: " + out.stderr)
        stats = json.loads(out.stdout)
        metrics = parse_metrics(server.http("/metrics"))
        dashboard = json.loads(server.http("/api/dashboard"))["stats"]
        problems = []

        def same(what, *values):
            if len(set(str(v) for v in values)) != 1:
                problems.append("%s: %s" % (what, " / ".join(str(v) for v in values)))

        def metric(name, **labels):
            return int(metrics[(name, frozenset(labels.items()))])

        for field in ["enqueued", "completed", "failed", "retried", "dead"]:
            same("tasks_" + field, info["tasks_" + field], stats["tasks"][field],
                 dashboard["tasks"][field], metric("tasq_tasks_%s_total" % field))
        for field in ["pending", "in_flight", "scheduled"]:
            same("tasks_" + field, info["tasks_" + field], stats["tasks"][field],
                 dashboard["tasks"][field], metric("tasq_tasks_" + field))
        for field, name in [("results_kept", "tasq_results_kept"), ("results_bytes", "tasq_results_bytes"),
                            ("results_evicted", "tasq_results_evicted_total"),
                            ("results_expired", "tasq_results_expired_total"),
                            ("finished_events", "tasq_finished_events"), ("dead_letters", "tasq_dead_letters"),
                            ("dead_letters_retried", "tasq_dead_letters_retried_total")]:
            same(field, info[field], stats["tasks"][field], dashboard["tasks"][field], metric(name))
        same("blocked_clients", info["blocked_clients"], stats["blocked_clients"], dashboard["blocked_clients"],
             metric("tasq_blocked_clients"), 1)
        same("results_kept", info["results_kept"], 44)
        same("dead_letters", info["dead_letters"], 2)
        same("workers_alive", info["workers_alive"], stats["workers_alive"], dashboard["workers_alive"],
             metric("tasq_workers_alive"))
        same("task_worker_num", info["task_worker_num"], stats["task_worker_num"],
             dashboard["task_worker_num"], metric("tasq_task_worker_num"))
        same("worker_restarts", info["worker_restarts"], stats["worker_restarts"],
             dashboard["worker_restarts"], metric("tasq_worker_restarts_total"))
        same("ring_size", info["ring_size"], stats["ring"]["size"], dashboard["ring"]["size"],
             metric("tasq_ring_size_bytes"))
        same("ring_used", info["ring_used"], stats["ring"]["used"], dashboard["ring"]["used"],
             metric("tasq_ring_used_bytes"))
        same("connected_clients", info["connected_clients"], stats["connected_clients"],
             dashboard["connected_clients"], metric("tasq_connected_clients"))
        same("journal_size", info["journal_size"], stats["journal"]["size"], dashboard["journal"]["size"],
             metric("tasq_journal_size_bytes"))
        same("journal_live_tasks", info["journal_live_tasks"], stats["journal"]["live_tasks"],
             dashboard["journal"]["live_tasks"], metric("tasq_journal_live_tasks"))
        same("journal_last_write_status", info["journal_last_write_status"],
             stats["journal"]["last_write_status"], dashboard["journal"]["last_write_status"])
        same("journal_fsync", info["journal_fsync"], stats["journal"]["fsync"], dashboard["journal"]["fsync"])
        same("task_run_p95_seconds", "%.6f" % info["task_run_p95_seconds"],
             "%.6f" % stats["latency"]["run_p95"], "%.6f" % dashboard["latency"]["run_p95"])
        # Workers, line by line.
        for w in stats["workers"]:
            line = info["worker%d" % w["id"]]
            same("worker%d" % w["id"], "%s,%s,%s,%s" % (line["pid"], line["state"], line["tasks"], line["restarts"]),
                 "%s,%s,%s,%s" % (w["pid"], w["state"], w["tasks"], w["restarts"]))
        # Queues: INFO's queueN lines, the JSON's list, the labelled series.
        info_queues = {}
        for key, value in info.items():
            if re.fullmatch(r"queue\d+", key):
                info_queues[value["name"]] = value
        for q in stats["queues"]:
            iq = info_queues.get(q["name"])
            if iq is None:
                problems.append("queue %s not in INFO" % q["name"])
                continue
            dq = next(d for d in dashboard["queues"] if d["name"] == q["name"])
            for field in ["waiting", "running", "scheduled"]:
                same("queue %s %s" % (q["name"], field), iq[field], q[field], dq[field],
                     metric("tasq_queue_%s_tasks" % field, queue=q["name"]))
            for field in ["enqueued", "completed", "failed", "dead"]:
                same("queue %s %s" % (q["name"], field), iq[field], q[field], dq[field],
                     metric("tasq_queue_%s_total" % field, queue=q["name"]))
        expected = {"emails": (30, 0), "reports": (12, 0), "billing": (0, 2)}
        for name, (completed, dead) in expected.items():
            q = next((q for q in stats["queues"] if q["name"] == name), None)
            if q is None or (q["completed"], q["dead"]) != (completed, dead):
                problems.append("queue %s: %r" % (name, q))
        # A queue gets its row once a task of it enters the ring; until then
        # its scheduled tasks are counted under (other).
        if next(q for q in stats["queues"] if q["name"] == "(other)")["scheduled"] != 1:
            problems.append("(other): one scheduled task")
        if problems:
            fail("INFO / tasqctl stats / dashboard / metrics disagree:\n  " + "\n  ".join(problems))
        print("INFO, tasqctl stats, /api/dashboard and /metrics agree on %d queues and every figure"
              % len(stats["queues"]))
    finally:
        server.stop()


def check_grafana(src, tasqd_path, tasqctl, work):
    need("promtool")
    need("docker-compose")
    server = Tasqd(tasqd_path, work)
    try:
        server.push_workload()
        names = {name for name, _ in parse_metrics(server.http("/metrics"))}
    finally:
        server.stop()
    dashboard = json.load(open(os.path.join(src, "deploy/grafana/tasq-dashboard.json")))
    used = set()
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            used |= set(re.findall(r"\b((?:tasq|process)_[a-z_]+)\b", target["expr"]))
    missing = sorted(n for n in used if n not in names)
    if missing:
        fail("the Grafana dashboard queries metrics tasqd does not export: " + ", ".join(missing))
    if not used:
        fail("no query found in the Grafana dashboard")
    # prometheus.yml, with its token file where this machine has one.
    token = os.path.join(work, "token")
    open(token, "w").write(TOKEN)
    config = open(os.path.join(src, "deploy/prometheus/prometheus.yml")).read()
    if "credentials_file: /prometheus/tasq-token" not in config:
        fail("prometheus.yml does not read the token from /prometheus/tasq-token")
    local = os.path.join(work, "prometheus.yml")
    open(local, "w").write(config.replace("/prometheus/tasq-token", token))
    result = subprocess.run(["promtool", "check", "config", local], capture_output=True, text=True)
    if result.returncode != 0:
        fail("promtool check config: " + result.stdout + result.stderr)
    env = dict(os.environ, TASQ_ADMIN_TOKEN="test-token")
    result = subprocess.run(["docker-compose", "-f", os.path.join(src, "docker-compose.yml"), "--profile",
                             "monitoring", "config"], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        fail("docker-compose --profile monitoring config: " + result.stderr)
    import yaml
    services = yaml.safe_load(result.stdout)["services"]
    for name in ("prometheus", "grafana"):
        if services.get(name, {}).get("profiles") != ["monitoring"]:
            fail("compose: %s is not in the monitoring profile" % name)
    if "--metrics" not in services["tasqd"]["command"]:
        fail("compose: tasqd does not open its metrics listener")
    print("Grafana dashboard: %d metrics, all exported; prometheus.yml and the monitoring profile are valid"
          % len(used))


def main():
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    check, src, tasqd_path, tasqctl = sys.argv[1:]
    checks = {"promtool": check_promtool, "prometheus": check_prometheus, "agree": check_agree,
              "grafana": check_grafana}
    work = tempfile.mkdtemp(prefix="tasq-monitoring-")
    try:
        checks[check](src, os.path.abspath(tasqd_path), os.path.abspath(tasqctl), work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
