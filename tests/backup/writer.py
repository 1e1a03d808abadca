"""A writer in a process of its own: firms with a project each, imported one transaction at a time."""
import sys

from registry.access import SYSTEM
from registry.app import create_app
from registry.exchange import import_records
from tests.conftest import TEST_KEYS
from tests.factories import make_uscc, project_record, unit_record


def write_firms(database_url: str, index_dir: str, count: int) -> None:
    """Import `count` firms, each with one project, each firm in its own import (its own transaction)."""
    app = create_app({**TEST_KEYS, "SQLALCHEMY_DATABASE_URI": database_url, "SEARCH_INDEX_DIR": index_dir,
                      "TODAY": "2026-11-26"})
    with app.app_context():
        for n in range(count):
            code = make_uscc("510100", 900000 + n)
            import_records(SYSTEM, [unit_record(code, name=f"成都并发写入修复有限公司{n}号", division_code="510104"),
                                    project_record(code, f"W-{n}", division_code="510104")])
            print(n, flush=True)  # the test waits for the first line before taking backups


if __name__ == "__main__":
    write_firms(sys.argv[1], sys.argv[2], int(sys.argv[3]))
