"""The app served by gunicorn on 127.0.0.1 (a free port, its own database and search index), and `flask` commands
run as a newcomer runs them: shared by the browser journeys, the API fuzzing and the log scan."""
import base64
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def app_env(database_url: str, workdir: Path) -> dict[str, str]:
    """The environment of the app's processes (server and `flask` commands) for one test database."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SEARCH_INDEX_DIR": str(workdir / "search-index"),
        "SECRET_KEY": "browser-test-secret",
        "ID_NUMBER_KEY": base64.b64encode(b"b" * 32).decode(),
        "FLASK_APP": "wsgi:app",
        # as tests/conftest.py: a download after a write waits for its rebuild, so a journey reads what it wrote
        "OPEN_DATA_DIR": str(workdir / "open-data"),
        "OPEN_DATA_DEBOUNCE_SECONDS": "0",
        "OPEN_DATA_WAIT_SECONDS": "60",
    }


def flask_command(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Run `flask ARGS...` as a newcomer would in a terminal (output captured as text)."""
    return subprocess.run([str(Path(sys.executable).parent / "flask"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


class LiveServer:
    """gunicorn serving the app on 127.0.0.1 with its own database and search index."""

    def __init__(self, database_url: str, workdir: Path, demo: bool, env: dict[str, str] | None = None,
                 gunicorn_args: tuple[str, ...] = (), workers: int = 2):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**app_env(database_url, workdir), **(env or {})}
        bin_dir = Path(sys.executable).parent
        if demo:
            loaded = flask_command(self.env, "registry", "demo", "--firms", "120")
            if loaded.returncode != 0:
                raise RuntimeError(f"the demo did not load: {loaded.stderr[-2000:]}")
        self.log = open(workdir / "gunicorn.log", "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            [str(bin_dir / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}", *gunicorn_args,
             "wsgi:app"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 180  # a loaded machine (the suite runs one process per core) starts slowly
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not start; see gunicorn.log")

    def stop(self) -> None:
        """Stop the server; fail if it logged an unhandled error (a page that answered 500) along the way."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()  # reaped: a killed server is never left behind as a running Popen
        self.log.close()
        logged = Path(self.log.name).read_text(encoding="utf-8", errors="replace")
        assert "Traceback" not in logged, logged[logged.index("Traceback"):][:3000]
