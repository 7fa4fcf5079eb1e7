"""Run an emulator so that it never outlives the test process that started it.

usage: supervise.py PARENT_PID -- COMMAND [ARGS...]

Starts COMMAND in its own process group and stops that group (TERM, then
KILL) as soon as PARENT_PID is gone, or when this supervisor is terminated.
Only the Python standard library is used.
"""

import os
import signal
import subprocess
import sys
import time


def main() -> int:
    if len(sys.argv) < 4 or sys.argv[2] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    parent = int(sys.argv[1])
    child = subprocess.Popen(sys.argv[3:], start_new_session=True)

    def stop(*_args):
        try:
            os.killpg(child.pid, signal.SIGTERM)
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        if child.poll() is not None:
            return child.returncode
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            stop()
        time.sleep(0.5)


if __name__ == "__main__":
    sys.exit(main())
