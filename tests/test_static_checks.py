"""Static checks: bandit finds nothing of medium severity or above, and the installed
packages are exactly the pinned ones of `constraints.txt` (pip-audit needs the network, so versions are pinned
and recorded instead)."""
import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ["registry", "public_portal", "migrations", "bench", "wsgi.py"]


def test_bandit_finds_nothing_of_medium_severity_or_above():
    scan = subprocess.run(
        [sys.executable, "-m", "bandit", "--recursive", "--severity-level", "medium", "--format", "json", "--quiet",
         *SCANNED],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    report = json.loads(scan.stdout)
    assert report["metrics"]["_totals"]["loc"] > 5000  # the scan really read the code
    findings = [f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}" for r in report["results"]]
    assert findings == []


def pinned_versions() -> dict[str, str]:
    lines = (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines()
    pins = (line.split("==") for line in lines if line and not line.startswith("#"))
    return {name.lower().replace("_", "-"): version for name, version in pins}


def test_every_installed_dependency_is_the_pinned_version():
    pins = pinned_versions()
    installed = {d.metadata["Name"].lower().replace("_", "-"): d.version for d in metadata.distributions()}
    assert len(pins) > 50
    drifted = {name: (version, installed.get(name)) for name, version in pins.items() if installed.get(name) != version}
    assert drifted == {}
