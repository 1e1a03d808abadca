"""Durability (issue 8, item 6): writers run as real OS processes on the test's own database and index,
started through `tests/durability/writer.py`; each one is killed at the end of its test if still alive."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRES = bool(os.environ.get("DATABASE_URL"))
sqlite_only = pytest.mark.skipif(
    ON_POSTGRES, reason="SQLite's own locking, journal and file are under test (PostgreSQL has neither)")


class Writers:
    """Start writer processes for one app's database and index; read their reports line by line."""

    def __init__(self, app):
        self.config = {key: app.config[key]
                       for key in ("SQLALCHEMY_DATABASE_URI", "SEARCH_INDEX_DIR", "SEARCH_BACKEND", "TODAY")}
        self.started: list[subprocess.Popen] = []

    def start(self, *args: str, **config) -> subprocess.Popen:
        """A writer running `args`; `config` overrides the app's settings (another database, say)."""
        environ = {**os.environ, "REGISTRY_TEST_CONFIG": json.dumps({**self.config, **config}),
                   "PYTHONWARNINGS": "error"}
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.durability.writer", *args], cwd=ROOT, env=environ, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, encoding="utf-8",
        )
        self.started.append(process)
        return process

    @staticmethod
    def wait_for(process: subprocess.Popen, word: str) -> None:
        """Read the writer's lines until it says `word` (fails if it ends first)."""
        for line in process.stdout:
            if line.split()[:1] == [word]:
                return
        raise AssertionError(f"the writer ended before {word!r}: {process.stderr.read()[-2000:]}")

    @staticmethod
    def kill(process: subprocess.Popen) -> list[str]:
        """SIGKILL the writer; the lines it had written before it died."""
        process.send_signal(signal.SIGKILL)
        out, _err = process.communicate()
        return out.split("\n")

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
            process.communicate()


@pytest.fixture
def writers(app):
    """Writer processes on this test's database; any still running at the end is killed."""
    started = Writers(app)
    yield started
    started.stop_all()
