"""The benchmark: build the scale data in a fresh database, then measure against this machine's ceiling.

    python bench/run.py --scale tiny|small|national [--db sqlite|postgresql] [--runs 3] [--json FILE]

Phases, each announced on stderr with the time elapsed (long ones with a progress bar): bulk import (records/s) and
full reindex; the open-data files published; search latency p50/p95 over a fixed set of queries (2-character
Chinese terms, 3-6 character terms, full firm names, credit-code prefixes, name + province + category filters,
similar-parcel searches) through the API, in process and over HTTP, and the search page over HTTP; firm profile
latency p50/p95 for an ordinary firm and for the firm with 2,000 projects; searches by rate order, first-pass
floor, penalty and ban (no goal: where to look); throughput under wrk against gunicorn (2 workers, 127.0.0.1) for
the search page, a firm profile, the API and a conditional GET answered 304, each as a ratio to a bare Flask
"hello" and a bare Jinja 20-row table served with the same settings, wrk'd in the same runs; the first byte of each
open-data file. Then one real write through the import service (a one-record file), and the same queries,
throughputs and first bytes again, so that a cache is never what makes a figure. Last, the worker RSS, the database
and index sizes, and a goals table: each goal of the national-scale issue, the figure measured (the worse of before
and after the write), their ratio, met or missed. Each figure is the median of `--runs` runs.

`--db postgresql` creates a database of its own, and drops it at the end, on the server DATABASE_URL names,
or on a throwaway PostgreSQL 15 it starts on 127.0.0.1 (initdb/pg_ctl as the postgres user) when
DATABASE_URL is unset. Only loopback traffic; every loop is bounded.
"""
import argparse
import base64
import gc
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urlencode, urlsplit

import click

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import BIG_FIRM_NAME, SCALES, load  # noqa: E402

PGBIN = Path("/usr/lib/postgresql/15/bin")
TODAY = "2026-11-26"
WRK_SECONDS = {"tiny": 3, "small": 5, "national": 10}
GUNICORN = [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "sync", "--log-level", "warning"]
# How long the benchmark waits, after its write, for the server to rebuild the open-data files by itself (this,
# plus twice the time the first `flask registry publish` took) before it runs `flask registry publish` itself.
OPEN_DATA_WAIT_SECONDS = 60
# Passes over the latency queries before the measured runs. psycopg prepares a statement at its sixth run on a
# connection, and PostgreSQL may plan a prepared statement for any values after five more. With one warm-up
# pass, a search whose statement no other search shares ran at most four times on a worker, so the plans a
# long-running server uses went unmeasured (one took 4 s where its custom plan took 0.1). Twelve passes run each
# statement past both thresholds in process, and about six times on each of the two workers over HTTP (the sync
# workers share requests at random), more where several searches share it; they also warm the caches and jieba.
WARM_UP_PASSES = 12

TWO_CHARACTERS = ["苏净", "绿源", "焦化", "华测", "碧水", "农药", "电镀", "储备", "润泽", "青岛"]
SHORT_TERMS = ["焦化厂", "土壤修复", "环境检测有限", "原苏州农药厂", "土地储备中心", "风险评估项目", "城市建设投资", "化工厂地块"]
FILTERS = [("环保", "32", "investigation"), ("修复", "37", "remediation_construction"), ("检测", "44", "monitoring"),
           ("苏州", "32", "risk_assessment"), ("工程", "11", "risk_control_construction"), ("科技", "33", "investigation")]
SIMILAR = [("C2521", 10000, 200000, "32"), ("C2614", 3000, 30000, "37"), ("C3360", None, None, "44"),
           ("C2631", 30000, 600000, ""), ("C3120", 5000, 100000, "14"), ("C1713", None, 50000, "33")]

# What a visitor narrows or orders a search by, beyond the goals' query set: rates and penalties are every firm's
# figures, so these are the searches that could read the whole registry for one page (API and search page).
FILTERS_AND_ORDERS = [
    ("/api/v1/units", {"q": "苏州", "sort": "first_pass"}), ("/api/v1/units", {"q": "修复", "sort": "on_time"}),
    ("/api/v1/units", {"q": "修复", "banned": "false"}),
    ("/api/v1/units", {"banned": "false", "sort": "name", "page": 5}),
    ("/search", {"q": "环保", "min_first_pass": 80}), ("/search", {"min_first_pass": 80}),
    ("/search", {"has_penalty": "true"}), ("/search", {"q": "环境", "has_penalty": "false"}),
    ("/search", {"q": "检测", "province": "44", "sort": "on_time"}),
    ("/search", {"q": "环境", "category": "investigation", "sort": "first_pass"}),
]
# The public project list's text search (the API's /projects), which could read every project for a page: words
# the trigram index finds (a rare one, a long one, one within a province), a word found nowhere, and a word of
# two characters, which no trigram finds and which walks the list's order as before.
PROJECT_LISTS = [
    ("/api/v1/projects", {"q": "天津造纸厂"}), ("/api/v1/projects", {"q": "天津造纸厂地块风险管控方案"}),
    ("/api/v1/projects", {"q": "天津造纸厂", "province": "12"}), ("/api/v1/projects", {"q": "不存在的地块名称"}),
    ("/api/v1/projects", {"q": "造纸"}),
]
# Groups measured with no goal: where to look.
WITHOUT_GOAL = {"filters and orders": FILTERS_AND_ORDERS, "project lists": PROJECT_LISTS}

