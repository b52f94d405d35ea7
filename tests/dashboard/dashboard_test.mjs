// The dashboard in a real browser: Debian's chromium, headless, driven by
// playwright-core, against a real tasqd with real workers.
//
//   node dashboard_test.mjs TASQD WORK_DIR SCREENSHOT_PNG
//
// Loads the page and checks what it shows against INFO (the figures, the
// queues, the workers, the journal, the dead letters with their error),
// takes a screenshot, pushes tasks and waits for the page's counters to
// move, then retries dead-lettered tasks from the page with the admin
// token (a wrong token first), with the admin port off: the page's retry is
// tasqd's own, and a retried task keeps its id. Exits non-zero at the first
// failure.

import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { chromium } from "playwright-core";

const [tasqd, work, screenshot] = process.argv.slice(2);
if (!tasqd || !work || !screenshot) {
  console.error("usage: node dashboard_test.mjs TASQD WORK_DIR SCREENSHOT_PNG");
  process.exit(2);
}
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const TOKEN = "dashboard-test-token";
const TIMEOUT_MS = 30000;

function fail(message) {
  throw new Error(message);
}
function check(condition, message) {
  if (!condition) fail(message);
}
const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

// Polls `probe` (async) until it returns a truthy value, or fails with `what`.
async function eventually(what, probe, timeout = TIMEOUT_MS) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) return last;
    await sleep(100);
  }
  fail("timed out waiting for " + what + (last === undefined ? "" : " (last: " + JSON.stringify(last) + ")"));
}

// ---- a small RESP2 client, enough for LPUSH and INFO
class Resp {
  constructor(port) {
    this.socket = net.connect(port, "127.0.0.1");
    this.buffer = Buffer.alloc(0);
    this.waiting = [];
    this.socket.on("data", data => {
      this.buffer = Buffer.concat([this.buffer, data]);
      this.drain();
    });
  }
  command(...args) {
    let out = "*" + args.length + "\r\n";
    for (const a of args) out += "$" + Buffer.byteLength(String(a)) + "\r\n" + a + "\r\n";
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.socket.write(out);
    });
  }
  // Parses one reply at `at`; returns [value, next] or null while incomplete.
  parse(at) {
    const end = this.buffer.indexOf("\r\n", at);
    if (end < 0) return null;
    const type = String.fromCharCode(this.buffer[at]);
    const line = this.buffer.toString("utf8", at + 1, end);
    if (type === "+" || type === ":") return [type === ":" ? Number(line) : line, end + 2];
    if (type === "-") return [new Error(line), end + 2];
    if (type === "$") {
      const n = Number(line);
      if (n < 0) return [null, end + 2];
      if (this.buffer.length < end + 2 + n + 2) return null;
      return [this.buffer.toString("utf8", end + 2, end + 2 + n), end + 4 + n];
    }
    if (type === "*") {
      const items = [];
      let next = end + 2;
      for (let i = 0; i < Number(line); i++) {
        const r = this.parse(next);
        if (!r) return null;
        items.push(r[0]);
        next = r[1];
      }
      return [items, next];
    }
    fail("RESP: unexpected reply type " + type);
  }
  drain() {
    while (this.waiting.length) {
      const r = this.parse(0);
      if (!r) return;
      this.buffer = this.buffer.subarray(r[1]);
      const { resolve, reject } = this.waiting.shift();
      r[0] instanceof Error ? reject(r[0]) : resolve(r[0]);
    }
  }
  async info() {
    const text = await this.command("INFO");
    const fields = {};
    for (const line of text.split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon > 0 && !line.startsWith("#")) fields[line.slice(0, colon)] = line.slice(colon + 1);
    }
    return fields;
  }
  close() {
    this.socket.end();
  }
}

