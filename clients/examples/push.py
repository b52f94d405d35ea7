#!/usr/bin/env python3
"""Push tasks to tasq from Python with redis-py.

    python3 push.py HOST PORT QUEUE PAYLOAD [PAYLOAD ...]

Prints each task id on its own line.
"""
import sys

import redis


def main(argv):
    if len(argv) < 5:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    host, port, queue, payloads = argv[1], int(argv[2]), argv[3], argv[4:]
    client = redis.Redis(host=host, port=port, socket_timeout=5)
    # A pipeline sends every push in one round trip; each reply is a task id.
    with client.pipeline(transaction=False) as pipe:
        for payload in payloads:
            pipe.lpush(queue, payload)
        for task_id in pipe.execute():
            print(task_id)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
