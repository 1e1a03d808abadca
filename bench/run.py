"""The benchmark: build the scale data in a fresh database, then measure against this machine's ceiling.

    python bench/run.py --scale small|national [--db sqlite|postgresql] [--runs 3] [--json FILE]

Figures: bulk import (records/s) and full reindex time; search latency p50/p95 over a fixed set of queries
(2-character Chinese terms, 3-6 character terms, full firm names, credit-code prefixes, name + province +
category filters, similar-parcel searches), in process and over HTTP; firm profile latency p50/p95 for an
ordinary firm and for the firm with 2,000 projects; throughput under wrk against gunicorn (2 workers,
127.0.0.1) for the search page, a firm profile and the API, each as a ratio to a bare Flask "hello" and a
bare Jinja 20-row table served with the same settings in the same run; worker RSS after the run; database
and index sizes. Each figure is the median of `--runs` runs. `--db postgresql` starts a throwaway
PostgreSQL 15 on 127.0.0.1 (initdb/pg_ctl as the postgres user) unless DATABASE_URL is given. Only loopback
traffic; every loop is bounded.
"""
import argparse
import base64
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import BIG_FIRM_NAME, SCALES, load  # noqa: E402

PGBIN = Path("/usr/lib/postgresql/15/bin")
TODAY = "2026-11-26"
WRK_SECONDS = {"tiny": 3, "small": 5, "national": 10}
GUNICORN = [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "sync", "--log-level", "warning"]

TWO_CHARACTERS = ["苏净", "绿源", "焦化", "华测", "碧水", "农药", "电镀", "储备", "润泽", "青岛"]
SHORT_TERMS = ["焦化厂", "土壤修复", "环境检测有限", "原苏州农药厂", "土地储备中心", "风险评估项目", "城市建设投资", "化工厂地块"]
FILTERS = [("环保", "32", "investigation"), ("修复", "37", "remediation_construction"), ("检测", "44", "monitoring"),
           ("苏州", "32", "risk_assessment"), ("工程", "11", "risk_control_construction"), ("科技", "33", "investigation")]
SIMILAR = [("C2521", 10000, 200000, "32"), ("C2614", 3000, 30000, "37"), ("C3360", None, None, "44"),
           ("C2631", 30000, 600000, ""), ("C3120", 5000, 100000, "14"), ("C1713", None, 50000, "33")]


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


