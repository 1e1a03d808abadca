"""Instants are shown in Beijing time, labelled, and every derived date is the Beijing date.
At 01:19 on 3 December in Beijing it is still 17:19 on 2 December in UTC."""
from datetime import UTC, datetime

from flask_babel import force_locale
from sqlalchemy import select, update

from registry.access import SYSTEM
from registry.clock import beijing_date, beijing_time, beijing
from registry.extensions import db
from registry.models import AuditEvent, Commitment, Unit, UnitVersion
from registry.services.regulator_accounts import create_regulator
from tests.factories import login
from tests.practitioner.conftest import QINGDAO, sign, unit_by
from tests.practitioner.test_details import post_details

LATE_EVENING_UTC = datetime(2026, 12, 2, 17, 19, 5, tzinfo=UTC)


def test_the_clock_shows_beijing_time_labelled(app):
    with app.test_request_context("/"):
        assert beijing_time(LATE_EVENING_UTC) == "2026-12-03 01:19（北京时间）"
        assert beijing_time(LATE_EVENING_UTC.replace(tzinfo=None), seconds=True) == "2026-12-03 01:19:05（北京时间）"
        assert beijing_date(LATE_EVENING_UTC).isoformat() == "2026-12-03"
    with app.test_request_context("/"), force_locale("en"):
        assert beijing_time(LATE_EVENING_UTC) == "2026-12-03 01:19 Beijing time"


def test_history_signature_and_public_commitment_date_are_beijing_time(app, firm):
    sign(firm)
    assert post_details(firm).status_code == 302
    db.session.execute(update(UnitVersion).values(replaced_at=LATE_EVENING_UTC))
    db.session.execute(update(Commitment).values(signed_at=LATE_EVENING_UTC))
    db.session.execute(update(Unit).values(commitment_signed_at=LATE_EVENING_UTC))
    db.session.commit()

    history = firm.get("/practitioner/details/history").get_data(as_text=True)
    assert "2026-12-03 01:19（北京时间）" in history and "2026-12-02 17:19" not in history
    letter = firm.get("/practitioner/commitment").get_data(as_text=True)
    assert "2026-12-03 01:19（北京时间）" in letter
    public = app.test_client().get(f"/units/{QINGDAO}").get_data(as_text=True)
    assert "2026-12-03" in public and "2026-12-02" not in public
    assert unit_by(QINGDAO).commitment_signed_at is not None


def test_the_audit_trail_shows_beijing_time(app, firm):
    create_regulator(SYSTEM, username="reg-qingdao", display_name="王青", division_code="370200",
                     authority_name="青岛市生态环境局", password="soil-remediation-2026")
    db.session.commit()
    client = app.test_client()
    login(client, "reg-qingdao", "soil-remediation-2026")
    unit_id = db.session.scalar(select(Unit.id).where(Unit.uscc == QINGDAO))
    page = client.get(f"/regulator/audit/unit/{unit_id}").get_data(as_text=True)
    registered = db.session.scalar(select(AuditEvent.at).where(AuditEvent.action == "unit_registered"))
    shown = beijing(registered).strftime("%Y-%m-%d %H:%M:%S")
    assert f"{shown}（北京时间）" in page  # the audit trail is append-only: its times cannot be pinned, only read
