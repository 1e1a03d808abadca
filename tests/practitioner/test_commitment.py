"""The commitment letter: signed by the legal representative, with a separate consent to publish."""
import hashlib

from sqlalchemy import select

from registry.extensions import db
from registry.models import Commitment, CommitmentText, Unit
from registry.reference import COMMITMENT_TEXT_V1, CONSENT_TEXT_V1
from tests.practitioner.conftest import QINGDAO, count, errors_of, sign, unit_by


def test_the_letter_is_shown_in_full_and_the_dashboard_says_nothing_is_public_until_signed(firm):
    page = firm.get("/practitioner/commitment").get_data(as_text=True)
    assert "本单位（本人）郑重承诺" in page and "同意公开声明" in page
    assert "第1版" in page
    dashboard = firm.get("/practitioner/").get_data(as_text=True)
    assert "尚未签署承诺书：本单位填报的信息均不公开。" in dashboard
    assert "未公开：尚未签署同意公开的承诺书" in dashboard


def test_signing_with_consent_records_version_digest_signer_time_and_address(firm):
    response = sign(firm, signer=" 张 海 ")
    assert response.status_code == 302
    commitment = db.session.scalar(select(Commitment))
    assert commitment.text_version == 1
    assert commitment.text_sha256 == hashlib.sha256((COMMITMENT_TEXT_V1 + CONSENT_TEXT_V1).encode()).hexdigest()
    assert commitment.signer == "张 海"
    assert commitment.ip == "127.0.0.1"
    assert commitment.truthfulness and commitment.consent_to_publish
    unit = unit_by(QINGDAO)
    assert unit.commitment_signed_at is not None
    dashboard = firm.get("/practitioner/").get_data(as_text=True)
    assert "已签署，已同意公开" in dashboard
    assert '<span class="badge badge-ok">已公开</span>' in dashboard


def test_signing_without_consent_keeps_the_signature_but_publishes_nothing(firm):
    response = sign(firm, consent=False)
    assert response.status_code == 302
    assert "未同意公开" in firm.get(response.headers["Location"]).get_data(as_text=True)
    commitment = db.session.scalar(select(Commitment))
    assert commitment.truthfulness and not commitment.consent_to_publish
    assert unit_by(QINGDAO).commitment_signed_at is None


def test_withdrawing_consent_in_a_later_signature_takes_the_firm_out_of_public_view(firm):
    sign(firm)
    assert unit_by(QINGDAO).commitment_signed_at is not None
    sign(firm, consent=False)
    db.session.expire_all()
    assert unit_by(QINGDAO).commitment_signed_at is None
    assert count(Commitment) == 2  # both signatures stay on record


def test_the_signer_must_be_the_legal_representative(firm):
    page = sign(firm, signer="王五").get_data(as_text=True)
    assert "签署人须为本单位法定代表人" in " ".join(errors_of(page, "signer"))
    assert count(Commitment) == 0 and unit_by(QINGDAO).commitment_signed_at is None


def test_the_truthfulness_box_must_be_ticked_and_nothing_is_saved_otherwise(firm):
    page = firm.post("/practitioner/commitment", data={"text_version": "1", "signer": "张海",
                                                       "consent_to_publish": "y"}).get_data(as_text=True)
    assert "请勾选真实性承诺" in " ".join(errors_of(page, "truthfulness"))
    assert count(Commitment) == 0


def test_an_empty_signer_is_refused_beside_the_field(firm):
    page = sign(firm, signer="").get_data(as_text=True)
    assert "必填" in " ".join(errors_of(page, "signer"))
    assert count(Commitment) == 0


def test_a_new_version_of_the_letter_asks_for_a_new_signature(firm):
    sign(firm)
    text = "承诺书第二版：" + COMMITMENT_TEXT_V1
    db.session.add(CommitmentText(version=2, text=text, consent_text=CONSENT_TEXT_V1,
                                  sha256=hashlib.sha256((text + CONSENT_TEXT_V1).encode()).hexdigest()))
    db.session.commit()

    dashboard = firm.get("/practitioner/").get_data(as_text=True)
    assert "第2版承诺书待签署。" in dashboard
    assert "承诺书有新版本，待签署" in dashboard
    # the firm stays public on its earlier signature until it signs again
    assert unit_by(QINGDAO).commitment_signed_at is not None

    page = firm.get("/practitioner/commitment").get_data(as_text=True)
    assert "承诺书第二版" in page and "第2版" in page
    stale = sign(firm, version="1").get_data(as_text=True)  # a form opened before the new version
    assert "承诺书已更新" in stale
    assert count(Commitment) == 1

    assert sign(firm, version="2").status_code == 302
    latest = db.session.scalar(select(Commitment).order_by(Commitment.id.desc()))
    assert latest.text_version == 2
    assert "第2版承诺书待签署" not in firm.get("/practitioner/").get_data(as_text=True)


def test_signing_is_audited(firm):
    from registry.models import AuditEvent

    sign(firm)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "commitment_signed"))
    assert event.after["text_version"] == 1 and event.ip == "127.0.0.1"
    assert db.session.scalar(select(Unit.commitment_signed_at)) is not None


def test_a_text_version_that_is_no_version_is_refused_as_outdated_not_a_500(firm):
    """The fuzzer sent 5,000 zeros (int() refuses more than 4,300 digits) and a superscript two."""
    for version in ("0" * 5000, "²", "1.0", "-1"):
        response = firm.post("/practitioner/commitment", data={"text_version": version, "signer": "张海",
                                                               "truthfulness": "y", "consent_to_publish": "y"})
        assert response.status_code == 200 and "承诺书已更新" in response.get_data(as_text=True)
    assert count(Commitment) == 0
