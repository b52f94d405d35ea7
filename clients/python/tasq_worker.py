"""Handlers for tasq in Python: a worker for tasqd's ``pipe:`` handler.

tasqd starts your script once per task worker (``handler pipe:python3
worker.py``) and sends it tasks one at a time over the worker protocol
(version 1): frames in on fd 3, answers out on fd 4. Everything before
``run()`` -- imports, a framework's bootstrap, a database connection -- is
done once per co-process, not once per task::

    import tasq_worker

    def handle(task):
        return task.payload.upper()   # the result; raise to fail this attempt

    tasq_worker.run(handle)

The handler gets a ``Task`` (``id``, ``queue``, ``payload`` as bytes,
``attempt``, and ``text``, the payload decoded as UTF-8) and returns the
result as ``bytes`` or ``str`` (``None`` is an empty result). An exception
fails the attempt with its class and message; tasqd retries it up to
``task_retry`` times. Running out of memory (``MemoryError``), like a fatal
error in PHP, ends the co-process: tasqd logs the traceback, fails the
attempt, retries it and starts a fresh co-process. stdout and stderr go to tasqd's log, line by line:
``print`` is safe. Standard library only; docs/worker-protocol.md in tasq's
sources describes the frames, for writing a library in another language.
"""

import os
import struct
import sys
import traceback

__all__ = ["Task", "run", "ProtocolError", "PROTOCOL_VERSION"]

PROTOCOL_VERSION = 1

_HEADER = struct.Struct(">2sBBQIII")  # magic, version, type, id, attempt, len1, len2
_TASK, _DONE, _FAIL, _READY, _STOP = 1, 2, 3, 4, 5
_TASKS_FD, _REPLIES_FD = 3, 4
_READ_BYTES = 65536


class ProtocolError(Exception):
    """tasqd sent something this library does not understand."""


class Task:
    """One task: its id, queue, payload (bytes) and attempt (1 for the first)."""

    __slots__ = ("id", "queue", "payload", "attempt")

    def __init__(self, id, queue, payload, attempt):
        self.id = id
        self.queue = queue
        self.payload = payload
        self.attempt = attempt

    @property
    def text(self):
        """The payload as text (UTF-8; undecodable bytes are replaced)."""
        return self.payload.decode("utf-8", "replace")

    def __repr__(self):
        return "Task(id=%d, queue=%r, attempt=%d, payload=%d bytes)" % (
            self.id, self.queue, self.attempt, len(self.payload))


def _frame(kind, task_id, part1, part2):
    return _HEADER.pack(b"TQ", PROTOCOL_VERSION, kind, task_id, 0, len(part1), len(part2))


def _write_all(fd, data):
    """Writes the frame whole: one system call unless the pipe is full."""
    written = os.write(fd, data)
    if written < len(data):
        view = memoryview(data)
        while written < len(data):
            written += os.write(fd, view[written:])


def _as_result(value):
    if value is None:
        return b""
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError("the handler returned %s; return bytes, str or None" % type(value).__name__)


def _error_class(error):
    kind = type(error)
    if kind.__module__ in ("builtins", "__main__"):
        return kind.__qualname__
    return "%s.%s" % (kind.__module__, kind.__qualname__)


def _where(error):
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return ""
    last = frames[-1]
    return " at %s:%d" % (last.filename, last.lineno)


class _Reader:
    """Whole frames out of fd 3, however the bytes arrive."""

    def __init__(self, fd):
        self._fd = fd
        self._buffer = bytearray()

    def _fill(self, wanted):
        while len(self._buffer) < wanted:
            chunk = os.read(self._fd, max(_READ_BYTES, wanted - len(self._buffer)))
            if not chunk:
                if self._buffer:
                    raise ProtocolError("EOF inside a frame from tasqd")
                return False
            self._buffer += chunk
        return True

    def next(self):
        """(type, id, attempt, part1, part2), or None at EOF between frames."""
        if not self._fill(_HEADER.size):
            return None
        magic, version, kind, task_id, attempt, len1, len2 = _HEADER.unpack_from(self._buffer)
        if magic != b"TQ" or version != PROTOCOL_VERSION:
            raise ProtocolError("not a version %d frame from tasqd" % PROTOCOL_VERSION)
        end = _HEADER.size + len1 + len2
        self._fill(end)
        with memoryview(self._buffer) as view:  # one copy of each part, not two
            part1 = bytes(view[_HEADER.size:_HEADER.size + len1])
            part2 = bytes(view[_HEADER.size + len1:end])
        del self._buffer[:end]
        return kind, task_id, attempt, part1, part2


def run(handle, tasks_fd=_TASKS_FD, replies_fd=_REPLIES_FD):
    """Runs tasks through ``handle(task)`` until tasqd says STOP or goes away.

    Returns normally then (let the script end: exit code 0). Call it once,
    after the set-up that every task shares.
    """
    if os.environ.get("TASQ_PROTOCOL") != str(PROTOCOL_VERSION):
        sys.exit("tasq_worker: this script is a tasq pipe: worker; run it from tasqd, as in "
                 "`tasqd --handler 'pipe:python3 %s'` (TASQ_PROTOCOL is not %d)"
                 % (sys.argv[0] if sys.argv else "worker.py", PROTOCOL_VERSION))
    # Output goes to tasqd's log line by line; a pipe would otherwise hold it back.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(line_buffering=True)

    reader = _Reader(tasks_fd)
    _write_all(replies_fd, _frame(_READY, 0, b"", b""))
    while True:
        frame = reader.next()
        if frame is None:  # tasqd closed fd 3: the worker is gone
            return
        kind, task_id, attempt, queue, payload = frame
        if kind == _STOP:
            return
        if kind != _TASK:
            raise ProtocolError("unexpected frame type %d from tasqd" % kind)
        task = Task(task_id, queue.decode("utf-8", "surrogateescape"), payload, attempt)
        try:
            result = _as_result(handle(task))
        except MemoryError:
            raise  # as PHP's memory_limit: the co-process ends, tasqd retries elsewhere
        except Exception as error:  # noqa: BLE001 -- any error fails this attempt only
            name = _error_class(error).encode("utf-8", "replace")
            message = str(error).encode("utf-8", "replace")
            print("task %d failed: %s: %s%s" % (task_id, _error_class(error), error,
                                                _where(error)), file=sys.stderr)
            _write_all(replies_fd, _frame(_FAIL, task_id, name, message) + name + message)
            continue
        _write_all(replies_fd, _frame(_DONE, task_id, b"", result) + result)
