"""The benchmarks' SMTP sink, in a process of its own.

A receiving server is another machine in production; in the benchmarks'
own process the sink would share the interpreter lock with the benchmark's
client, pages and polling, and measure their contention rather than the
platform. Accepted mail is counted and dropped (100,000 messages would
otherwise stay in memory).

    .venv/bin/python bench/sink.py PORT
"""

import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def start_sink(port: int) -> subprocess.Popen:
    """The sink process on `port`, accepting connections before this returns."""
    sink = subprocess.Popen([sys.executable, __file__, str(port)], cwd=BASE_DIR)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return sink
        except OSError:
            time.sleep(0.1)
    sink.kill()
    raise RuntimeError(f"The sink did not listen on port {port}.")


def stop_sink(sink: subprocess.Popen) -> None:
    sink.terminate()
    sink.wait(timeout=30)


def serve(port: int) -> None:
    sys.path.insert(0, str(BASE_DIR))
    from sending.mailsink import MailSink

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    with MailSink(port=port) as sink:
        while not stopping.wait(0.5):
            sink.clear()


if __name__ == "__main__":
    serve(int(sys.argv[1]))
