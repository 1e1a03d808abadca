"""Scale data for the benchmark: deterministic, realistic Chinese records, loaded through the import
service's bulk path (the same all-or-nothing, idempotent import as `flask registry import`), with a progress bar.

    python bench/generate.py --scale small|national|demo [--big-firm 2000]
"""
import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from registry.services.audit import SYSTEM  # noqa: E402
from registry.services.demo import generate_records  # noqa: E402
from registry.services.exchange import import_records  # noqa: E402


@dataclass(frozen=True)
class Scale:
    firms: int
    persons_per_firm: tuple[int, int]
    projects_per_firm: tuple[int, int]


# Averages: small 5 persons and 20 projects a firm (10,000 and 40,000); national 4 and 20 (200,000 and 1,000,000).
SCALES = {
    "tiny": Scale(200, (3, 7), (10, 30)),
    "small": Scale(2_000, (3, 7), (10, 30)),
    "national": Scale(50_000, (2, 6), (10, 30)),
}
BIG_FIRM_SEED = 424242
FIRMS_PER_BATCH = 250


def load(scale: Scale, big_firm_projects: int = 2000) -> dict:
    """Generate and import the data in batches of firms; returns counts and timings."""
    started, records = time.perf_counter(), 0
    batches = range(0, scale.firms, FIRMS_PER_BATCH)
    with click.progressbar(batches, label=f"loading {scale.firms} firms", file=sys.stderr) as bar:
        for first in bar:
            batch = list(generate_records(min(FIRMS_PER_BATCH, scale.firms - first), seed=1000 + first,
                                          projects_per_firm=scale.projects_per_firm,
                                          persons_per_firm=scale.persons_per_firm, first_firm=first))
            import_records(SYSTEM, batch)
            records += len(batch)
    if big_firm_projects:
        batch = list(generate_records(1, seed=BIG_FIRM_SEED, projects_per_firm=(big_firm_projects, big_firm_projects),
                                      persons_per_firm=(20, 20), first_firm=7))
        batch[0]["name"] = "国土大型环境修复集团有限公司"
        batch[0]["commitment"] = {"signed_at": "2024-01-02T09:00:00+08:00", "signer": "法定代表人"}
        import_records(SYSTEM, batch)
        records += len(batch)
    seconds = time.perf_counter() - started
    return {"records": records, "seconds": seconds, "records_per_second": records / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--big-firm", type=int, default=2000, help="projects of the one big firm (0: none)")
    args = parser.parse_args()
    from registry import create_app

    app = create_app()
    with app.app_context():
        result = load(SCALES[args.scale], args.big_firm)
    print(f"{result['records']} records in {result['seconds']:.1f} s: {result['records_per_second']:.0f} records/s")


if __name__ == "__main__":
    main()