def wrk(port: int, path: str, seconds: int) -> float:
    """Requests per second under wrk (2 threads, 8 connections) for one URL on 127.0.0.1."""
    output = subprocess.run(["wrk", "-t2", "-c8", f"-d{seconds}s", f"http://127.0.0.1:{port}{path}"],
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

    # environment shared by the in-process app and the gunicorn workers
    def environment(self) -> dict:
        env = dict(os.environ)
        if self.args.db == "postgresql":
            url = os.environ.get("DATABASE_URL")
            if not url:
                self.postgres = Postgres()
                url = self.postgres.start()
            env["DATABASE_URL"] = url
            env["SEARCH_BACKEND"] = "postgresql"
        else:
            env["DATABASE_URL"] = f"sqlite:///{self.workdir / 'registry.sqlite3'}"
            env["SEARCH_BACKEND"] = "whoosh"
        env["SEARCH_INDEX_DIR"] = str(self.workdir / "search-index")
        env["SECRET_KEY"] = "bench-secret-key"
        env["ID_NUMBER_KEY"] = base64.b64encode(b"b" * 32).decode()
        env["SEARCH_REQUESTS_PER_MINUTE"] = "100000000"  # the benchmark's own load is not scraping
        env["BENCH_TODAY"] = TODAY
        env["PYTHONPATH"] = str(ROOT)
        return env

    def run(self) -> dict:
        env = self.environment()
        os.environ.update(env)
        try:
            from registry.app import create_app

            app = create_app({"TODAY": TODAY})
            with app.app_context():
                if not self.args.reuse:
                    self.build(app)
                self.sample(app)
                self.in_process(app)
                self.sizes(app)
                from registry.extensions import db

                db.session.remove()
                db.engine.dispose()
            self.over_http(env)
        finally:
            if self.postgres:
                self.postgres.stop()
            if not self.args.keep and not self.args.reuse:
                shutil.rmtree(self.workdir, ignore_errors=True)
        return self.results

    def build(self, app) -> None:
        from flask_migrate import upgrade

        from registry.search import rebuild_index

        upgrade()
        app.config["SEARCH_INDEX_ON_COMMIT"] = False  # PostgreSQL: load first, index once after (Whoosh: no index yet)
        self.results["import"] = load(SCALES[self.args.scale], label=f"importing ({self.args.scale}, {self.args.db})")
        app.config["SEARCH_INDEX_ON_COMMIT"] = True
        times, documents = [], 0
        for _ in range(self.args.reindex_runs):
            started = time.perf_counter()
            documents = rebuild_index(procs=2)
            times.append(time.perf_counter() - started)
            print(f"  reindex: {documents} documents in {times[-1]:.1f} s", file=sys.stderr)
        self.results["reindex"] = {"documents": documents, "seconds": statistics.median(times), "runs": times}

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
        self.queries = {
            "2-character terms": [f"/api/v1/units?q={quote(q)}" for q in TWO_CHARACTERS],
            "3-6 character terms": [f"/api/v1/units?q={quote(q)}" for q in SHORT_TERMS],
            "full firm names": [f"/api/v1/units?q={quote(u.name)}" for u in picked],
            "credit-code prefixes": [f"/api/v1/units?q={u.uscc[:n]}" for u in picked[:4] for n in (6, 10, 14)],
            "name+province+category": [f"/api/v1/units?{urlencode({'q': q, 'province': p, 'category': c})}"
                                       for q, p, c in FILTERS],
            "similar parcels": ["/similar?" + urlencode({k: v for k, v in (("industry", i), ("min_area", lo),
                                                                          ("max_area", hi), ("province", p)) if v})
                                for i, lo, hi, p in SIMILAR],
        }
        self.profiles = {"ordinary firm": f"/units/{ordinary.uscc}", "2,000-project firm": f"/units/{big}"}
        self.results["profiles_urls"] = self.profiles
        self.throughput_urls = {"search page": f"/search?q={quote('焦化')}", "firm profile": f"/units/{ordinary.uscc}",
                                "API": f"/api/v1/units?q={quote('苏净')}"}

    def _latencies(self, get, urls: list[str], repeat: int = 1) -> list[float]:
        times = []
        for url in urls:
            for _ in range(repeat):
                started = time.perf_counter()
                status = get(url)
                times.append((time.perf_counter() - started) * 1000)
                if status != 200:
                    raise RuntimeError(f"{url} answered {status}")
        return times

    def _measure(self, get, label: str) -> None:
        runs = self.args.runs
        self._latencies(get, [u for urls in self.queries.values() for u in urls])  # warm up: caches, jieba
        self._latencies(get, list(self.profiles.values()))
        table = {}
        everything = {run: [] for run in range(runs)}
        for name, urls in list(self.queries.items()) + [(k, [v]) for k, v in self.profiles.items()]:
            p50s, p95s = [], []
            for run in range(runs):
                times = self._latencies(get, urls, repeat=1 if name in self.queries else 20)
                p50s.append(percentile(times, 0.5))
                p95s.append(percentile(times, 0.95))
                if name in self.queries:
                    everything[run] += times
            table[name] = {"p50_ms": statistics.median(p50s), "p95_ms": statistics.median(p95s),
                           "requests_per_run": len(times)}
        table["all search queries"] = {
            "p50_ms": statistics.median(percentile(t, 0.5) for t in everything.values()),
            "p95_ms": statistics.median(percentile(t, 0.95) for t in everything.values()),
            "requests_per_run": len(everything[0])}
        self.results[label] = table

    def in_process(self, app) -> None:
        client = app.test_client()
        self._measure(lambda url: client.get(url).status_code, "latency_in_process")

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

    def over_http(self, env: dict) -> None:
        server = Gunicorn("bench.serve:app", env)
        try:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)

            def get(url: str) -> int:
                nonlocal connection
                try:
                    connection.request("GET", url)
                    response = connection.getresponse()
                    response.read()
                except (http.client.HTTPException, OSError):  # sync workers close kept-alive connections
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
                    connection.request("GET", url)
                    response = connection.getresponse()
                    response.read()
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
                return response.status

            self._measure(get, "latency_http")
            connection.close()
            seconds = WRK_SECONDS[self.args.scale]
            for url in self.throughput_urls.values():  # warm both workers (jieba, the index, caches)
                wrk(server.port, url, 2)
            registry = {name: [wrk(server.port, url, seconds) for _ in range(self.args.runs)]
                        for name, url in self.throughput_urls.items()}
            rss = server.worker_rss()
        finally:
            server.stop()
        ceiling_server = Gunicorn("bench.ceiling:app", env)
        try:
            wrk(ceiling_server.port, "/table", 2)
            ceiling = {name: [wrk(ceiling_server.port, url, seconds) for _ in range(self.args.runs)]
                       for name, url in (("flask hello", "/hello"), ("jinja 20-row table", "/table"))}
        finally:
            ceiling_server.stop()
        hello = statistics.median(ceiling["flask hello"])
        table = statistics.median(ceiling["jinja 20-row table"])
        self.results["throughput"] = {
            "ceiling": {name: statistics.median(v) for name, v in ceiling.items()},
            "registry": {name: {"requests_per_second": statistics.median(v), "of_hello": statistics.median(v) / hello,
                                "of_table": statistics.median(v) / table, "urls": self.throughput_urls[name]}
                         for name, v in registry.items()},
            "wrk": f"wrk -t2 -c8 -d{seconds}s",
        }
        self.results["worker_rss_bytes"] = rss


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


