"""A tasq pipe: worker in Python: upper-cases each payload.

    tasqd --handler "pipe:python3 /usr/local/share/tasq/python/examples/worker.py"
    redis-cli -p 6380 LPUSH emails hello      # its result is HELLO

What comes before run() is done once per co-process: put your imports and
your framework's set-up there, not in the handler.
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import tasq_worker  # noqa: E402  (the library sits one directory up)

started = time.time()  # stands for a set-up: runs once, not once per task


def handle(task):
    if not task.payload:
        # Any exception fails this attempt; tasqd retries it (task_retry).
        raise ValueError("task %d: nothing to upper-case" % task.id)
    return task.payload.upper()


tasq_worker.run(handle)
