#!/usr/bin/env python3
"""Drives redis-cli's interactive prompt through a pseudo-terminal.

    redis_cli_interactive.py PORT COMMAND EXPECTED [COMMAND EXPECTED ...]

Types each command at the prompt and waits until the terminal shows the
text expected of its reply; prints everything the terminal showed. Exits
non-zero if an expected text never came.
"""
import os
import pty
import select
import sys
import time


def read_until(fd, marker, timeout):
    data = b""
    deadline = time.monotonic() + timeout
    while marker not in data:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(data.decode(errors="replace"))
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            # linenoise asks the terminal where the cursor is; answer as one would.
            for _ in range(chunk.count(b"\x1b[6n")):
                os.write(fd, b"\x1b[1;1R")
            data += chunk
    return data


def main(argv):
    port, pairs = argv[1], argv[2:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp("redis-cli", ["redis-cli", "-p", port])
    prompt = ("127.0.0.1:%s> " % port).encode()
    shown = b""
    try:
        shown += read_until(fd, prompt, 10)
        for command, expected in zip(pairs[0::2], pairs[1::2]):
            os.write(fd, command.encode() + b"\r")
            shown += read_until(fd, expected.encode(), 10)
            # Type the next command only at the next prompt.
            shown += read_until(fd, prompt, 10)
        os.write(fd, b"quit\r")
        time.sleep(0.2)
    except TimeoutError as e:
        print(shown.decode(errors="replace") + str(e))
        return 1
    finally:
        os.waitpid(pid, 0)
    print(shown.decode(errors="replace"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
