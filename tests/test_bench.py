"""The benchmark end to end at the tiny scale, once, on the suite's database: SQLite, or (DATABASE_URL set) a database
of its own on that PostgreSQL server (`bench/run.py --scale tiny --db sqlite|postgresql --runs 1`): it builds
its data, measures before and after its write, and prints the goals table with a row for every goal of the
national-scale issue, each met, missed, or saying why it was not measured. No timing is asserted: the machine's
load decides those."""
import os
import re
import subprocess
import sys

import pytest

from bench.run import GOALS
from registry import ROOT

pytestmark = pytest.mark.slow


def test_tiny_run_prints_every_goal_with_a_verdict(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    database = "postgresql" if env.get("DATABASE_URL") else "sqlite"
    run = subprocess.run([sys.executable, "bench/run.py", "--scale", "tiny", "--db", database, "--runs", "1"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800, check=False)
    assert run.returncode == 0, run.stderr[-4000:]
    table = run.stdout.split("goals (the worse of before and after the write)", 1)[1].splitlines()[1:]
    assert len(table) == len(GOALS)
    for (_, measure, *_), row in zip(GOALS, table):
        assert row.strip().startswith(measure)
        assert re.search(r" (met|missed)$", row) or re.search(r" n/a +n/a: \S", row), row
    assert re.search(r"^latency over HTTP +before the write +after the write$", run.stdout, re.M)
    for announced in ("bulk import", "full reindex", "throughput, after the write", "done"):  # phases, as they start
        assert re.search(rf"^\[ *\d+:\d\d\] {announced}", run.stderr, re.M), announced
