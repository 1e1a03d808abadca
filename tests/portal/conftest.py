"""Shared data for the public portal's tests: the contract example, loaded through the exchange import."""
from pathlib import Path

import pytest

from registry.services.audit import SYSTEM
from registry.services.exchange import import_jsonl

CONTRACT = Path(__file__).with_name("contract_sample.jsonl")

QINGDAO = "9137020035791357M0"
HEFEI = "9134010024681357NB"
LIN_ID = "370202198403120458"
GAO_ID = "340102198808080668"


@pytest.fixture
def contract(app):
    """The worked example of the contract, imported into an empty registry."""
    with CONTRACT.open(encoding="utf-8") as f:
        report = import_jsonl(SYSTEM, f)
    return report
