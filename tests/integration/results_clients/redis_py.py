"""Each stream command of tasq through redis-py, and the tasq_client helper.

    python3 redis_py.py PORT CLIENTS_DIR

Prints "ok" and exits 0, or fails with an AssertionError."""

import sys
import threading

import redis

port = int(sys.argv[1])
sys.path.insert(0, sys.argv[2])
import tasq_client  # noqa: E402

r = redis.Redis(port=port)

task_id = r.lpush("py", "hello")
reply = r.xread({"tasq:result:%d" % task_id: 0}, block=20000)
assert reply, reply
key, entries = reply[0]
assert key == b"tasq:result:%d" % task_id, key
entry_id, fields = entries[0]
assert fields[b"status"] == b"completed", fields
assert fields[b"result"] == b"hello", fields
assert fields[b"queue"] == b"py", fields
assert r.xrange(key) == entries
assert r.xrange(key, "-", "+", count=1) == entries
assert r.xrevrange(key) == entries
assert r.xlen(key) == 1
assert r.xread({"tasq:result:999999": "0"}, block=100) in ([], None), "a timeout is nil"
assert r.xread({"tasq:finished": "0"}, count=1)[0][1][0][1][b"id"] == b"%d" % task_id
assert r.xlen("tasq:dead") == 0
assert r.delete(key) == 1
assert r.xlen(key) == 0
try:
    r.xread({"tasq:finished": "not-an-id"})
    raise AssertionError("a bad id was accepted")
except redis.ResponseError as error:
    assert "Invalid stream ID" in str(error), error
try:
    r.execute_command("XREAD", "BLOCK", "-5", "STREAMS", "tasq:finished", "0")
    raise AssertionError("a negative timeout was accepted")
except redis.ResponseError as error:
    assert str(error) == "timeout is negative", error
assert r.ping()

# The helper: push, wait, wait_all (taskWaitMulti), on_finish.
tasq = tasq_client.Client(r)
ids = [tasq.push("py", "p%d" % i) for i in range(100)]
done = tasq.wait_all(ids, 30)
assert len(done) == 100, len(done)
assert done[ids[7]]["result"] == b"p7"
assert done[ids[7]]["status"] == "completed"
assert done[ids[7]]["attempts"] == 1
assert tasq.wait(ids[0], 1.0)["id"] == ids[0]
assert tasq.wait(987654321, 0.2) is None, "a wait that times out is None"

events = []
pusher = threading.Timer(0.3, lambda: redis.Redis(port=port).lpush("py", "late"))
pusher.start()
last = tasq.on_finish(lambda event: events.append(event) or False)
pusher.join()
assert events and events[0]["status"] == "completed" and events[0]["queue"] == "py", events
assert last == events[0]["entry_id"]
print("ok")
