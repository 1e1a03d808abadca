"""What the app writes to disk. Every file of the Whoosh index (raw bytes, every zlib stream in
them inflated, and every stored field and term read back through Whoosh), the PostgreSQL search table, and the
SQLite database file with its write-ahead log, and every row of every table read back (on either database),
hold no full ID number and no hidden birth date of one (the index: no complainant and no contact phone either;
the database: no password), after imports and after people typed ID numbers and passwords into the forms."""
import sqlite3
import zlib
from pathlib import Path

import pytest
from sqlalchemy import text
from whoosh import index as whoosh_index

from registry.extensions import db
from registry.search import rebuild_index, search_ids
from tests.conftest import POSTGRES_URL
from tests.privacy.conftest import private_journeys

ZLIB_HEADERS = (b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda")


def inflated_streams(data: bytes) -> list[bytes]:
    """Every zlib stream inside `data` (Whoosh compresses its stored fields), inflated."""
    streams = []
    for header in ZLIB_HEADERS:
        start = data.find(header)
        while start != -1:
            try:
                streams.append(zlib.decompressobj().decompress(data[start:]))
            except zlib.error:
                pass
            start = data.find(header, start + 1)
    return streams


def whoosh_contents(directory: Path) -> str:
    """Every stored field and every term of every field of one index directory, as text."""
    ix = whoosh_index.open_dir(str(directory))
    with ix.reader() as reader:
        parts = [repr(fields) for _, fields in reader.iter_docs()]
        for fieldname in ix.schema.names():
            if ix.schema[fieldname].indexed:
                parts += [term.decode("utf-8", "replace") for term in reader.lexicon(fieldname)]
    ix.close()
    return "\n".join(parts)


@pytest.mark.sqlite_only(reason="the Whoosh index sits beside SQLite; PostgreSQL has its own test")
def test_no_file_of_the_search_index_holds_a_secret(app, secrets):
    assert search_ids("修复", "unit")  # the first search builds the index from the database
    private_journeys(app, secrets)  # then the outbox adds a segment for the firm registered on the web
    assert search_ids("青岛隐私测试修复有限公司", "unit")
    root = Path(app.config["SEARCH_INDEX_DIR"])
    leaks, inflated = [], 0
    files = sorted(p for p in root.rglob("*") if p.is_file())
    for path in files:
        data = path.read_bytes()
        leaks += secrets.in_bytes(str(path.relative_to(root)), data)
        for stream in inflated_streams(data):
            inflated += len(stream)
            leaks += secrets.in_bytes(f"{path.relative_to(root)} (inflated)", stream)
    directories = {toc.parent for toc in root.rglob("*.toc")}
    contents = {directory: whoosh_contents(directory) for directory in directories}
    for directory, content in contents.items():
        leaks += secrets.in_text(f"{directory.name} (read through Whoosh)", content)
    assert leaks == []
    assert any("370202********0458" in content for content in contents.values())  # masked numbers are there
    assert inflated > 0
    print(f"\nsearch index: {len(files)} files, {secrets.scanned['bytes']:,} bytes scanned "
          f"({inflated:,} of them inflated), index directories read back: {len(directories)} "
          f"({secrets.scanned['characters']:,} characters); leaks: 0")


@pytest.mark.skipif(not POSTGRES_URL, reason="the PostgreSQL search table exists on PostgreSQL only")
def test_no_row_of_the_postgresql_search_table_holds_a_secret(app, secrets):
    rebuild_index()
    private_journeys(app, secrets)
    rows = db.session.execute(text("SELECT search_document::text FROM search_document")).scalars().all()
    assert len(rows) > 20
    leaks = secrets.in_text("search_document", "\n".join(rows))
    terms = db.session.execute(text("SELECT term FROM search_gram")).scalars().all()  # the term frequencies
    leaks += secrets.in_text("search_gram", "\n".join(terms))
    assert leaks == []
    print(f"\nsearch_document: {len(rows)} rows, {secrets.scanned['characters']:,} characters scanned; leaks: 0")


@pytest.mark.sqlite_only(reason="reads the SQLite database file byte for byte")
def test_the_database_file_and_its_write_ahead_log_hold_no_plaintext_id_number(app, app_config, secrets):
    private_journeys(app, secrets)
    path = Path(app_config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    wal = path.with_name(path.name + "-wal")
    assert wal.stat().st_size > 0  # the latest writes are still in the log
    needles = sorted(secrets.id_needles() | secrets.passwords)  # phones and complainants are kept for regulators
    leaks = secrets.in_bytes(path.name, path.read_bytes(), needles) + secrets.in_bytes(wal.name, wal.read_bytes(),
                                                                                        needles)
    db.session.remove()
    db.engine.dispose()
    with sqlite3.connect(path) as connection:  # everything moved into the database file
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    leaks += secrets.in_bytes(f"{path.name} after a checkpoint", path.read_bytes(), needles)
    assert leaks == []
    print(f"\ndatabase: {secrets.scanned['files']} files, {secrets.scanned['bytes']:,} bytes scanned for "
          f"{len(secrets.id_numbers)} full numbers, their hidden digits and {len(secrets.passwords)} passwords "
          f"({len(needles)} needles); leaks: 0")


def test_no_row_of_any_table_holds_a_plaintext_id_number_or_password(app, secrets):
    private_journeys(app, secrets)
    needles = sorted(secrets.id_needles() | secrets.passwords)
    rows = 0
    leaks = []
    for table in db.metadata.sorted_tables:
        values = db.session.execute(table.select()).all()
        rows += len(values)
        leaks += secrets.in_text(table.name, "\n".join(map(repr, values)), needles)
    assert leaks == []
    assert rows > 500
    print(f"\ntables: {len(db.metadata.sorted_tables)} tables, {rows} rows, {secrets.scanned['characters']:,} "
          f"characters scanned; leaks: 0")
