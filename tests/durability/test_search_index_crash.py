"""The Whoosh index killed mid-write (an import's outbox drain, a rebuild), SIGKILLed at
seeded moments, is found out by `flask search check` (documents, text, order, pending changes) and rebuilt,
and then answers exactly as an index freshly rebuilt in another directory; a damaged index (a truncated
segment, a missing or broken table of contents) is detected and rebuilt; a lock left by a killed writer
blocks no one. Runs on SQLite and, with DATABASE_URL, on PostgreSQL with the Whoosh backend."""
import random
import re
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from registry.clock import today
from registry.extensions import db
from registry.models import Person, SearchOutbox, Unit
from registry.search import backend, check_index, rebuild_index, search_ids
from registry.search.documents import all_documents
from registry.search.whoosh_backend import WhooshBackend
from tests.durability.conftest import bulk_lines, firm_code, write_lines
from tests.factories import create, make_uscc, unit_record
from tests.portal.conftest import registry_data  # noqa: F401  (the small registry, imported)

BASE_FIRMS = 60
ROUND_FIRMS = 20
SPREAD_KILLS = 3
STEP_KILLS = 2


@pytest.fixture
def app_config(app_config):
    """The Whoosh backend on either database; a short lock timeout, so a lock still held would show at once."""
    return {**app_config, "SEARCH_BACKEND": "whoosh", "SEARCH_LOCK_TIMEOUT": 2.0}


@pytest.fixture
def registry(registry_data):
    """The small registry, 60 bulk-loaded firms with their staff and projects, and a fresh index."""
    create(*bulk_lines(0, BASE_FIRMS))
    rebuild_index()
    return registry_data


def queries() -> list[tuple[str, str, set[int] | None]]:
    """What the public asks: brand fragments, a firm's name, persons, a code prefix, and SQL filters."""
    shanxi = set(db.session.scalars(select(Unit.id).where(Unit.division_code.like("14%"))))
    shandong = set(db.session.scalars(select(Unit.id).where(Unit.division_code.like("37%"))))
    some_persons = set(db.session.scalars(select(Person.id).order_by(Person.id.desc()).limit(40)))
    db.session.rollback()
    return [
        ("苏净", "unit", None), ("焦化", "unit", None), ("焦化", "unit", shanxi), ("焦化", "unit", shandong),
        ("山西焦化土壤修复有限公司", "unit", None), ("批量导入修复公司7号", "unit", None), ("批量导入", "unit", None),
        ("修复 地块", "unit", None), (firm_code(7)[:8], "unit", None), ("王建国", "person", None),
        ("导入人员", "person", None), ("导入人员", "person", some_persons), ("新名称", "unit", None),
    ]


def answers_of_fresh_rebuild(directory: Path) -> list[list[int]]:
    """The same queries on an index built from the database into another directory."""
    fresh = WhooshBackend(str(directory))
    fresh.rebuild(all_documents(db.session, today()))
    db.session.rollback()
    try:
        return [fresh.query(text, kind, allowed=allowed) for text, kind, allowed in queries()]
    finally:
        fresh.close()


def answers(directory: Path) -> tuple[list[list[int]], list[list[int]]]:
    """The app's answers, and a fresh rebuild's."""
    ours = [search_ids(text, kind, allowed=allowed) for text, kind, allowed in queries()]
    return ours, answers_of_fresh_rebuild(directory)


def round_lines(n: int) -> list[dict]:
    """An import of new firms that also renames five firms already indexed (their documents change)."""
    renamed = [{**line, "name": f"新名称{n}-{line['uscc'][-4:]}公司"}
               for line in bulk_lines(5 * n % BASE_FIRMS, 5) if line["kind"] == "unit"]
    return bulk_lines(1000 * (n + 1), ROUND_FIRMS) + renamed


def phase_of(command: str, words: list[str]) -> str:
    """Where the writer was when it died, from what it had said."""
    if "done" in words:
        return "finished"
    if command == "reindex":
        return {True: "new index written", False: "new index being built"}["index-committed" in words]
    if "index-committed" in words:
        return "index written, outbox not yet cleared"
    if "index-commit" in words:
        return "index commit under way"
    if "commit" in words:  # COMMIT is sent just after "commit": whether it completed shows in the outbox
        return "database committed, index not yet written" if words[-1] != "commit" else "database committing"
    return "database not yet committed"


def pending() -> int:
    count = db.session.scalar(select(func.count()).select_from(SearchOutbox))
    db.session.rollback()
    return count


