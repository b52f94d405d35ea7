"""pipe: benchmark handler: the Python library, returning each payload as its result."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../clients/python"))
import tasq_worker  # noqa: E402

tasq_worker.run(lambda task: task.payload)