# The goals of the national-scale target: (key, measure, goal, "max" or "min", unit). The figure is the worse
# of before and after the benchmark's write.
GOALS = [
    ("search_api_p95", "search API p95 (HTTP)", 25.0, "max", "ms"),
    ("search_page_p95", "search page p95 (HTTP)", 25.0, "max", "ms"),
    ("big_profile_p95", "2,000-project firm profile p95 (HTTP)", 30.0, "max", "ms"),
    ("search_page_of_table", "search page throughput / Jinja table", 0.05, "min", ""),
    ("profile_of_table", "firm profile throughput (uncached) / Jinja table", 0.10, "min", ""),
    ("conditional_of_table", "conditional GET (304) / Jinja table", 0.5, "min", ""),
    ("import_rate", "bulk import", 20000.0, "min", "records/s"),
    ("open_data_first_byte", "open-data file, first byte", 50.0, "max", "ms"),
    ("reindex_seconds", "full reindex", 180.0, "max", "s"),
    ("worker_rss_mb", "worker RSS", 250.0, "max", "MB"),
]
BEFORE, AFTER = "before the write", "after the write"


# -- helpers ------------------------------------------------------------------------------------------------

def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered) + 0.5) - 1))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


def directory_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def mb(n: float) -> str:
    return f"{n / 1e6:,.1f} MB"


STARTED = time.monotonic()


def phase(name: str) -> None:
    """Announce a phase on stderr with the time elapsed since the start."""
    elapsed = int(time.monotonic() - STARTED)
    print(f"[{elapsed // 60:3d}:{elapsed % 60:02d}] {name}", file=sys.stderr, flush=True)


def progress(items, label: str):
    """A progress bar on stderr over `items` (a list)."""
    return click.progressbar(items, label=f"        {label}", file=sys.stderr, show_pos=True)


class Postgres:
    """A throwaway PostgreSQL 15 on 127.0.0.1, owned by the postgres user, stopped by its own data directory."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="registry-bench-pg-"))  # its own: the work directory is 0700
        self.port = free_port()

    def start(self) -> str:
        shutil.chown(self.dir, "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
        subprocess.run(run_as + [str(PGBIN / "initdb"), "-D", str(self.dir / "data"), "-E", "UTF8",
                                 "--locale=C.UTF-8", "-A", "trust"], check=True, stdout=subprocess.DEVNULL)
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c shared_buffers=512MB "
                   "-c maintenance_work_mem=512MB -c max_wal_size=4GB")
        subprocess.run(run_as + [str(PGBIN / "pg_ctl"), "-D", str(self.dir / "data"), "-w", "-o", options,
                                 "-l", str(self.dir / "log"), "start"], check=True, stdout=subprocess.DEVNULL)
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", str(PGBIN / "pg_ctl"), "-D", str(self.dir / "data"),
                        "-m", "fast", "stop"], check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(self.dir, ignore_errors=True)


class BenchDatabase:
    """A database of the benchmark's own on a PostgreSQL server, made fresh and dropped at the end, so that a
    shared server (CI's) keeps its other databases untouched."""

    def __init__(self, server_url: str):
        from sqlalchemy.engine import make_url

        self.server = make_url(server_url)
        self.name = f"registry_bench_{os.getpid()}_{secrets.token_hex(4)}"

    def _admin(self):
        import psycopg

        return psycopg.connect(self.server.set(drivername="postgresql").render_as_string(hide_password=False),
                               autocommit=True)

    def create(self) -> str:
        from psycopg import sql

        with self._admin() as connection:  # UTF-8 and C.UTF-8: pg_trgm on Chinese needs them (DESIGN §8)
            connection.execute(sql.SQL("CREATE DATABASE {} ENCODING UTF8 TEMPLATE template0 "
                                       "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'").format(sql.Identifier(self.name)))
        return self.server.set(database=self.name).render_as_string(hide_password=False)

    def drop(self) -> None:
        from psycopg import sql

        with self._admin() as connection:
            connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name)))


