"""Scale data for the benchmark: deterministic, realistic Chinese records (the demo generator of
`registry.services.demo`), loaded through the import service's bulk path (`import_jsonl`, the same
all-or-nothing, idempotent import as `flask registry import`), batch after batch, with a progress bar.

    python bench/generate.py --scale tiny|small|national [--big-firm 2000]

loads into the database of the environment (DATABASE_URL, or SQLite under instance/). `bench/run.py` calls
`load()` on a fresh database of its own.
"""
import argparse
import json
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from registry.access import SYSTEM  # noqa: E402
from registry.services.audit import json_value  # noqa: E402
from registry.services.demo import generate_records  # noqa: E402
from registry.exchange import import_jsonl  # noqa: E402


@dataclass(frozen=True)
class Scale:
    firms: int
    persons_per_firm: tuple[int, int]
    projects_per_firm: tuple[int, int]


# Averages: small 5 persons and 20 projects a firm (10,000 and 40,000); national 4 and 20 (200,000 and
# 1,000,000); reviews, penalties and complaints follow from the projects (see generate_records).
SCALES = {
    "tiny": Scale(200, (3, 7), (10, 30)),
    "small": Scale(2_000, (3, 7), (10, 30)),
    "national": Scale(50_000, (2, 6), (10, 30)),
}
BIG_FIRM_SEED = 424242
BIG_FIRM_NAME = "国土大型环境修复集团有限公司"
FIRMS_PER_BATCH = 500


def _lines(records) -> list[str]:
    return [json.dumps(record, default=json_value, ensure_ascii=False) for record in records]


def batches(scale: Scale, big_firm_projects: int = 2000):
    """The exchange-format lines of each batch, in load order; the big firm's batch comes last."""
    for first in range(0, scale.firms, FIRMS_PER_BATCH):
        yield _lines(generate_records(min(FIRMS_PER_BATCH, scale.firms - first), seed=1000 + first,
                                      projects_per_firm=scale.projects_per_firm,
                                      persons_per_firm=scale.persons_per_firm, first_firm=first, tag=f"B{first:05d}"))
    if big_firm_projects:
        records = list(generate_records(1, seed=BIG_FIRM_SEED, projects_per_firm=(big_firm_projects, big_firm_projects),
                                        persons_per_firm=(20, 20), first_firm=7, tag="BIG"))
        records[0]["name"] = BIG_FIRM_NAME
        records[0]["commitment"] = {"signed_at": "2024-01-02T09:00:00+08:00", "signer": "法定代表人"}
        yield _lines(records)


def load(scale: Scale, big_firm_projects: int = 2000, label: str = "loading") -> dict:
    """Generate (untimed) and import (timed) batch after batch; returns counts and import timings."""
    records, import_seconds, rates, kinds = 0, 0.0, [], {}
    count = -(-scale.firms // FIRMS_PER_BATCH) + (1 if big_firm_projects else 0)
    with click.progressbar(batches(scale, big_firm_projects), length=count, label=label, file=sys.stderr,
                           show_pos=True) as bar:
        for lines in bar:
            started = time.perf_counter()
            report = import_jsonl(SYSTEM, lines)
            seconds = time.perf_counter() - started
            import_seconds += seconds
            records += len(lines)
            rates.append(len(lines) / seconds)
            for kind, n in report.created.items():
                kinds[kind] = kinds.get(kind, 0) + n
    return {"records": records, "seconds": import_seconds, "records_per_second": records / import_seconds,
            "batch_median_records_per_second": statistics.median(rates), "created": kinds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--big-firm", type=int, default=2000, help="projects of the one big firm (0: none)")
    args = parser.parse_args()
    from registry.app import create_app

    app = create_app()
    with app.app_context():
        result = load(SCALES[args.scale], args.big_firm)
    print(f"{result['records']} records imported in {result['seconds']:.1f} s: "
          f"{result['records_per_second']:.0f} records/s; created {result['created']}")


if __name__ == "__main__":
    main()
