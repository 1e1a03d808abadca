"""Durability: writers run as real OS processes on the test's own database and index,
started through `tests/durability/writer.py`; each one is killed at the end of its test if still alive.
Also the bulk-load lines the crash tests import."""
import json
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from stdnum.cn import uscc

from tests.factories import make_id_number

ROOT = Path(__file__).resolve().parents[2]


class Writers:
    """Start writer processes for one app's database and index; read their reports line by line."""

    def __init__(self, app):
        self.config = {key: app.config[key] for key in
                       ("SQLALCHEMY_DATABASE_URI", "SEARCH_INDEX_DIR", "SEARCH_BACKEND", "SEARCH_LOCK_TIMEOUT", "TODAY")}
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

    def runner(self, **config) -> "WriterRunner":
        """Runs each command in a fresh writer process (see writer.py), on this database or `config`'s."""
        return WriterRunner(self, config)

    def stop_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
            process.communicate()


class WriterRunner:
    """One new writer process per command, SIGKILLed a delay after it says a word, or left to finish.

    A plain child per command (not a fork server): the kernel's end of file on its output tells when it is
    gone, so a reader can never wait on a process that is no longer there."""

    def __init__(self, writers: Writers, config: dict):
        self.writers, self.config = writers, config

    def run(self, command: str, kill_after: float | None = None, heard_first: str = "start",
            ) -> tuple[list[str], dict[str, float]]:
        """Run `command`, killed `kill_after` seconds after it said `heard_first` (if it does; else left to
        finish). The words it said (first word of each line), and when each was first heard, in seconds from
        its "start" (the kill's moment as "killed")."""
        process = self.writers.start("run", *command.split(), **self.config)
        words: list[str] = []
        heard: dict[str, float] = {}
        started = None

        def hear(line: str) -> None:
            nonlocal started
            said = line.split()
            if said:
                words.append(said[0])
                started = started or time.monotonic()
                heard.setdefault(said[0], time.monotonic() - started)

        for line in process.stdout:
            hear(line)
            if kill_after is not None and words[-1:] == [heard_first]:
                time.sleep(kill_after)
                process.kill()  # it may have finished already: Popen reaps it, so the pid is never reused
                heard["killed"] = time.monotonic() - started
                break
        rest, errors = process.communicate(timeout=120)
        for line in rest.splitlines():
            hear(line)
        assert "failed" not in words, errors[-3000:]
        if kill_after is None:
            assert "done" in words and process.returncode == 0, f"the writer failed: {errors[-3000:]}"
        return words, heard


@pytest.fixture
def writers(app):
    """Writer processes on this test's database; any still running at the end is killed."""
    started = Writers(app)
    yield started
    started.stop_all()


def firm_code(n: int) -> str:
    """The n-th credit code of the bulk loads."""
    body = f"9137020066{n:07d}"
    return body + uscc.calc_check_digit(body)


def id_number(n: int) -> str:
    """The n-th ID number of the bulk loads."""
    birth = date(1990, 1, 1) + timedelta(days=n // 1000)
    return make_id_number("370202", birth.strftime("%Y%m%d"), n % 1000)


SIGNED = {"signed_at": "2025-01-06T09:30:00+08:00", "signer": "张三"}


def bulk_lines(first: int, firms: int, name: str = "批量导入修复公司") -> list[dict]:
    """A regulator's bulk load: firms `first`.. with two signed staff and three projects each, each project
    naming its manager."""
    lines = []
    for n in range(first, first + firms):
        code = firm_code(n)
        lines.append({"kind": "unit", "uscc": code, "name": f"{name}{n}号", "division_code": "370202",
                      "categories": ["remediation_construction"], "commitment": SIGNED})
        lines += [{"kind": "person", "id_number": id_number(2 * n + k), "name": f"导入人员{n}-{k}",
                   "unit_uscc": code, "commitment": SIGNED} for k in range(2)]
        lines += [{"kind": "project", "ref": f"IMP-{n}-{k}", "unit_uscc": code, "category": "remediation_construction",
                   "name": f"导入地块修复工程{n}-{k}", "parcel_name": f"原焦化厂{n}号地块", "division_code": "370211",
                   "area_m2": 1000 + k, "people": [{"id_number": id_number(2 * n), "role": "responsible_manager"}]}
                  for k in range(3)]
    return lines


def write_lines(path: Path, lines: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines), encoding="utf-8")
    return path
