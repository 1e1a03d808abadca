"""What the fuzz tests generated, counted per test (and schemathesis's requests per API operation), printed at the
end of the run. Under pytest-xdist each worker counts its own tests and hands its counts to the controller when it
finishes, which adds them up and prints them (the hooks are in tests/conftest.py, the one conftest the controller
loads)."""
import os
from collections import Counter

GENERATED: Counter = Counter()  # inputs generated per test; the summary prints them and their total
API_CASES: Counter = Counter()  # requests schemathesis sent per API operation (beside them, not in the total)


def hand_over(workeroutput: dict) -> None:
    """In an xdist worker at the end of its session: its counts, for the controller."""
    workeroutput["fuzz_tally"] = {"generated": dict(GENERATED), "api_cases": dict(API_CASES)}


def take(workeroutput: dict) -> None:
    """In the xdist controller: add one worker's counts."""
    tally = workeroutput.get("fuzz_tally", {})
    GENERATED.update(tally.get("generated", {}))
    API_CASES.update(tally.get("api_cases", {}))


def write_summary(terminalreporter) -> None:
    seed = os.environ.get("REGISTRY_FUZZ_SEED", "").strip()
    if GENERATED:
        how = (f"seed {seed}; replay with REGISTRY_FUZZ_SEED={seed} make test-slow" if seed
               else "derandomized: the same inputs on every run")
        terminalreporter.write_sep("-", f"fuzz: generated inputs ({how})")
        for test, count in sorted(GENERATED.items()):
            terminalreporter.write_line(f"{count:7d}  {test}")
        terminalreporter.write_line(f"{sum(GENERATED.values()):7d}  in all")
    if API_CASES:
        terminalreporter.write_sep("-", "schemathesis: requests per API operation")
        for operation, count in sorted(API_CASES.items()):
            terminalreporter.write_line(f"{count:7d}  {operation}")
