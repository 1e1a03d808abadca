"""The credit report of the 2,000-project firm: how long issuing it, its page and its PDF take (median of runs).

    python bench/report.py [--scale firm|tiny|small] [--db sqlite|postgresql] [--runs 5]

Builds a fresh database in a temporary directory (SQLite; or, with `--db postgresql`, a database on the server
DATABASE_URL names), loads the big firm of `bench/generate.py` (2,000 projects, with their reviews, penalties
and complaints; `--scale tiny|small` loads the other firms of that scale first), then times, each run in turn:
reading the report's content, issuing it (the read, the digest and the write), the HTML page and the PDF, the
last two through the app as a visitor asks for them. The first PDF of a process also loads WeasyPrint and the
fonts: it is reported apart, not in the median. Prints one table; nothing is written outside the temporary
directory.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask import current_app  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench.generate import BIG_FIRM_NAME, SCALES, Scale, load  # noqa: E402
from registry.app import create_app  # noqa: E402
from registry.extensions import db  # noqa: E402
from registry.models import Project, Review, Unit  # noqa: E402
from registry.queries.credit_reports import unit_report_content  # noqa: E402
from registry.services.complaint_filing import PUBLIC  # noqa: E402
from registry.services.credit_reports import issue_credit_report  # noqa: E402

TODAY = "2026-11-26"


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return (time.perf_counter() - started) * 1000, result


def pdf_pages(data: bytes) -> str:
    """The PDF's page count, as poppler's pdfinfo reads it (WeasyPrint packs its page objects into compressed
    object streams, so counting "/Type /Page" in the bytes finds none); "?" without pdfinfo."""
    if not shutil.which("pdfinfo"):
        return "?"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        info = subprocess.run(["pdfinfo", file.name], capture_output=True, text=True, check=False).stdout
    found = re.search(r"^Pages:\s+(\d+)", info, re.M)
    return found.group(1) if found else "?"


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):9.1f} {min(values):9.1f} {max(values):9.1f}"


def measure(runs: int) -> dict:
    """Time the report of the big firm `runs` times (the database is the app's, already loaded)."""
    current_app.config["REPORTS_PER_ADDRESS_PER_HOUR"] = 10**6
    uscc, unit_id = db.session.execute(select(Unit.uscc, Unit.id).where(Unit.name == BIG_FIRM_NAME)).one()
    projects = db.session.scalar(select(func.count()).select_from(Project).where(Project.unit_id == unit_id))
    reviews = db.session.scalar(select(func.count()).select_from(Review).join(Project).where(Project.unit_id == unit_id))
    db.session.rollback()
    client = current_app.test_client()
    figures = {"content": [], "issue": [], "html": [], "pdf": []}
    first_pdf, pages, size, shown = None, None, None, None
    for run in range(runs + 1):
        ms, content = timed(lambda: unit_report_content(uscc))
        db.session.rollback()
        shown = (len(content.content["projects"]), len(content.content["reviews"]))
        issue_ms, report = timed(lambda: issue_credit_report(PUBLIC, lambda: unit_report_content(uscc),
                                                             purpose="基准测试招标项目", address=f"bench-{run}"))
        number = report.number
        html_ms, page = timed(lambda: client.get(f"/reports/{number}"))
        pdf_ms, pdf = timed(lambda: client.get(f"/reports/{number}.pdf"))
        assert page.status_code == 200 and pdf.status_code == 200, (page.status_code, pdf.status_code)
        size = len(pdf.get_data())
        pages = pdf_pages(pdf.get_data())
        if run == 0:
            first_pdf = pdf_ms
            print(f"        warm-up: content {ms:.0f} ms, issue {issue_ms:.0f} ms, page {html_ms:.0f} ms, PDF {pdf_ms:.0f} ms",
                  file=sys.stderr)
            continue  # the warm-up: imports, fonts, compiled statements
        for key, value in (("content", ms), ("issue", issue_ms), ("html", html_ms), ("pdf", pdf_ms)):
            figures[key].append(value)
        print(f"        run {run} of {runs}: content {ms:.0f} ms, issue {issue_ms:.0f} ms, page {html_ms:.0f} ms, "
              f"PDF {pdf_ms:.0f} ms", file=sys.stderr)
    return {"uscc": uscc, "projects": projects, "reviews": reviews, "shown": shown, "figures": figures,
            "first_pdf": first_pdf, "pdf_bytes": size, "pdf_pages": pages, "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["firm", "tiny", "small"], default="firm",
                        help="firm: the big firm alone; tiny or small: that scale's firms too")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="registry-report-bench-"))
    admin, database = None, None
    try:
        if args.db == "postgresql":
            server = os.environ.get("DATABASE_URL")
            if not server:
                raise SystemExit("--db postgresql needs DATABASE_URL naming a server this script may create a "
                                 "database on")
            admin = sa.create_engine(sa.engine.make_url(server).set(drivername="postgresql+psycopg"),
                                     isolation_level="AUTOCOMMIT")
            database = f"registry_report_bench_{uuid.uuid4().hex[:8]}"
            with admin.connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{database}" ENCODING UTF8 TEMPLATE template0')
            url = str(sa.engine.make_url(server).set(drivername="postgresql+psycopg", database=database))
        else:
            url = f"sqlite:///{workdir / 'registry.sqlite3'}"
        os.environ.update({"DATABASE_URL": url, "SEARCH_INDEX_DIR": str(workdir / "search-index"),
                           "OPEN_DATA_DIR": str(workdir / "open-data"), "SECRET_KEY": "bench-secret-key",
                           "ID_NUMBER_KEY": "YmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmJiYmI="})
        app = create_app({"TODAY": TODAY})
        with app.app_context():
            upgrade()
            scale = SCALES[args.scale] if args.scale != "firm" else Scale(0, (3, 7), (10, 30))
            load(scale, 2000, label=f"loading ({args.scale}, {args.db})")
            result = measure(args.runs)
            db.session.remove()
            db.engine.dispose()
    finally:
        if admin is not None:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            admin.dispose()
        shutil.rmtree(workdir, ignore_errors=True)
    figures = result["figures"]
    print(f"credit report of the 2,000-project firm ({args.scale}, {args.db}): {result['projects']:,} projects and "
          f"{result['reviews']:,} review outcomes in the database, {result['shown'][0]:,} and {result['shown'][1]:,} "
          f"public in the report; PDF {result['pdf_pages']} pages, {result['pdf_bytes'] / 1024:,.0f} KB")
    print(f"{'':40}{'median ms':>9} {'min':>9} {'max':>9}   ({result['runs']} runs after one warm-up)")
    for key, label in (("content", "read the content (SQL)"), ("issue", "issue (read, digest, write)"),
                       ("html", "the report page (HTML)"), ("pdf", "the PDF (WeasyPrint)")):
        print(f"  {label:38}{summary(figures[key])}")
    issue_and_pdf = [a + b for a, b in zip(figures["issue"], figures["pdf"])]
    print(f"  {'issue, then the PDF':38}{summary(issue_and_pdf)}")
    print(f"  {'first PDF of the process (warm-up)':38}{result['first_pdf']:9.1f}")


if __name__ == "__main__":
    main()
