"""exec: benchmark handler with the same body: the payload (stdin) is the result (stdout)."""
import sys

sys.stdout.buffer.write(sys.stdin.buffer.read())
