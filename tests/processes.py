"""A ``coproduce`` command run as a real process, its log read line by line in a thread."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

COPRODUCE = [sys.executable, "-m", "bot"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def service_env(**settings: str) -> dict[str, str]:
    """This environment without any COPRODUCE_ setting of the developer's, plus ``settings``
    (``http_port="8080"`` becomes ``COPRODUCE_HTTP_PORT=8080``)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COPRODUCE_")}
    env["COPRODUCE_HTTP_PORT"] = str(free_port())
    env.update({f"COPRODUCE_{k.upper()}": v for k, v in settings.items()})
    return env


class Service:
    """A running ``coproduce <command>``: ``serve`` by default, or ``worker``, with any
    further arguments."""

    def __init__(self, env: dict[str, str], cwd: Path, command: str = "serve", *args: str) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self.process = subprocess.Popen(
            [*COPRODUCE, command, *args],
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for_line(self, text: str, timeout: float = 30.0) -> str:
        while True:
            try:
                line = self._queue.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no log line with {text!r}; got {self.lines}") from None
            if line is None:
                raise AssertionError(f"the service ended before {text!r}; got {self.lines}")
            self.lines.append(line)
            if text in line:
                return line

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 30) -> int:
        self.process.send_signal(signum)
        code = self.process.wait(timeout=timeout)
        self.read_rest()
        return code

    def kill(self) -> None:
        """SIGKILL: no clean-up at all, as in a power cut or an OOM kill."""
        self.process.kill()
        self.process.wait(timeout=30)
        self.read_rest()

    def read_rest(self) -> None:
        while (line := self._queue.get(timeout=5)) is not None:
            self.lines.append(line)

    @property
    def log(self) -> str:
        return "\n".join(self.lines)