class Gunicorn:
    """gunicorn with the benchmark's settings (2 sync workers on 127.0.0.1) serving one WSGI app."""

    def __init__(self, target: str, env: dict):
        self.port = free_port()
        self.process = subprocess.Popen(GUNICORN + ["--bind", f"127.0.0.1:{self.port}", "--chdir", str(ROOT), target],
                                        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_for_port(self.port)

    def worker_rss(self) -> list[int]:
        """Resident set size of each worker (children of the master), in bytes."""
        sizes = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            if re.search(rf"^PPid:\s+{self.process.pid}$", text, re.M):
                sizes.append(int(re.search(r"^VmRSS:\s+(\d+) kB", text, re.M).group(1)) * 1024)
        return sizes

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Client:
    """One kept-alive HTTP/1.1 connection to 127.0.0.1, reopened when a sync worker closes it."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def get(self, url: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
        """Status, headers (lower-case names) and body of a GET."""
        try:
            self.connection.request("GET", url, headers=headers or {})
            response = self.connection.getresponse()
            body = response.read()
        except (http.client.HTTPException, OSError):  # sync workers close kept-alive connections
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.connection.request("GET", url, headers=headers or {})
            response = self.connection.getresponse()
            body = response.read()
        if response.getheader("Connection", "").lower() == "close":
            self.reopen()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body

    def status(self, url: str) -> int:
        return self.get(url)[0]

    def first_byte(self, url: str, headers: dict | None = None, needle: bytes = b"\0") -> dict:
        """A GET on a new connection: milliseconds to its first byte of body (or to the end of the headers when
        there is no body) and to its last byte, its status, headers, whether the body came whole (a server
        may cut a long answer short: gunicorn kills a worker past its timeout) and whether it holds `needle`.
        The body is read to the end and thrown away, so that the worker is free again when this returns."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        try:
            connection.connect()
            started = time.perf_counter()
            connection.request("GET", url, headers=headers or {})
            try:
                response = connection.getresponse()
            except (http.client.HTTPException, OSError):  # no answer at all: no first byte, ever
                return {"first_byte_ms": float("inf"), "last_byte_ms": float("inf"), "bytes": 0, "whole": False,
                        "status": None, "etag": None, "holds": False}
            tail = response.read(1)
            first = (time.perf_counter() - started) * 1000
            size, whole, holds = len(tail), True, False
            try:
                while chunk := response.read(1 << 20):
                    size += len(chunk)
                    holds = holds or needle in tail + chunk
                    tail = chunk[-len(needle):]
            except (http.client.IncompleteRead, OSError):
                whole = False
            return {"first_byte_ms": first, "last_byte_ms": (time.perf_counter() - started) * 1000,
                    "bytes": size, "whole": whole, "status": response.status,
                    "etag": response.getheader("ETag"), "holds": holds}
        finally:
            connection.close()

    def reopen(self) -> None:
        self.connection.close()
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def close(self) -> None:
        self.connection.close()


class Links(HTMLParser):
    """The hrefs of a page's links."""

    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [value for name, value in attrs if name == "href" and value]


def wrk(port: int, path: str, seconds: int, headers: dict | None = None) -> float:
    """Requests per second under wrk (2 threads, 8 connections) for one URL on 127.0.0.1."""
    options = [option for name, value in (headers or {}).items() for option in ("-H", f"{name}: {value}")]
    output = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", *options, f"http://127.0.0.1:{port}{path}"],
                            check=True, capture_output=True, text=True, timeout=seconds + 60).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise RuntimeError(f"wrk saw {non_2xx.group(1)} error responses for {path}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


# -- the benchmark --------------------------------------------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.args = args
        self.results: dict = {"scale": args.scale, "db": args.db, "runs": args.runs}
        self.workdir = Path(args.reuse) if args.reuse else Path(tempfile.mkdtemp(prefix="registry-bench-"))
        self.postgres = None
        self.database = None

    # environment shared by the in-process app and the gunicorn workers
    def environment(self) -> dict:
        env = dict(os.environ)
        if self.args.db == "postgresql" and self.args.reuse:  # a kept database, named by DATABASE_URL, kept after
            env["SEARCH_BACKEND"] = "postgresql"
        elif self.args.db == "postgresql":
            server = os.environ.get("DATABASE_URL")
            if not server:
                self.postgres = Postgres()
                server = self.postgres.start()
            self.database = BenchDatabase(server)
            env["DATABASE_URL"] = self.database.create()
            env["SEARCH_BACKEND"] = "postgresql"
        else:
            env["DATABASE_URL"] = f"sqlite:///{self.workdir / 'registry.sqlite3'}"
            env["SEARCH_BACKEND"] = "whoosh"
        env["SEARCH_INDEX_DIR"] = str(self.workdir / "search-index")
        env["OPEN_DATA_DIR"] = str(self.workdir / "open-data")
        # After its write the benchmark waits for the server's own rebuild of the open-data files: a short
        # debounce (the production default is minutes) so that the wait measures the build, not the debounce.
        env.setdefault("OPEN_DATA_DEBOUNCE_SECONDS", "5")
        self.results["open_data_debounce_seconds"] = float(env["OPEN_DATA_DEBOUNCE_SECONDS"])
        env["SECRET_KEY"] = "bench-secret-key"
        env["ID_NUMBER_KEY"] = base64.b64encode(b"b" * 32).decode()
        env["SEARCH_REQUESTS_PER_MINUTE"] = "100000000"  # the benchmark's own load is not scraping
        env["BENCH_TODAY"] = TODAY
        env["PYTHONPATH"] = str(ROOT)
        return env

    def run(self) -> dict:
        try:
            env = self.environment()
            os.environ.update(env)
            from registry.app import create_app

            app = create_app({"TODAY": TODAY})
            with app.app_context():
                if not self.args.reuse:
                    self.build(app)
                self.sample(app)
                self.publish(app)
                # A deployment publishes in a process of its own; here the build left about a million objects in
                # cycles (national PostgreSQL), whose full collection (2-5 s) fell inside a measured request. The
                # app then runs as a gunicorn worker does: its loaded caches frozen out of the collector's passes.
                gc.collect()
                gc.freeze()
            # Each request in an app context of its own, as a served one: inside one kept open, every request
            # shared one session, and its transaction and the connection's prepared statements outlived it.
            phase("latency in process")
            self.results["latency_in_process"] = self.latencies(app.test_client().get, self.queries)
            with app.app_context():
                self.sizes(app)
                self.release(app)
            self.over_http(app, env)
        finally:
            if self.database and self.args.keep and not self.postgres:  # on a server that outlives the run
                phase(f"kept: the database {self.database.name}, for --reuse with DATABASE_URL naming it")
            elif self.database:
                self.database.drop()
            if self.postgres:
                self.postgres.stop()
            if self.args.keep:
                phase(f"kept: the work directory {self.workdir}, for --reuse")
            elif not self.args.reuse:
                shutil.rmtree(self.workdir, ignore_errors=True)
        return self.results

    @staticmethod
    def release(app) -> None:
        """Close the in-process app's connections, so the served app is the only reader."""
        from registry.extensions import db

        db.session.remove()
        db.engine.dispose()

    def build(self, app) -> None:
        from flask_migrate import upgrade

        from registry.search import rebuild_index

        phase("schema")
        upgrade()
        phase("bulk import")
        app.config["SEARCH_INDEX_ON_COMMIT"] = False  # PostgreSQL: load first, index once after (Whoosh: no index yet)
        self.results["import"] = load(SCALES[self.args.scale], label=f"        importing ({self.args.scale}, "
                                                                      f"{self.args.db})")
        app.config["SEARCH_INDEX_ON_COMMIT"] = True
        times, documents = [], 0
        for run in range(self.args.reindex_runs):
            phase(f"full reindex ({run + 1} of {self.args.reindex_runs})")
            started = time.perf_counter()
            documents = rebuild_index(procs=2)
            times.append(time.perf_counter() - started)
            print(f"        {documents} documents in {times[-1]:.1f} s", file=sys.stderr)
        self.results["reindex"] = {"documents": documents, "seconds": statistics.median(times), "runs": times}
        if self.args.db == "postgresql":
            self.vacuum(app)

    def vacuum(self, app) -> None:
        """`VACUUM (ANALYZE)` after the bulk import, as the runbook says (docs/deploy.md), timed."""
        from registry.extensions import db

        phase("VACUUM (ANALYZE), as the runbook says after a bulk import")
        started = time.perf_counter()
        # VACUUM refuses to run in a transaction; the connection returns to the pool with its isolation level reset
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM (ANALYZE)")
        self.results["vacuum_seconds"] = time.perf_counter() - started
        print(f"        {self.results['vacuum_seconds']:.1f} s", file=sys.stderr)

    def sample(self, app) -> None:
        """The fixed query set: fixed terms, and names and codes picked at fixed ranks of the loaded firms."""
        from sqlalchemy import func, select

        from registry.extensions import db
        from registry.models import Project, Unit

        units = db.session.execute(select(Unit.id, Unit.name, Unit.uscc).where(Unit.commitment_signed_at.is_not(None))
                                   .order_by(Unit.id)).all()
        picked = [units[(len(units) * k) // 10] for k in range(10)]
        counts = dict(db.session.execute(select(Project.unit_id, func.count()).group_by(Project.unit_id)).all())
        ordinary = next(u for u in units[len(units) // 2:] if counts.get(u.id, 0) == 20)
        big = db.session.execute(select(Unit.uscc).where(Unit.name == BIG_FIRM_NAME)).scalar_one()
        db.session.rollback()
        terms = {
            "2-character terms": [{"q": q} for q in TWO_CHARACTERS],
            "3-6 character terms": [{"q": q} for q in SHORT_TERMS],
            "full firm names": [{"q": u.name} for u in picked],
            "credit-code prefixes": [{"q": u.uscc[:n]} for u in picked[:4] for n in (6, 10, 14)],
            "name+province+category": [{"q": q, "province": p, "category": c} for q, p, c in FILTERS],
        }
        similar = [{k: v for k, v in (("industry", i), ("min_area", lo), ("max_area", hi), ("province", p)) if v}
                   for i, lo, hi, p in SIMILAR]
        api = {name: [f"/api/v1/units?{urlencode(t)}" for t in ts] for name, ts in terms.items()}
        api["similar parcels"] = [f"/api/v1/units?{urlencode(s)}" for s in similar]
        # The search page over HTTP: the same terms and filters on /search, and the similar-parcel page.
        page = [f"/search?{urlencode(t)}" for ts in terms.values() for t in ts] + \
            [f"/similar?{urlencode(s)}" for s in similar]
        self.queries = {"api": api, "profiles": {"ordinary firm": f"/units/{ordinary.uscc}",
                                                 "2,000-project firm": f"/units/{big}"},
                        **{group: [f"{path}?{urlencode(t)}" for path, t in urls] for group, urls in WITHOUT_GOAL.items()}}
        self.page_queries = page
        self.results["profiles_urls"] = self.queries["profiles"]
        self.throughput_urls = {"search page": f"/search?q={quote('焦化')}", "firm profile": f"/units/{ordinary.uscc}",
                                "API": f"/api/v1/units?q={quote('苏净')}"}
        self.conditional_url = f"/units/{ordinary.uscc}"

    def publish(self, app, key: str = "open_data_publish_seconds") -> None:
        """Build the open-data files as a deployment does after an import (`flask registry publish`), when the
        application has that command; timed (None: no such command)."""
        command = app.cli.commands.get("registry")
        if command is None or "publish" not in getattr(command, "commands", {}):
            self.results[key] = None
            return
        phase("open data: flask registry publish")
        started = time.perf_counter()
        outcome = app.test_cli_runner().invoke(args=["registry", "publish"])
        if outcome.exit_code != 0:
            raise RuntimeError(f"flask registry publish failed: {outcome.output}") from outcome.exception
        self.results[key] = time.perf_counter() - started

    # -- latency ------------------------------------------------------------------------------------------

    def latencies(self, get, queries: dict, page: list[str] | None = None) -> dict:
        """p50/p95 of each query group, of all API searches together, of the search page and of each profile
        (20 requests a run), each the median over the runs; WARM_UP_PASSES unmeasured passes first."""
        runs = self.args.runs
        groups = [(name, urls, 1) for name, urls in queries["api"].items()]
        groups += [("search page", page, 1)] if page else []
        groups += [(name, [url], 20) for name, url in queries["profiles"].items()]
        groups += [(group, queries[group], 1) for group in WITHOUT_GOAL]
        requests = [(name, url) for name, urls, repeat in groups for url in urls for _ in range(repeat)]
        work = [(run, name, url) for run in range(-WARM_UP_PASSES, runs) for name, url in requests]  # < 0: warm-up
        times: dict = {}
        slowest: dict = {}  # group -> (ms, url): where to look first
        with progress(work, f"{len(requests)} requests x ({WARM_UP_PASSES} warm-up + {runs} runs)") as bar:
            for run, name, url in bar:
                started = time.perf_counter()
                response = get(url)
                elapsed = (time.perf_counter() - started) * 1000
                status = response.status_code if hasattr(response, "status_code") else response
                if status != 200:
                    raise RuntimeError(f"{url} answered {status}")
                if run >= 0:
                    times.setdefault(name, {}).setdefault(run, []).append(elapsed)
                    if elapsed > slowest.get(name, (0.0, ""))[0]:
                        slowest[name] = (elapsed, url)
                    if name in queries["api"]:
                        times.setdefault("all API searches", {}).setdefault(run, []).append(elapsed)
        order = list(queries["api"]) + ["all API searches"] + (["search page"] if page else []) + \
            list(queries["profiles"]) + list(WITHOUT_GOAL)
        return {name: {"p50_ms": statistics.median(percentile(t, 0.5) for t in times[name].values()),
                       "p95_ms": statistics.median(percentile(t, 0.95) for t in times[name].values()),
                       "requests_per_run": len(times[name][0]),
                       **({"slowest_ms": slowest[name][0], "slowest_url": unquote(slowest[name][1])}
                          if name in slowest else {})} for name in order}

    # -- the served app -------------------------------------------------------------------------------------

    def over_http(self, app, env: dict) -> None:
        phase("starting gunicorn: the registry and the ceiling (bare Flask, Jinja table)")
        server = Gunicorn("bench.serve:app", env)
        ceiling = Gunicorn("bench.ceiling:app", env)
        client = Client(server.port)
        try:
            self.open_data_links = self.open_data_files(client)
            for when in (BEFORE, AFTER):
                if when == AFTER:
                    self.write(app)
                    self.open_data_after_write(app, client)
                phase(f"latency over HTTP, {when}")
                self.results.setdefault("latency_http", {})[when] = self.latencies(client.status, self.queries,
                                                                                   self.page_queries)
                client.reopen()
                self.conditional_check(client, when)
                self.throughput(server.port, ceiling.port, when)
                if when == BEFORE:
                    phase("open data: first byte of each file")
                    self.results["open_data"] = {BEFORE: self.first_bytes(client)}
            self.results["worker_rss_bytes"] = server.worker_rss()
        finally:
            client.close()
            server.stop()
            ceiling.stop()

    def throughput(self, port: int, ceiling_port: int, when: str) -> None:
        """wrk on each registry URL and on the ceiling's Jinja table (and "hello"), the runs interleaved so that
        a change in the machine's load falls on both sides of each ratio."""
        seconds = WRK_SECONDS[self.args.scale]
        targets = [(name, port, url, None) for name, url in self.throughput_urls.items()]
        etag = self.results["conditional_get"][when].get("etag")
        if etag:
            targets.append(("conditional GET (304)", port, self.conditional_url, {"If-None-Match": etag}))
        ceiling = [("jinja 20-row table", ceiling_port, "/table", None)]
        if when == BEFORE:
            ceiling.append(("flask hello", ceiling_port, "/hello", None))
        phase(f"throughput, {when}: wrk -t2 -c8 -d{seconds}s, {len(targets) + len(ceiling)} URLs x "
              f"{self.args.runs} runs (after a 2 s warm-up each)")
        for _, target_port, url, headers in targets + ceiling:  # warm both workers (jieba, the index, caches)
            wrk(target_port, url, 2, headers)
        rates: dict = {}
        work = [(run, target) for run in range(self.args.runs) for target in ceiling + targets]
        with progress(work, "wrk") as bar:
            for _, (name, target_port, url, headers) in bar:
                rates.setdefault(name, []).append(wrk(target_port, url, seconds, headers))
        table = rates.pop("jinja 20-row table")
        hello = rates.pop("flask hello", None)
        measured = self.results.setdefault("throughput", {"wrk": f"wrk -t2 -c8 -d{seconds}s", "ceiling": {}})
        measured["ceiling"].setdefault("jinja 20-row table", {})[when] = statistics.median(table)
        if hello:
            measured["ceiling"]["flask hello"] = {when: statistics.median(hello)}
        measured[when] = {name: {"requests_per_second": statistics.median(v),
                                 "of_table": statistics.median(r / t for r, t in zip(v, table)),
                                 "url": url}
                          for (name, _, url, _) in targets for v in [rates[name]]}

    def conditional_check(self, client: Client, when: str) -> None:
        """Ask for a public page, then again with the ETag it answered: the second answer must be a 304 without
        a body. No ETag (a server without HTTP caching): the figure is "n/a"."""
        status, headers, _ = client.get(self.conditional_url)
        etag = headers.get("etag")
        outcome: dict = {"url": self.conditional_url}
        if status != 200 or not etag:
            outcome["n/a"] = f"the page answered {status} without an ETag" if status == 200 else f"status {status}"
        else:
            again, _, body = client.get(self.conditional_url, {"If-None-Match": etag})
            if again == 304 and not body:
                outcome["etag"] = etag
            else:
                outcome["n/a"] = f"If-None-Match with its own ETag answered {again} with {len(body)} bytes of body"
        self.results.setdefault("conditional_get", {})[when] = outcome

    # -- the write, and open data -----------------------------------------------------------------------------

    def write(self, app) -> None:
        """One real write through the application's own write path: a one-record file (a new firm) imported
        by the import service, as `flask registry import` does, while the server runs."""
        from registry.access import SYSTEM
        from registry.exchange import import_jsonl
        from registry.services.audit import json_value
        from registry.services.demo import generate_records

        phase("one write: a one-record file through the import service")
        seed = time.time_ns() % 1_000_000_007
        firm = next(generate_records(1, seed=seed, first_firm=10**6, tag=f"W{seed % 10**6:06d}"))
        firm["name"] = f"基准写入{seed % 10**6:06d}焦化地块修复有限公司"
        firm["commitment"] = {"signed_at": "2025-06-02T09:00:00+08:00", "signer": "法定代表人"}
        with app.app_context():
            started = time.perf_counter()
            report = import_jsonl(SYSTEM, [json.dumps(firm, default=json_value, ensure_ascii=False)])
            seconds = time.perf_counter() - started
            self.release(app)
        if not report.changed:
            raise RuntimeError("the benchmark's write changed nothing")
        self.results["write"] = {"what": "a one-record file (one new firm) through the import service",
                                 "uscc": firm["uscc"], "seconds": seconds}

    def open_data_files(self, client: Client) -> list[str]:
        """The files the open-data page links to (whatever their names)."""
        status, _, body = client.get("/open-data")
        if status != 200:
            raise RuntimeError(f"/open-data answered {status}")
        parser = Links()
        parser.feed(body.decode("utf-8"))
        files = []
        for href in parser.hrefs:
            path = urlsplit(href).path
            if path.startswith("/open-data/") and path not in files:
                files.append(path)
        if not files:
            raise RuntimeError("the open-data page links to no file")
        return files

    def first_bytes(self, client: Client, urls: list[str] | None = None, needle: bytes = b"\0") -> dict:
        """Milliseconds to the first byte of each open-data file (a new connection each), and whether it holds
        `needle`."""
        answers = {}
        for url in urls or self.open_data_links:
            answer = client.first_byte(url, needle=needle)
            if answer["status"] not in (200, None):
                raise RuntimeError(f"{url} answered {answer['status']}")
            answers[url] = answer
        return answers

    def open_data_after_write(self, app, client: Client) -> None:
        """The first bytes right after the write; then, once the files hold the written firm (the server
        rebuilt them, or builds them on every request), the first bytes again. If the server has not rebuilt
        them in time (OPEN_DATA_WAIT_SECONDS and twice the first publish), `flask registry publish` does."""
        phase("open data: first byte right after the write")
        measured = self.results["open_data"]
        needle = self.results["write"]["uscc"].encode()
        measured["right after the write"] = self.first_bytes(client, needle=needle)
        if any(answer["holds"] for answer in measured["right after the write"].values()):
            measured["rebuilt by"] = "every request (the files held the write at once)"
            return
        # The firm's file (by its name), or every file: polled until one holds the new firm's credit code.
        watched = [url for url in self.open_data_links if "unit" in url.rsplit("/", 1)[-1]] or self.open_data_links
        wait = OPEN_DATA_WAIT_SECONDS + 2 * (self.results["open_data_publish_seconds"] or 0)
        phase(f"open data: waiting up to {wait:.0f} s for the server to rebuild the files "
              f"(debounce {self.results['open_data_debounce_seconds']:g} s)")
        deadline, rebuilt = time.monotonic() + wait, False
        while time.monotonic() < deadline and not rebuilt:
            time.sleep(2)
            rebuilt = any(answer["holds"] for answer in self.first_bytes(client, watched, needle).values())
        if rebuilt:
            measured["rebuilt by"] = "the server"
            time.sleep(1)  # the files are swapped in one after the other
        elif self.results["open_data_publish_seconds"] is not None:
            with app.app_context():
                self.publish(app, "open_data_republish_seconds")
                self.release(app)
            measured["rebuilt by"] = f"flask registry publish (the server had not, {wait:.0f} s after the write)"
        else:
            measured["rebuilt by"] = f"nobody within {wait:.0f} s"
            return
        measured["after the rebuild"] = self.first_bytes(client, needle=needle)

    # -- sizes ---------------------------------------------------------------------------------------------------

    def sizes(self, app) -> None:
        from sqlalchemy import text

        from registry.extensions import db

        if self.args.db == "postgresql":
            database = db.session.execute(text("SELECT pg_database_size(current_database())")).scalar()
            index = db.session.execute(text("SELECT pg_total_relation_size('search_document')")).scalar()
        else:
            base = self.workdir / "registry.sqlite3"
            database = sum(p.stat().st_size for p in base.parent.glob(base.name + "*"))
            index = directory_size(self.workdir / "search-index")
        db.session.rollback()
        self.results["sizes"] = {"database_bytes": database, "search_index_bytes": index}


# -- report -------------------------------------------------------------------------------------------------

def machine() -> dict:
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), "0")
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    from importlib.metadata import version

    versions = {name: version(name) for name in ("Flask", "SQLAlchemy", "Whoosh-Reloaded", "gunicorn", "psycopg")}
    versions["python"] = platform.python_version()
    versions["sqlite"] = __import__("sqlite3").sqlite_version
    try:
        versions["postgresql"] = subprocess.run([str(PGBIN / "postgres"), "--version"], capture_output=True,
                                                text=True).stdout.strip()
    except OSError:
        pass
    try:
        versions["wrk"] = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        pass
    return {"nproc": os.cpu_count(), "memory_gb": round(int(memory) / 1024 / 1024, 1), "cpu": cpu,
            "versions": versions}


def goal_figures(results: dict) -> dict:
    """Each goal's measured figure (None: not measured in this run, with the reason), the worse of before and
    after the write."""
    http = results["latency_http"]
    through = results["throughput"]
    opened = results["open_data"]

    def worst_ms(name):
        return max(http[when][name]["p95_ms"] for when in (BEFORE, AFTER))

    def least_ratio(name):
        present = [through[when][name]["of_table"] for when in (BEFORE, AFTER) if name in through[when]]
        return min(present) if len(present) == 2 else None

    first_bytes = [answer["first_byte_ms"] for when in (BEFORE, "right after the write", "after the rebuild")
                   for answer in opened.get(when, {}).values()]
    rss = results.get("worker_rss_bytes") or []
    conditional = results["conditional_get"]
    conditional_ratio = least_ratio("conditional GET (304)")
    return {
        "search_api_p95": worst_ms("all API searches"),
        "search_page_p95": worst_ms("search page"),
        "big_profile_p95": worst_ms("2,000-project firm"),
        "search_page_of_table": least_ratio("search page"),
        "profile_of_table": least_ratio("firm profile"),
        "conditional_of_table": conditional_ratio if conditional_ratio is not None
        else "n/a: " + "; ".join(sorted({v["n/a"] for v in conditional.values() if "n/a" in v})),
        "import_rate": results["import"]["records_per_second"] if results.get("import") else "n/a: no import (--reuse)",
        "open_data_first_byte": max(first_bytes) if first_bytes else "n/a: no file",
        "reindex_seconds": results["reindex"]["seconds"] if results.get("reindex") else "n/a: no reindex (--reuse)",
        "worker_rss_mb": max(rss) / 1e6 if rss else "n/a: no worker found",
    }


def goals_table(results: dict) -> list[str]:
    figures = goal_figures(results)
    lines = [f"{'goals (the worse of before and after the write)':52} {'goal':>16} {'measured':>12} "
             f"{'ratio':>7}  verdict"]
    for key, measure, goal, kind, unit in GOALS:
        figure = figures[key]
        goal_text = f"{'≤' if kind == 'max' else '≥'} {goal:,g} {unit}".rstrip()
        if isinstance(figure, str):
            lines.append(f"  {measure:50} {goal_text:>16} {'n/a':>12} {'':>7}  {figure}")
            continue
        met = figure <= goal if kind == "max" else figure >= goal
        shown = f"{figure:,.0f}" if figure >= 100 else f"{figure:.2f}" if figure < 1 else f"{figure:.1f}"
        lines.append(f"  {measure:50} {goal_text:>16} {shown:>12} {figure / goal:>7.2f}  "
                     f"{'met' if met else 'missed'}")
    return lines


def report(results: dict) -> str:
    lines = [f"scale {results['scale']}, database {results['db']}, each figure the median of {results['runs']} runs",
             ""]
    imp, rx = results.get("import"), results.get("reindex")
    if imp is None:
        lines += ["(measured on the data of an earlier run's kept work directory: no import or reindex here)", ""]
    else:
        lines += [f"{'bulk import':44} {imp['records_per_second']:>10,.0f} records/s  ({imp['records']:,} records in "
                  f"{imp['seconds']:.1f} s; batch median {imp['batch_median_records_per_second']:,.0f}/s)",
                  f"{'full reindex':44} {rx['seconds']:>10.1f} s          ({rx['documents']:,} documents)"]
        if results.get("vacuum_seconds") is not None:
            lines.append(f"{'VACUUM (ANALYZE) after the import':44} {results['vacuum_seconds']:>10.1f} s")
    publish = results.get("open_data_publish_seconds")
    lines += [f"{'open data: flask registry publish':44} " + (f"{publish:>10.1f} s" if publish is not None
                                                               else f"{'n/a':>10}   (no such command)"), ""]
    lines.append(f"latency in process {'':25} {'p50 ms':>10} {'p95 ms':>10}")
    for name, row in results["latency_in_process"].items():
        lines.append(f"  {name:42} {row['p50_ms']:>10.1f} {row['p95_ms']:>10.1f}")
    lines += ["", "slowest request of each group, in process (any run)"]
    for name, row in results["latency_in_process"].items():
        if "slowest_url" in row:
            lines.append(f"  {name:42} {row['slowest_ms']:>10.1f}  {row['slowest_url']}")
    lines.append("")
    http = results["latency_http"]
    lines.append(f"latency over HTTP {'':26} {'before the write':>21} {'after the write':>21}")
    lines.append(f"  {'':42} {'p50 ms':>10} {'p95 ms':>10} {'p50 ms':>10} {'p95 ms':>10}")
    for name, row in http[BEFORE].items():
        after = http[AFTER][name]
        lines.append(f"  {name:42} {row['p50_ms']:>10.1f} {row['p95_ms']:>10.1f} {after['p50_ms']:>10.1f} "
                     f"{after['p95_ms']:>10.1f}")
    through = results["throughput"]
    lines += ["", f"throughput ({through['wrk']}, gunicorn 2 sync workers)",
              f"  {'':42} {'before the write':>17} {'after the write':>17}",
              f"  {'':42} {'req/s':>8} {'/table':>8} {'req/s':>8} {'/table':>8}"]
    hello = through["ceiling"].get("flask hello", {}).get(BEFORE)
    if hello:
        lines.append(f"  {'flask hello':42} {hello:>8,.0f}")
    table = through["ceiling"]["jinja 20-row table"]
    lines.append(f"  {'jinja 20-row table':42} {table[BEFORE]:>8,.0f} {'':>8} {table.get(AFTER, 0):>8,.0f}")
    for name, row in through[BEFORE].items():
        after = through.get(AFTER, {}).get(name)
        tail = f" {after['requests_per_second']:>8,.0f} {after['of_table']:>8.2f}" if after else f" {'n/a':>8}"
        lines.append(f"  {name:42} {row['requests_per_second']:>8,.0f} {row['of_table']:>8.2f}{tail}")
    for when, outcome in results["conditional_get"].items():
        if "n/a" in outcome:
            lines.append(f"  {'conditional GET (304), ' + when:42} {'n/a':>8}  ({outcome['n/a']})")
    opened = results["open_data"]
    stages = [s for s in (BEFORE, "right after the write", "after the rebuild") if s in opened]
    lines += ["", f"open data, first byte (ms; rebuilt after the write by {opened.get('rebuilt by', 'n/a')}; "
              f"OPEN_DATA_DEBOUNCE_SECONDS={results['open_data_debounce_seconds']:g})",
              f"  {'':42}" + "".join(f" {s:>22}" for s in stages)]
    for url in opened[BEFORE]:
        lines.append(f"  {url:42}" + "".join(f" {opened[s][url]['first_byte_ms']:>22.1f}" for s in stages))
    cut = sorted({url for s in stages for url, answer in opened[s].items() if not answer["whole"]})
    if cut:
        lines.append(f"  (the server cut short the answer for {', '.join(cut)})")
    write = results["write"]
    lines += ["", f"{'the write':44} {write['what']}, {write['seconds'] * 1000:.0f} ms",
              f"{'worker RSS after the run':44} {', '.join(mb(r) for r in results['worker_rss_bytes'])}",
              f"{'database size':44} {mb(results['sizes']['database_bytes'])}",
              f"{'search index size':44} {mb(results['sizes']['search_index_bytes'])}",
              f"{'wall time':44} {results['wall_seconds'] / 60:.1f} min", ""]
    lines += goals_table(results)
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (the median is reported)")
    parser.add_argument("--reindex-runs", type=int, default=None,
                        help="full reindexes (default: as many as --runs, national 1)")
    parser.add_argument("--json", help="also write the results as JSON to this file")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (database, index)")
    parser.add_argument("--reuse", metavar="DIR", help="measure again on a kept work directory (no build); on "
                                                        "PostgreSQL, on the kept database DATABASE_URL names")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.reuse and args.db == "postgresql" and not os.environ.get("DATABASE_URL"):
        parser.error("--reuse --db postgresql measures the kept database DATABASE_URL names: set it")
    if args.reindex_runs is None:
        args.reindex_runs = 1 if args.scale == "national" else args.runs
    results = Bench(args).run()
    results["machine"] = machine()
    results["command"] = "python bench/run.py " + " ".join(sys.argv[1:])
    results["wall_seconds"] = time.monotonic() - STARTED
    phase("done")
    print(report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