def test_an_index_writer_killed_mid_write_is_found_out_rebuilt_and_answers_as_a_fresh_rebuild(
        app, registry, writers, tmp_path, capsys):
    writer = writers.runner()
    ours, fresh = answers(tmp_path / "fresh")
    assert ours == fresh and len(ours[6]) == 20  # "批量导入": a full page, whose order is the ranking

    # a run of each, left to finish, sets the moments: an import is killed at moments spread over its whole
    # run, then at moments just after it said it committed the database, and that it began and finished its
    # index commit; a rebuild at moments spread over its whole run
    _, heard = writer.run(f"import {write_lines(tmp_path / 'round-0.jsonl', round_lines(0))}")
    check_index()
    plan = [("import", "start", heard["done"] * 1.1 * k / SPREAD_KILLS) for k in range(SPREAD_KILLS)]
    plan += [("import", word, 0.01 * k) for word in ("commit", "index-commit", "index-committed")
             for k in range(STEP_KILLS)]
    _, heard = writer.run("reindex")
    plan += [("reindex", "start", heard["done"] * 1.1 * k / SPREAD_KILLS) for k in range(SPREAD_KILLS)]
    random.Random(6).shuffle(plan)

    tally: dict[tuple[str, str], list] = {}
    started = time.monotonic()
    for n, (command, word, delay) in enumerate(plan, start=1):
        line = f"import {write_lines(tmp_path / f'round-{n}.jsonl', round_lines(n))}" if command == "import" else command
        words, _ = writer.run(line, kill_after=delay, heard_first=word)
        phase = phase_of(command, words)
        left_pending = pending()
        found = check_index()
        if left_pending or phase in ("database committed, index not yet written", "index commit under way"):
            # the import is in the database, its index changes were cut short: the check must see it
            assert left_pending > 0 and not found.consistent and found.rebuilt is not None
        if phase == "database not yet committed" or command == "reindex":
            # nothing was written, or the old index stayed current until a new one was complete
            assert found.consistent and found.rebuilt is None
        assert check_index(repair=False).consistent
        assert unfinished_builds(app) == []  # a rebuild killed mid-way leaves no directory behind the check
        ours, fresh = answers(tmp_path / "fresh")
        assert ours == fresh
        outcome = "rebuilt" if found.rebuilt is not None else "left as it was"
        if found.interrupted_builds:
            outcome += ", its unfinished build removed"
        tally.setdefault((command, phase), []).append(outcome)
    seconds = time.monotonic() - started
    # some kills landed between the database's commit and the end of the index's
    assert any(phase.startswith(("database committed", "index")) for _, phase in tally)

    with capsys.disabled():
        print(f"\n[durability] index writers killed {len(plan)} times, checked and compared in {seconds:.1f} s: "
              + "; ".join(f"{command} killed at '{phase}': " + ", ".join(
                  f"{outcomes.count(o)} {o}" for o in sorted(set(outcomes)))
                  for (command, phase), outcomes in sorted(tally.items()))
              + f"; after each, {len(queries())} queries equal to a fresh rebuild's")


def current_directory(app) -> Path:
    root = Path(app.config["SEARCH_INDEX_DIR"])
    return root / (root / "CURRENT").read_text().strip()


def unfinished_builds(app) -> list[str]:
    """Build directories that never reached their first commit."""
    return [build.name for build in Path(app.config["SEARCH_INDEX_DIR"]).glob("ix-*")
            if not any(toc.name != "_MAIN_0.toc" for toc in build.glob("_MAIN_*.toc"))]


def damage(directory: Path, how: str) -> None:
    """What a crash without fsync can leave: a segment file cut short, or the table of contents lost or torn."""
    if how == "table of contents deleted":
        for toc in directory.glob("_MAIN_*.toc"):
            toc.unlink()
        return
    suffix = {"postings truncated": ".pst", "terms truncated": ".trm", "stored documents truncated": ".col",
              "table of contents torn": ".toc"}[how]
    for path in directory.iterdir():
        if path.name.endswith(suffix):
            path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


DAMAGE = ["postings truncated", "terms truncated", "stored documents truncated", "table of contents deleted",
          "table of contents torn"]


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_index_is_detected_by_the_check_and_rebuilt(app, registry, runner, tmp_path, how):
    damaged = current_directory(app)
    damage(damaged, how)
    backend().close()

    report = runner.invoke(args=["search", "check", "--dry-run"])
    assert report.exit_code == 1 and "the index cannot be read" in report.output
    report = runner.invoke(args=["search", "check"])
    assert report.exit_code == 0, report.output
    assert "the index cannot be read" in report.output and "rebuilt: indexed" in report.output
    assert current_directory(app) != damaged
    assert "the index matches the database" in runner.invoke(args=["search", "check"]).output
    ours, fresh = answers(tmp_path / "fresh")
    assert ours == fresh


@pytest.mark.parametrize("how", DAMAGE)
def test_a_search_on_a_damaged_index_rebuilds_it_and_answers_in_full(app, registry, client, tmp_path, how):
    damage(current_directory(app), how)
    backend().close()
    page = client.get("/search?q=苏净")
    shown = re.sub(r"<[^>]+>", "", page.get_data(as_text=True))  # the hit's name carries the query's marks
    assert page.status_code == 200 and "江苏苏净环保科技有限公司" in shown
    ours, fresh = answers(tmp_path / "fresh")
    assert ours == fresh


def test_a_lock_left_by_a_killed_writer_blocks_no_one(app, registry, writers):
    holder = writers.start("hold-index-lock")
    writers.wait_for(holder, "locked")
    lock_file = current_directory(app) / "MAIN_WRITELOCK"
    # while the writer lives, its lock holds: a change waits the 2 s timeout and stays in the outbox
    create(unit_record(make_uscc("370200", 801), name="锁期间登记的修复公司"))
    assert pending() > 0 and search_ids("锁期间登记", "unit") == []

    holder.kill()  # SIGKILL: no cleanup runs, the lock file stays behind
    holder.communicate()
    assert lock_file.exists()
    create(unit_record(make_uscc("370200", 802), name="锁释放后登记的修复公司"))
    assert pending() == 0  # this write drained both changes at once: the kernel dropped the dead one's lock
    assert len(search_ids("锁期间登记", "unit")) == 1 and len(search_ids("锁释放后登记", "unit")) == 1
