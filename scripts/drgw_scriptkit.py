"""Small helpers shared by the SDK interop checks and the benchmark (standard library only).

Every process these scripts start listens on or talks to 127.0.0.1 only.
"""

import queue
import re
import socket
import subprocess
import sys
import threading
import time
import traceback


def free_port():
    """A free TCP port on 127.0.0.1 (bound, read, released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_simulator(drgw, provider, access_key, secret_key, *extra, port=None, deadline=60.0, echo_prefix="     | "):
    """Starts `drgw simulate <provider>` on 127.0.0.1 (a free port unless given) with `--job-seconds 1`
    and `extra` flags; returns the process and the port once it prints its listening line."""
    process = subprocess.Popen(
        [drgw, "simulate", provider, "--port", str(port or free_port()), "--access-key", access_key,
         "--secret-key", secret_key, "--job-seconds", "1", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True)
    try:
        match = wait_for_line(process, r"listening on http://127\.0\.0\.1:(\d+)", deadline=deadline, echo_prefix=echo_prefix)
    except RuntimeError:
        process.kill()
        raise
    return process, int(match.group(1))


def stop_process(process, timeout=10):
    """SIGTERM, then SIGKILL after `timeout` seconds; nothing when it already ended (or is None)."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def poll(fn, until, seconds=30, interval=0.2):
    """Calls `fn` until `until(result)` holds; an AssertionError naming the last result after `seconds`."""
    deadline = time.time() + seconds
    last = None
    while time.time() < deadline:
        last = fn()
        if until(last):
            return last
        time.sleep(interval)
    raise AssertionError(f"condition not reached in {seconds} s (last: {last})")


def wait_for_line(process, pattern, deadline=60.0, echo_prefix=None):
    """Reads `process.stdout` (text) until a line matches the regex `pattern`; returns the match.

    The pipe keeps being drained in the background afterwards, so the process never blocks on a
    full pipe. Raises RuntimeError with the last lines seen when the process ends or `deadline`
    seconds pass first.
    """
    lines = queue.Queue()

    def pump():
        for line in process.stdout:
            lines.put(line)
            if echo_prefix is not None:
                sys.stdout.write(echo_prefix + line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    regex = re.compile(pattern)
    end = time.monotonic() + deadline
    seen = []
    while time.monotonic() < end:
        try:
            line = lines.get(timeout=max(0.1, end - time.monotonic()))
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line.rstrip())
        match = regex.search(line)
        if match:
            return match
    raise RuntimeError(f"no line matching {pattern!r} (exit status {process.poll()}); last output: "
                       + " | ".join(seen[-10:]))


class Results:
    """Counts named checks; a failing check is reported and the next one runs."""

    def __init__(self, verbose_env=None):
        self.passed = 0
        self.failed = 0
        self.verbose = verbose_env

    def check(self, name, fn, *args):
        try:
            value = fn(*args)
        except Exception as error:  # noqa: BLE001 - every failure is reported, then counted
            self.failed += 1
            print(f"FAIL {name}: {type(error).__name__}: {error}")
            if self.verbose:
                traceback.print_exc(limit=5)
            return None
        self.passed += 1
        print(f"ok   {name}")
        return value


def expect(condition, message):
    if not condition:
        raise AssertionError(message)
