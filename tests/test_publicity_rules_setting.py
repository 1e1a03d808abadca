"""PUBLICITY_RULES, the configurable table of publicity periods, decides every surface alike: the public pages,
the search index and what a firm's own dashboard says is public. (A province that publishes minor penalties,
say, must not find them on its portal but missing from search and from the firm's own view.)"""
from datetime import date

import pytest
from sqlalchemy import select

from registry.models import Unit
from registry.queries import practitioner
from registry.rules.publicity import DEFAULT_PUBLICITY_RULES, Period
from registry.search import search_ids
from tests.factories import create, penalty_record, unit_record

MINOR_PUBLISHED = [DEFAULT_PUBLICITY_RULES[0],
                   (date(2026, 4, 1), {"minor": Period(3, 12), "ordinary": Period(3, 12), "serious": Period(12, 36)})]
NAME = "规则测试环境修复有限公司"


def firm_known_only_by_a_minor_penalty(db) -> tuple[str, int]:
    """A firm that has not signed its commitment, so only a public penalty can list it."""
    unit = unit_record(name=NAME, signed=False)
    create(unit, penalty_record({"uscc": unit["uscc"]}, severity="minor", decided_on="2026-06-01"))
    return unit["uscc"], db.session.scalar(select(Unit.id).where(Unit.uscc == unit["uscc"]))


@pytest.fixture
def minor_penalties_published(app_config):
    app_config["PUBLICITY_RULES"] = MINOR_PUBLISHED


def test_a_configured_rule_shows_the_penalty_on_every_surface(minor_penalties_published, client, db):
    uscc, unit_id = firm_known_only_by_a_minor_penalty(db)
    assert client.get(f"/units/{uscc}").status_code == 200
    assert search_ids(NAME, "unit") == [unit_id]
    board = practitioner.dashboard(unit_id)
    assert board.listed and [penalty.severity for penalty in board.penalties] == ["minor"]


def test_under_the_default_rule_no_surface_shows_it(client, db):
    uscc, unit_id = firm_known_only_by_a_minor_penalty(db)
    assert client.get(f"/units/{uscc}").status_code == 404
    assert search_ids(NAME, "unit") == []
    board = practitioner.dashboard(unit_id)
    assert not board.listed and board.penalties == []
