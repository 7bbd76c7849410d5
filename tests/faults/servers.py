"""Throwaway PostgreSQL and Redis servers for the fault tests: own data directory, own free port, stopped and
removed afterwards. The shared services on 5432 and 6379 are never touched."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import pytest
import redis


def missing_program(reason: str) -> NoReturn:
    """Skip where a server program is missing, but fail where the fault tests are required (``.ci/run`` sets
    ``NAP_FAULT_TESTS_REQUIRED``): a CI run must not pass with its fault tests silently skipped."""
    if os.environ.get("NAP_FAULT_TESTS_REQUIRED"):
        pytest.fail(f"{reason}, and NAP_FAULT_TESTS_REQUIRED is set", pytrace=False)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(condition: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = condition()
        except Exception:  # the service is not there yet
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class ThrowawayRedis:
    """``redis-server --port <free> --save ""``: nothing on disk, so a restart starts empty, as a lost broker."""

    def __init__(self) -> None:
        if shutil.which("redis-server") is None:
            missing_program("redis-server is not installed")
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ThrowawayRedis:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(lambda: redis.Redis(port=self.port).ping(), 10, "redis-server to answer")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if found:
        return found[-1]
    path = shutil.which(name)
    if path is None:
        raise FileNotFoundError(name)
    return path


class ThrowawayPostgres:
    """``initdb`` in a temporary directory and ``pg_ctl`` on a free port, as the postgres OS user when run as root
    (PostgreSQL refuses to run as root)."""

    def __init__(self) -> None:
        try:
            _pg_bin("initdb")
        except FileNotFoundError:
            missing_program("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
        # Directly under the system's temporary directory: the postgres user must be able to reach it.
        self.base = Path(tempfile.mkdtemp(prefix="nap-fault-pg-"))
        self.data = self.base / "data"
        self.socket_dir = self.base / "socket"
        self.port = free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *command: str) -> None:
        if self.as_root:
            argv = ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{part}'" for part in command)]
        else:
            argv = list(command)
        result = subprocess.run(argv, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{command[0]} failed: {result.stdout}\n{result.stderr}")

    def start(self) -> ThrowawayPostgres:
        self.socket_dir.mkdir()
        if self.as_root:
            for path in (self.base, self.socket_dir):
                shutil.chown(path, "postgres")
        self._run(_pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8")
        self._ctl("start")
        return self

    def _ctl(self, action: str) -> None:
        options = f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.base / "log")
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", log, "-w", "-m", "fast", action)

    def restart(self) -> None:
        self._ctl("restart")

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError):
            self._ctl("stop")
        shutil.rmtree(self.base, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"
