"""A pipe: co-process for tests, speaking the worker protocol by hand (not
through the library, so that it can also break it on request).

    pipe_test_worker.py [--start MODE] [--evidence DIR] [--version V]
                        [--version-file FILE] [--starts FILE] [--mode-file FILE]

--start picks the start-up: ready (default), no-ready (never says READY),
exit (exits 3 at once, after a line on stderr), ready-exit (READY, then exit
0), garbage (text instead of READY), slow:S (READY after S seconds),
ignore-stop (READY; STOP is then ignored). --mode-file names a file whose
first word, read at each start, overrides --start. --starts appends one line
per start to FILE. --evidence writes DIR/<id>.<queue>.<attempt> holding
"VERSION PID RESULT" for every task answered with DONE, and DIR/.stop.PID
when STOP comes. VERSION is --version, or the first word of --version-file
as it was at the start, or VERSION below.

A task's payload says what to do: anything plain is echoed back upper-cased;
COMMAND:ARG does something else (see handle() below).
"""

import argparse
import os
import signal
import struct
import subprocess
import sys
import time

VERSION = "v1"  # the reload_watch test edits this line in a copy of this file
HEADER = struct.Struct(">2sBBQIII")
TASK, DONE, FAIL, READY, STOP = 1, 2, 3, 4, 5


def frame(kind, task_id=0, part1=b"", part2=b"", attempt=0, magic=b"TQ", version=1):
    return HEADER.pack(magic, version, kind, task_id, attempt, len(part1), len(part2)) + part1 + part2


def write(data):
    while data:
        data = data[os.write(4, data):]


def read_exactly(n):
    buf = b""
    while len(buf) < n:
        chunk = os.read(3, n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def hang():
    while True:
        time.sleep(1000)


def handle(task_id, queue, payload, attempt, options):
    """Returns the result of a DONE, or raises Failed for a FAIL; may also
    break the protocol or die, as asked."""
    command, _, arg = payload.partition(b":")
    if command == b"fail":
        raise Failed(b"TestError", arg)
    if command == b"exit":
        sys.stderr.write("dying with %s\n" % arg.decode())
        sys.stderr.flush()
        os._exit(int(arg))
    if command == b"kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if command == b"sleep":
        time.sleep(float(arg))
        return b"slept"
    if command == b"spawn-sleep":
        # A child in our process group that outlives us unless the group is killed.
        child = subprocess.Popen(["sleep", "1000"])
        with open(arg, "w") as out:
            out.write(str(child.pid))
        hang()
    if command == b"fds":
        # Every descriptor but the one listdir opened on the directory itself.
        own = "/proc/%d/fd" % os.getpid()
        fds = []
        for name in sorted(os.listdir(own), key=int):
            try:
                if os.readlink(os.path.join(own, name)) == own:
                    continue
            except OSError:
                continue  # closed meanwhile: the directory's own descriptor
            fds.append(name.encode())
        return b" ".join(fds)
    if command == b"env":
        return ("%s %s" % (os.environ.get("TASQ_WORKER_ID"), os.environ.get("TASQ_PROTOCOL"))).encode()
    if command == b"ids":
        return ("%d %d %d %d" % (os.getpid(), os.getpgid(0), os.getppid(), os.getuid())).encode()
    if command == b"print":
        print(arg.decode("utf-8", "replace"), flush=True)
        print("err " + arg.decode("utf-8", "replace"), file=sys.stderr, flush=True)
        return b"printed"
    if command == b"flood":
        for i in range(int(arg)):
            print("flood line %d" % i)
        sys.stdout.flush()
        return b"flooded"
    if command == b"long-line":
        sys.stdout.write("L" * int(arg) + "\n")
        sys.stdout.flush()
        return b"long"
    if command == b"big":
        return b"b" * int(arg)
    if command == b"answer-then-exit":
        write(frame(DONE, task_id, b"", b"LAST"))
        os._exit(0)
    if command == b"garbage":
        kind = arg
        if kind == b"magic":
            write(b"hello from a stray echo\n")
        elif kind == b"version":
            write(frame(DONE, task_id, b"", b"x", version=2))
        elif kind == b"type":
            write(frame(9, task_id))
        elif kind == b"task":
            write(frame(TASK, task_id, b"q", b"p"))
        elif kind == b"ready":
            write(frame(READY))
        elif kind == b"id":
            write(frame(DONE, task_id + 1000, b"", b"x"))
        elif kind == b"attempt":
            write(frame(DONE, task_id, b"", b"x", attempt=7))
        elif kind == b"long":
            write(HEADER.pack(b"TQ", 1, DONE, task_id, 0, 0, 0xFFFFFFFF))
        elif kind == b"eof":
            write(frame(DONE, task_id, b"", b"cut short")[:30])
            os._exit(0)
        elif kind == b"stall":
            write(frame(DONE, task_id, b"", b"never finished")[:24])
        hang()
    return payload.upper()


class Failed(Exception):
    def __init__(self, error_class, message):
        super().__init__(message)
        self.error_class = error_class
        self.message = message


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--start", default="ready")
    parser.add_argument("--evidence")
    parser.add_argument("--version", default=VERSION)
    parser.add_argument("--version-file")
    parser.add_argument("--starts")
    parser.add_argument("--mode-file")
    options = parser.parse_args()
    if options.version_file:
        with open(options.version_file) as f:
            options.version = f.read().split()[0]
    start = options.start
    if options.mode_file and os.path.exists(options.mode_file):
        with open(options.mode_file) as f:
            start = (f.read().split() or [start])[0]
    if options.starts:
        with open(options.starts, "a") as f:
            f.write("%d %s\n" % (os.getpid(), start))

    if start == "no-ready":
        hang()
    if start == "exit":
        sys.stderr.write("cannot start: configuration missing\n")
        sys.exit(3)
    if start == "garbage":
        write(b"Warning: something\n")
        hang()
    if start.startswith("slow:"):
        time.sleep(float(start[5:]))
    write(frame(READY))
    if start == "ready-exit":
        sys.exit(0)
    if start == "ignore-stop":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)

    while True:
        header = read_exactly(HEADER.size)
        if header is None:
            return  # EOF on fd 3: the worker is gone
        magic, version, kind, task_id, attempt, len1, len2 = HEADER.unpack(header)
        body = read_exactly(len1 + len2) if len1 + len2 else b""
        if kind == STOP:
            if options.evidence:
                with open(os.path.join(options.evidence, ".stop.%d" % os.getpid()), "w"):
                    pass
            if start == "ignore-stop":
                hang()
            return
        queue, payload = body[:len1], body[len1:]
        try:
            result = handle(task_id, queue, payload, attempt, options)
        except Failed as failed:
            write(frame(FAIL, task_id, failed.error_class, failed.message))
            continue
        if options.evidence:
            name = "%d.%s.%d" % (task_id, queue.decode(), attempt)
            tmp = os.path.join(options.evidence, "." + name)
            with open(tmp, "wb") as out:
                out.write(("%s %d " % (options.version, os.getpid())).encode() + result)
            os.rename(tmp, os.path.join(options.evidence, name))
        write(frame(DONE, task_id, b"", result))


main()
