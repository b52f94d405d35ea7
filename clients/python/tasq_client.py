"""tasq_client: push a task and get its outcome back, over redis-py.

Swoole's task(), taskwait(), taskWaitMulti() and onFinish for any Python
process that can reach tasqd:

    import tasq_client
    tasq = tasq_client.Client.connect("127.0.0.1", 6380)
    task_id = tasq.push("thumbnails", b'{"src": "a.png"}')
    entry = tasq.wait(task_id, 2.0)          # None on timeout
    if entry is not None and entry["status"] == "completed":
        print(entry["result"])

An entry is the task's result stream entry (tasq:result:<ID>) as a dict:
status ("completed" or "dead"), result (bytes), error (dead only), attempts,
queue, enqueued_ms, started_ms, ended_ms (ints), plus id (the task id) and
entry_id. tasqd keeps results for result_ttl seconds after the task ends, so
a wait that starts late still finds them.

Behind twemproxy a result lives on the tasqd that ran the task: give this
class a direct connection to that shard (see the README).

One file, redis-py and the standard library only.
"""

import time

import redis

__all__ = ["Client"]

# Longest single XREAD BLOCK of on_finish(), so that the loop can be interrupted.
_FINISH_BLOCK_MS = 5000
_NUMBERS = ("attempts", "enqueued_ms", "started_ms", "ended_ms")
_TEXTS = ("status", "queue", "error")


def _text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _streams(reply):
    """XREAD's reply as [(key, [(entry_id, fields), ...]), ...] in RESP2 and RESP3."""
    if not reply:
        return []
    if isinstance(reply, dict):
        return [(key, value[0] if value and isinstance(value[0], list) else value)
                for key, value in reply.items()]
    return reply


class Client:
    """The results side of tasq over a redis-py connection to one tasqd."""

    def __init__(self, connection):
        """`connection`: a redis.Redis to tasqd, with socket_timeout None or
        longer than the waits (redis-py gives up on a reply after it)."""
        self.redis = connection

    @classmethod
    def connect(cls, host="127.0.0.1", port=6380, password=None, **kwargs):
        return cls(redis.Redis(host=host, port=port, password=password, **kwargs))

    def push(self, queue, payload):
        """Enqueues one task; returns its id (raises redis.RedisError when refused)."""
        return int(self.redis.lpush(queue, payload))

    def wait(self, task_id, timeout):
        """Waits up to `timeout` seconds for the task to end (completed or
        dead); returns its entry, or None when it has not ended by then. A task
        that ended before the call is answered at once."""
        return self.wait_all([task_id], timeout).get(int(task_id))

    def wait_all(self, task_ids, timeout):
        """taskWaitMulti: waits up to `timeout` seconds in all; returns
        {id: entry} for the tasks that ended, the others missing."""
        pending = {"tasq:result:%d" % int(i): int(i) for i in task_ids}
        done = {}
        deadline = time.monotonic() + max(0.0, timeout)
        while pending:
            left_ms = int((deadline - time.monotonic()) * 1000 + 0.999)
            streams = {key: "0" for key in pending}
            # Past the deadline: one last look without waiting.
            reply = self.redis.xread(streams, block=left_ms if left_ms > 0 else None)
            for key, entries in _streams(reply):
                key = _text(key)
                for entry_id, fields in entries:
                    done[pending[key]] = self._entry(pending[key], entry_id, fields)
                pending.pop(key, None)
            if left_ms <= 0:
                break
        return done

    def on_finish(self, callback, after="$"):
        """onFinish: calls callback(event) for every task end from now on (or
        after stream id `after`); an event has id (the task id), queue,
        status, error (dead only) and entry_id. Returns when the callback
        returns False, with the last entry id seen (start there next time to
        miss nothing)."""
        last = after
        while True:
            reply = self.redis.xread({"tasq:finished": last}, block=_FINISH_BLOCK_MS)
            for _key, entries in _streams(reply):
                for entry_id, fields in entries:
                    last = _text(entry_id)
                    event = {_text(k): _text(v) for k, v in fields.items()}
                    event["id"] = int(event["id"])
                    event["entry_id"] = last
                    if callback(event) is False:
                        return last

    @staticmethod
    def _entry(task_id, entry_id, fields):
        entry = {}
        for key, value in fields.items():
            key = _text(key)
            if key in _NUMBERS:
                value = int(value)
            elif key in _TEXTS:
                value = _text(value)
            entry[key] = value
        entry["id"] = task_id
        entry["entry_id"] = _text(entry_id)
        return entry
