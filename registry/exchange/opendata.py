"""Open data files: the public export (`export --public`, DESIGN §5) built into files, as JSON Lines and as one
CSV per kind, each with a gzip copy, and a manifest (generation time, data generation, size, SHA-256, records).

Both formats come from one pass over the same public export, so the CSV files hold exactly what the JSON Lines
file holds: only what is public today, masked, without contacts or complainants.

Layout of the folder (`OPEN_DATA_DIR`, by default `open-data/` in the instance folder; several servers may
share one): `builds/<build>/` holds one build's files, `manifest.json` names the build being served. A build is
written into `builds/.partial-<build>/`, each file fsynced, the folder renamed, then the manifest replaced by a
rename: a reader sees the old build or the new one, never half of one, and the manifest's sizes and hashes
always describe the files it names. The previous build stays (a download that started from it finishes); older
ones are removed.
"""
import csv
import fcntl
import gzip
import hashlib
import io
import json
import multiprocessing
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import func, select

from registry.clock import beijing, today
from registry.exchange.export import export_jsonl
from registry.extensions import db
from registry.generation import current as current_generation
from registry.models import Complaint, Penalty, Person, Project, Review, Unit

# kind -> columns; a dotted name reads inside a nested object
CSV_KINDS: dict[str, list[str]] = {
    "unit": ["uscc", "name", "legal_representative", "division_code", "address", "categories", "established_on",
             "ceased_on", "registration_confirmed", "commitment.signed_at"],
    "person": ["public_id", "id_number_masked", "name", "unit_uscc", "title"],
    "project": ["ref", "unit_uscc", "category", "name", "parcel_name", "division_code", "area_m2", "owner",
                "owner_uscc", "former_industry", "started_on", "contract_deadline", "completed_on", "people"],
    "review": ["project_ref", "unit_uscc", "report_type", "round", "reviewed_on", "passed", "authority"],
    "penalty": ["decision_number", "party_name", "subject.uscc", "legal_representative", "id_type", "subject.public_id",
                "subject.id_number_masked", "violation_type", "violation", "basis", "kinds", "content", "fine_yuan",
                "confiscated_yuan", "licence_action", "decided_on", "publicity_ends_on", "authority",
                "authority_division_code", "authority_uscc", "data_source", "severity", "ban.until", "ban.lifetime", "ban.categories",
                "repaired_on"],
    "complaint": ["ref", "project_ref", "unit_uscc", "received_on", "status", "verified_on", "finding", "authority"],
}
CSV_EXTRA_COLUMNS = ["generated_on"]
JSONL_NAME = "registry-public.jsonl"
MANIFEST_NAME = "manifest.json"
MANIFEST_FORMAT = 1
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 1 << 20


def file_names() -> list[str]:
    """The names of the published files (each also has a `.gz` copy)."""
    return [JSONL_NAME] + [f"{kind}.csv" for kind in CSV_KINDS]


def open_data_dir() -> Path:
    """Where the files are: `OPEN_DATA_DIR` (by default `open-data/` in the instance folder)."""
    return Path(current_app.config["OPEN_DATA_DIR"])


