"""`make serve` as the operator runs it: the schema migrated, then gunicorn with gunicorn.conf.py on 127.0.0.1. It
answers a public page, revalidates it with a 304, and its access log holds no query string; the master and then
each worker freeze what they loaded out of the collector's full passes."""
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from registry import ROOT
from tests.conftest import POSTGRES_URL
from tests.deploy.test_two_servers import empty_database  # noqa: F401 (a fixture)
from tests.live_server import app_env, free_port


@pytest.fixture
def database(request, tmp_path):
    """An empty database: a new SQLite file, or a new PostgreSQL database when the suite runs on PostgreSQL."""
    if POSTGRES_URL:
        return request.getfixturevalue("empty_database")
    return f"sqlite:///{tmp_path / 'registry.sqlite3'}"


def get(url: str, **headers: str) -> tuple[int, dict[str, str]]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
            response.read()
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def test_make_serve_answers_a_page_and_revalidates_it(database, tmp_path):
    port = free_port()
    env = {**app_env(database, tmp_path), "REGISTRY_INSTANCE_PATH": str(tmp_path / "instance"),
           "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2",
           "GUNICORN_ACCESS_LOG": str(tmp_path / "access.log"), "GUNICORN_FREEZE_AFTER": "2"}
    # the shared virtualenv, and no `setup` (it would reinstall the packages): only the target's own commands
    command = ["make", "--no-print-directory", "-o", "setup", f"BIN={Path(sys.executable).parent}", "serve"]
    with open(tmp_path / "serve.log", "w") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline, status = time.monotonic() + 120, None
        while time.monotonic() < deadline and server.poll() is None and status != 200:
            try:
                status, headers = get(base + "/")
            except OSError:
                time.sleep(0.5)
        assert status == 200, (tmp_path / "serve.log").read_text(encoding="utf-8")[-3000:]
        assert headers["Cache-Control"] == "public, max-age=60"
        status, again = get(base + "/", **{"If-None-Match": headers["ETag"]})
        assert status == 304 and again["ETag"] == headers["ETag"]
        assert get(base + "/search?q=" + urllib.parse.quote("王建国"))[0] == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    # the master froze what it loaded before forking: the workers' full collections skip it; and a worker froze
    # its own caches too, after its first two requests (the four above went to one worker or two)
    log = (tmp_path / "serve.log").read_text(encoding="utf-8")
    frozen = re.search(r"([\d,]+) objects frozen out", log)
    assert frozen and int(frozen.group(1).replace(",", "")) > 50_000
    worker = re.search(r"froze its caches after 2 requests: ([\d,]+) objects frozen in all", log)
    assert worker and int(worker.group(1).replace(",", "")) > int(frozen.group(1).replace(",", "")), log[-3000:]
    access = (tmp_path / "access.log").read_text(encoding="utf-8")
    assert '"GET / HTTP/1.1" 304' in access and '"GET /search HTTP/1.1" 200' in access
    assert "?" not in access and "王建国" not in access and "%E7%8E%8B" not in access
