#!/usr/bin/python3
"""The redis-server side of the pipe: benchmark in Python: a loop of BRPOP
with redis-py and the same handler body (the payload is the result). The
payload STOP ends it: it prints the number of tasks it ran and exits 0; 30 s
without a task ends it with 1.

    brpop_consumer.py PORT QUEUE
"""
import sys

import redis


def handle(payload):
    return payload


client = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]))
tasks = idle = 0
while True:
    popped = client.brpop([sys.argv[2]], timeout=1)
    if popped is None:
        idle += 1
        if idle >= 30:
            sys.exit(1)
        continue
    idle = 0
    if popped[1] == b"STOP":
        break
    handle(popped[1])
    tasks += 1
sys.stdout.write("%d\n" % tasks)  # one write: the consumers share one pipe