// ---- tasqd
function startTasqd() {
  fs.mkdirSync(work, { recursive: true });
  const broken = path.join(work, "broken");
  fs.writeFileSync(broken, "");
  // Tasks whose payload starts with "fail" fail while WORK/broken exists;
  // with task_retry 1 they are dead-lettered at once.
  const handler = 'exec:read -r p; case "$p" in fail*) if [ -e ' + broken + ' ]; then ' +
      'echo "payment gateway refused card for $p" >&2; exit 3; fi;; esac; echo "done $p"';
  const args = ["--listen", "127.0.0.1:0", "--admin", "none", "--admin_token", TOKEN,
                "--metrics", "127.0.0.1:0", "--journal", path.join(work, "tasq.journal"),
                "--task_worker_num", "2", "--task_retry", "1", "--handler", handler];
  const child = spawn(tasqd, args, { cwd: work, stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr.on("data", d => { log += d; });
  const ports = {};
  return eventually("tasqd to start", async () => {
    if (child.exitCode !== null) fail("tasqd exited at start:\n" + log);
    const listen = /\] listening on 127\.0\.0\.1:(\d+)/.exec(log);
    const metrics = /metrics listening on 127\.0\.0\.1:(\d+)/.exec(log);
    if (!listen || !metrics || !log.includes("journal replayed")) return null;
    ports.resp = Number(listen[1]);
    ports.http = Number(metrics[1]);
    return { child, ports, broken, log: () => log };
  });
}

// ---- the page
const figure = (page, name) =>
  page.locator('[data-figure="' + name + '"]').textContent().then(t => t.replace(/,/g, ""));

async function figuresMatchInfo(page, resp) {
  const info = await resp.info();
  const shown = {};
  for (const name of ["tasks_enqueued", "tasks_completed", "tasks_failed", "tasks_retried", "tasks_dead",
                      "tasks_pending", "tasks_in_flight", "tasks_scheduled", "connected_clients",
                      "blocked_clients", "results_kept", "results_evicted"]) {
    shown[name] = await figure(page, name);
    if (shown[name] !== info[name]) return null;
  }
  const workers = await figure(page, "workers_alive");
  if (workers !== info.workers_alive + " / " + info.task_worker_num) return null;
  return { info, shown };
}

async function main() {
  const server = await startTasqd();
  const resp = new Resp(server.ports.resp);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    chromiumSandbox: false,
    args: ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],
  });
  try {
    // Tasks of three queues; billing's fail and are dead-lettered.
    for (let i = 0; i < 40; i++) await resp.command("LPUSH", "emails", "welcome-" + i);
    for (let i = 0; i < 25; i++) await resp.command("RPUSH", "reports", "daily-" + i);
    for (let i = 1; i <= 3; i++) await resp.command("LPUSH", "billing", "fail-invoice-" + i);
    await eventually("the tasks to end", async () => {
      const info = await resp.info();
      return info.tasks_completed === "65" && info.tasks_dead === "3";
    });

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors = [];
    page.on("pageerror", e => errors.push(String(e)));
    // The browser logs the 401 of a refused token as an error: expected once,
    // while a wrong token is tried.
    let expect401 = false;
    page.on("console", m => {
      if (m.type() !== "error") return;
      if (expect401 && /status of 401/.test(m.text())) expect401 = false;
      else errors.push(m.text());
    });
    // Anything but tasqd itself would be an external asset.
    page.on("request", r => {
      if (!r.url().startsWith("http://127.0.0.1:" + server.ports.http + "/")) errors.push("request to " + r.url());
    });
    await page.goto("http://127.0.0.1:" + server.ports.http + "/");

    // The figures agree with INFO.
    const agreed = await eventually("the page's figures to equal INFO's", () => figuresMatchInfo(page, resp));
    console.log("figures on the page = INFO:", JSON.stringify(agreed.shown));

    // Queues, workers, journal, dead letters.
    const queueCell = (queue, field) =>
      page.locator('tr[data-queue="' + queue + '"] td[data-field="' + field + '"]').textContent();
    check(await queueCell("emails", "completed") === "40", "emails: 40 completed");
    check(await queueCell("reports", "completed") === "25", "reports: 25 completed");
    check(await queueCell("billing", "dead") === "3", "billing: 3 dead");
    const info = agreed.info;
    const workerRows = await page.locator("#workers tbody tr[data-worker]").count();
    check(workerRows === Number(info.task_worker_num), "one row per worker");
    for (let w = 0; w < workerRows; w++) {
      const pid = /pid=(\d+)/.exec(info["worker" + w])[1];
      const shownPid = await page.locator('tr[data-worker="' + w + '"] td').nth(1).textContent();
      check(shownPid === pid, "worker " + w + " pid " + shownPid + " is INFO's " + pid);
    }
    check(await page.locator('[data-journal="fsync"]').textContent() === info.journal_fsync, "journal fsync");
    check(await page.locator('[data-journal="last write"]').textContent() === info.journal_last_write_status,
          "journal status");
    const deadRows = page.locator("#dead tbody tr[data-dead-id]");
    check(await deadRows.count() === 3, "three dead letters listed");
    const deadError = await deadRows.first().locator("td.error").textContent();
    check(/exit code 3/.test(deadError) || /payment gateway refused/.test(deadError),
          "a dead letter shows its error: " + deadError);

    // The charts have lines once a few seconds of history exist.
    await eventually("chart lines", async () => (await page.locator("#chart-throughput polyline").count()) > 0);
    await sleep(1500);
    await page.screenshot({ path: screenshot, fullPage: true });
    console.log("screenshot:", screenshot);

    // Counters move as tasks are pushed.
    for (let i = 0; i < 20; i++) await resp.command("LPUSH", "emails", "digest-" + i);
    await eventually("the page to show 85 completed", async () => (await figure(page, "tasks_completed")) === "85");
    await eventually("emails to show 60 completed", async () => (await queueCell("emails", "completed")) === "60");

    // The dead letters are tasq:dead's, newest first.
    const stream = await resp.command("XREVRANGE", "tasq:dead", "+", "-");
    const streamIds = stream.map(([, fields]) => fields[fields.indexOf("id") + 1]);
    const shownIds = await deadRows.evaluateAll(rows => rows.map(r => r.dataset.deadId));
    check(JSON.stringify(shownIds) === JSON.stringify(streamIds),
          "the page's dead letters " + shownIds + " are tasq:dead's " + streamIds);

    // Retry from the page: no token, a wrong token, then the right one.
    fs.unlinkSync(server.broken);
    const firstDead = await deadRows.first().getAttribute("data-dead-id");
    await page.locator('button[data-retry="' + firstDead + '"]').click();
    await eventually("a request for the token", async () => /needs the admin token/.test(await page.locator("#notice").textContent()));
    await page.fill("#token", "not-the-token");
    await page.click("#token-form button");
    expect401 = true;
    await page.locator('button[data-retry="' + firstDead + '"]').click();
    await eventually("the wrong token refused", async () => /refused/.test(await page.locator("#notice").textContent()));
    check((await resp.info()).tasks_completed === "85", "nothing ran on a wrong token");
    await page.fill("#token", TOKEN);
    await page.click("#token-form button");
    await page.locator('button[data-retry="' + firstDead + '"]').click();
    await eventually("the retry acknowledged", async () => /OK/.test(await page.locator("#notice").textContent()));
    await eventually("the retried task to complete", async () => (await resp.info()).tasks_completed === "86");
    // Under its own id: its result is now the new outcome.
    const result = await resp.command("XRANGE", "tasq:result:" + firstDead, "-", "+");
    check(result.length === 1 && result[0][1][1] === "completed",
          "task " + firstDead + " completed after the retry: " + JSON.stringify(result));
    await eventually("the page to show 86 completed", async () => (await figure(page, "tasks_completed")) === "86");
    await eventually("two dead letters left", async () => (await deadRows.count()) === 2);
    await page.click("#retry-all");
    await eventually("all retried tasks to complete", async () => (await resp.info()).tasks_completed === "88");
    await eventually("no dead letter left", async () => (await deadRows.count()) === 0);
    await eventually("the page's figures to equal INFO's at the end", () => figuresMatchInfo(page, resp));

    check(errors.length === 0, "the page had errors: " + errors.join("; "));
    console.log("dashboard test: 1 passed, 0 failed");
  } finally {
    await browser.close();
    resp.close();
    server.child.kill("SIGTERM");
  }
}

main().catch(e => {
  console.error("dashboard test: FAIL:", e.message);
  process.exit(1);
});