def report(results: dict) -> str:
    lines = [f"scale {results['scale']}, database {results['db']}, each figure the median of {results['runs']} runs",
             ""]
    imp, rx = results.get("import"), results.get("reindex")
    if imp is None:
        lines += ["(measured on the data of an earlier run's kept work directory: no import or reindex here)", ""]
    else:
        lines += [f"{'bulk import':44} {imp['records_per_second']:>10,.0f} records/s  ({imp['records']:,} records in "
                  f"{imp['seconds']:.1f} s; batch median {imp['batch_median_records_per_second']:,.0f}/s)",
                  f"{'full reindex':44} {rx['seconds']:>10.1f} s          ({rx['documents']:,} documents)", ""]
    for label, title in (("latency_in_process", "in process"), ("latency_http", "over HTTP")):
        lines.append(f"latency {title:36} {'p50 ms':>10} {'p95 ms':>10}")
        for name, row in results[label].items():
            lines.append(f"  {name:42} {row['p50_ms']:>10.1f} {row['p95_ms']:>10.1f}")
        lines.append("")
    through = results["throughput"]
    lines.append(f"throughput ({through['wrk']}, gunicorn 2 sync workers) {'req/s':>8} {'/hello':>8} {'/table':>8}")
    for name, value in through["ceiling"].items():
        lines.append(f"  {name:42} {value:>8,.0f}")
    for name, row in through["registry"].items():
        lines.append(f"  {name:42} {row['requests_per_second']:>8,.0f} {row['of_hello']:>8.2f} {row['of_table']:>8.2f}")
    lines += ["", f"{'worker RSS after the run':44} {', '.join(mb(r) for r in results['worker_rss_bytes'])}",
              f"{'database size':44} {mb(results['sizes']['database_bytes'])}",
              f"{'search index size':44} {mb(results['sizes']['search_index_bytes'])}"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (the median is reported)")
    parser.add_argument("--reindex-runs", type=int, default=None, help="full reindexes (default: 3, national 1)")
    parser.add_argument("--json", help="also write the results as JSON to this file")
    parser.add_argument("--keep", action="store_true", help="keep the work directory (database, index)")
    parser.add_argument("--reuse", metavar="DIR", help="measure again on a kept SQLite work directory (no build)")
    args = parser.parse_args()
    if args.reindex_runs is None:
        args.reindex_runs = 1 if args.scale == "national" else 3
    started = time.monotonic()
    results = Bench(args).run()
    results["machine"] = machine()
    results["command"] = "python bench/run.py " + " ".join(sys.argv[1:])
    results["wall_seconds"] = time.monotonic() - started
    print(report(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