def _cell(record: dict, column: str) -> str:
    value = record
    for key in column.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(":".join(str(v) for k, v in item.items() if k != "id_number_masked")
                        if isinstance(item, dict) else str(item) for item in value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value  # a spreadsheet would run it as a formula (CSV injection); the JSON keeps it exact
    return str(value)


class _HashingWriter:
    """A binary file that also counts and hashes what is written to it (the manifest's size and SHA-256)."""

    def __init__(self, raw):
        self.raw, self.sha256, self.size = raw, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.sha256.update(data)
        self.size += len(data)
        return self.raw.write(data)

    def flush(self) -> None:
        self.raw.flush()


class _PublishedFile:
    """One file of a build and its gzip copy, written side by side in one pass."""

    def __init__(self, folder: Path, name: str):
        self.name = name
        self.plain = _HashingWriter(open(folder / name, "xb"))
        self.packed_raw = _HashingWriter(open(folder / f"{name}.gz", "xb"))
        # mtime=0 and no file name in the header: the same content gives the same .gz, byte for byte
        self.packed = gzip.GzipFile(filename="", mode="wb", fileobj=self.packed_raw, mtime=0, compresslevel=6)
        self.buffer: list[bytes] = []
        self.buffered = 0

    def write(self, text: str) -> None:
        data = text.encode("utf-8")
        self.buffer.append(data)
        self.buffered += len(data)
        if self.buffered >= CHUNK:
            self._drain()

    def _drain(self) -> None:
        data = b"".join(self.buffer)
        self.buffer, self.buffered = [], 0
        self.plain.write(data)
        self.packed.write(data)

    def close(self) -> dict:
        """Flush, fsync and close both copies; their sizes and hashes."""
        self._drain()
        self.packed.close()
        for writer in (self.plain, self.packed_raw):
            writer.raw.flush()
            os.fsync(writer.raw.fileno())
            writer.raw.close()
        return {"size": self.plain.size, "sha256": self.plain.sha256.hexdigest(),
                "gzip": {"size": self.packed_raw.size, "sha256": self.packed_raw.sha256.hexdigest()}}

    def discard(self) -> None:
        for raw in (self.plain.raw, self.packed_raw.raw):
            raw.close()


def _csv_row(writer, buffer: io.StringIO, cells: list[str]) -> str:
    buffer.seek(0)
    buffer.truncate()
    writer.writerow(cells)
    return buffer.getvalue()


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def records_upper_bound() -> int:
    """How many records the export can hold at most (every row of every kind): a progress bar's length."""
    return sum(db.session.scalar(select(func.count()).select_from(model)) or 0
               for model in (Unit, Person, Project, Review, Penalty, Complaint))


def build(folder: Path | None = None, progress: Callable[[int], None] | None = None) -> dict:
    """Build every open-data file from the public export into FOLDER (default `open_data_dir()`) and point the
    manifest at them; returns the manifest. The caller holds the build lock (see `build_lock`)."""
    folder = folder or open_data_dir()
    builds = folder / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    for leftover in builds.glob(".partial-*"):  # from a build that died: the lock says none is running
        shutil.rmtree(leftover, ignore_errors=True)
    started = time.perf_counter()
    generation = current_generation()  # read before the export: a write during the build leaves the files stale
    built_at = datetime.now(UTC)
    name = f"{built_at:%Y%m%dT%H%M%S%fZ}-g{generation.number}"
    partial = builds / f".partial-{name}"
    partial.mkdir()
    files = {file_name: _PublishedFile(partial, file_name) for file_name in file_names()}
    try:
        counts = _write_files(files, progress)
        described = {file_name: published.close() for file_name, published in files.items()}
    except BaseException:
        for published in files.values():
            published.discard()
        shutil.rmtree(partial, ignore_errors=True)
        raise
    day = counts.pop("meta.generated_on")
    for file_name, entry in described.items():
        kind = file_name.removesuffix(".csv")
        entry["records"] = counts.copy() if file_name == JSONL_NAME else {kind: counts.get(kind, 0)}
    _fsync_dir(partial)
    final = builds / name
    partial.rename(final)
    _fsync_dir(builds)
    manifest = {"format": MANIFEST_FORMAT, "build": name, "built_at": beijing(built_at).isoformat(timespec="seconds"),
                "generation": generation.number, "day": day, "build_seconds": round(time.perf_counter() - started, 3),
                "files": described}
    _write_manifest(folder, manifest)
    _remove_old_builds(builds, keep={name, _previous_build(folder, name)})
    return manifest


def _write_files(files: dict[str, "_PublishedFile"], progress) -> dict:
    """One pass over the public export: every line to the JSON Lines file, each record as a row of its kind's CSV
    file. The records counted by kind, and the export's date under `meta.generated_on`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for kind, columns in CSV_KINDS.items():
        files[f"{kind}.csv"].write("\ufeff" + _csv_row(writer, buffer, columns + CSV_EXTRA_COLUMNS))
    counts = {kind: 0 for kind in CSV_KINDS}
    jsonl = files[JSONL_NAME]
    generated = today().isoformat()
    pending = 0
    for line in export_jsonl(public=True):
        jsonl.write(line)
        record = json.loads(line)
        kind = record.get("kind")
        if kind == "meta":
            generated = record["generated_on"]
            continue
        counts[kind] += 1
        files[f"{kind}.csv"].write(_csv_row(writer, buffer, [_cell(record, column) for column in CSV_KINDS[kind]]
                                            + [generated]))
        pending += 1
        if progress and pending == 1000:
            progress(pending)
            pending = 0
    if progress and pending:
        progress(pending)
    counts["meta.generated_on"] = generated
    return counts


def _write_manifest(folder: Path, manifest: dict) -> None:
    partial = folder / f".{MANIFEST_NAME}.partial-{os.getpid()}-{threading.get_ident()}"
    with open(partial, "w", encoding="utf-8") as out:
        json.dump(manifest, out, ensure_ascii=False, indent=1)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, folder / MANIFEST_NAME)
    _fsync_dir(folder)


def _previous_build(folder: Path, current: str) -> str | None:
    """The newest build before CURRENT: a download that read the old manifest may still be opening it."""
    older = sorted(path.name for path in (folder / "builds").iterdir()
                   if not path.name.startswith(".") and path.name < current)
    return older[-1] if older else None


def _remove_old_builds(builds: Path, keep: set) -> None:
    for path in builds.iterdir():
        if not path.name.startswith(".") and path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def read_manifest(folder: Path | None = None) -> dict | None:
    """The manifest of the build being served, or None when nothing was built yet."""
    try:
        with open((folder or open_data_dir()) / MANIFEST_NAME, encoding="utf-8") as file:
            return json.load(file)
    except FileNotFoundError:
        return None


def published_path(manifest: dict, file_name: str, packed: bool = False, folder: Path | None = None) -> Path:
    """The path of one file of the build MANIFEST names (its gzip copy when PACKED)."""
    return (folder or open_data_dir()) / "builds" / manifest["build"] / (f"{file_name}.gz" if packed else file_name)


@contextmanager
def build_lock(folder: Path | None = None, wait: bool = False) -> Iterator[bool]:
    """An exclusive lock on the folder's lock file: one build at a time across workers and servers sharing the
    folder (fcntl locks work across processes, and on NFS through its lock manager). Yields whether it was got."""
    folder = folder or open_data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".build.lock", "a+b") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def staleness(manifest: dict | None) -> str | None:
    """Why the files must be rebuilt: "missing", "day" (the Beijing day changed, and with it what is public),
    "generation" (a write since the build), or None when they are current."""
    if manifest is None:
        return "missing"
    if manifest["day"] != today().isoformat():
        return "day"
    if manifest["generation"] < current_generation().number:
        return "generation"
    return None


def rebuild_is_due(manifest: dict | None) -> bool:
    """True when a build should start now: no files, a new Beijing day, or a write since the build and the build
    older than `OPEN_DATA_DEBOUNCE_SECONDS` (a burst of writes gives one build, not one each)."""
    reason = staleness(manifest)
    if reason in (None, "generation"):
        if reason is None:
            return False
        built = datetime.fromisoformat(manifest["built_at"])
        return (datetime.now(UTC) - built).total_seconds() >= current_app.config["OPEN_DATA_DEBOUNCE_SECONDS"]
    return True


_starting = threading.Lock()  # one background build per worker; the file lock makes it one across workers
_running: multiprocessing.process.BaseProcess | None = None


def refresh_in_background() -> multiprocessing.process.BaseProcess | None:
    """Start a build in a child process of this worker when one is due and none runs here; the process, or None.
    The previous files are served meanwhile. A forked child, not a thread: the build's memory (a national export
    passes through it) is returned when the child ends, so a worker stays at its usual size and never pauses its
    requests for the build's Python work."""
    global _running
    if not rebuild_is_due(read_manifest()):
        return None
    with _starting:
        if _running is not None and _running.is_alive():  # is_alive() also reaps a finished child
            return _running
        app = current_app._get_current_object()
        _running = multiprocessing.get_context("fork").Process(target=_build_if_still_due, args=(app,),
                                                               name="open-data-build", daemon=True)
        _running.start()
        return _running


def _build_if_still_due(app: Flask) -> None:
    with app.app_context():
        db.engine.dispose(close=False)  # the parent's pooled connections stay the parent's
        try:
            with build_lock() as locked:
                # another worker or server may have built while this one waited to start
                if locked and rebuild_is_due(read_manifest()):
                    manifest = build()
                    app.logger.info("open data built: build %s, generation %s, %.1f s", manifest["build"],
                                    manifest["generation"], manifest["build_seconds"])
        except Exception:
            app.logger.exception("open data build failed; the previous files are still served")
        finally:
            db.session.remove()
