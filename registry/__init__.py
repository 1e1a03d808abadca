"""The soil-remediation practitioners' credit-record registry. The application factory is
`registry.app.create_app`."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
