"""Signing the commitment letter (承诺书): the truthfulness commitment and, as a separate choice, the consent to
publish basic and performance information (PIPL art. 25). Only a signature with consent makes them public."""
import hashlib

from sqlalchemy import select

from registry.access import AccessDenied, Actor
from registry.extensions import db
from registry.models import Commitment, CommitmentText, Person, Unit
from registry.models.base import utcnow
from registry.rules.errors import RuleViolation
from registry.services import service
from registry.services.audit import enqueue_for_index, record_event, snapshot


def latest_text() -> CommitmentText:
    """The letter in force: its highest version."""
    return db.session.scalar(select(CommitmentText).order_by(CommitmentText.version.desc()).limit(1))


def letter_sha256(text: CommitmentText) -> str:
    """The SHA-256 of exactly what the signer was shown: the letter followed by the consent statement."""
    return hashlib.sha256((text.text + text.consent_text).encode("utf-8")).hexdigest()


def _same_name(typed: str, expected: str | None) -> bool:
    return bool(expected) and "".join(typed.split()) == "".join(expected.split())


def _check_letter(text_version: int | None, signer: str, truthfulness: bool) -> CommitmentText:
    text = latest_text()
    if text_version != text.version:
        raise RuleViolation("text_version", "承诺书已更新，请阅读新版本后重新签署",
                            "the letter has changed; read the new version and sign again")
    if not (signer or "").strip():
        raise RuleViolation("signer", "请输入签署人姓名", "type the signer's name")
    if not truthfulness:
        raise RuleViolation("truthfulness", "请勾选真实性承诺", "tick the truthfulness commitment to sign")
    return text


def _commitment(actor: Actor, text: CommitmentText, signer: str, consent: bool, **subject) -> Commitment:
    commitment = Commitment(
        text_version=text.version, text_sha256=letter_sha256(text), signer=signer.strip(), signed_at=utcnow(),
        ip=actor.ip, truthfulness=True, consent_to_publish=bool(consent), source="portal",
        signed_by_account_id=actor.account_id, **subject,
    )
    db.session.add(commitment)
    return commitment


@service
def sign_unit_commitment(actor: Actor, unit_id: int, *, text_version: int | None, signer: str,
                         truthfulness: bool, consent_to_publish: bool) -> Commitment:
    """The firm signs the letter in force; the signer must be its legal representative, typed by name."""
    if actor.role != "unit" or actor.unit_id != unit_id:
        raise AccessDenied(actor, "sign commitment", "unit", unit_id, status=404)
    unit = db.session.get(Unit, unit_id)
    text = _check_letter(text_version, signer, truthfulness)
    if not _same_name(signer, unit.legal_representative):
        raise RuleViolation("signer", "签署人须为本单位法定代表人，请输入与基本信息一致的姓名",
                            "the signer must be the legal representative, as named in the basic information")
    commitment = _commitment(actor, text, signer, consent_to_publish, unit_id=unit.id)
    before = unit.commitment_signed_at
    # The latest signature decides: without consent nothing the firm entered is public (PIPL art. 25).
    unit.commitment_signed_at = commitment.signed_at if consent_to_publish else None
    record_event(actor, "commitment_signed", commitment, after=snapshot(commitment),
                 division_code=unit.division_code,
                 detail=f"unit {unit.id}; public before: {before is not None}; public now: {bool(consent_to_publish)}")
    enqueue_for_index("unit", unit.id)
    return commitment


@service
def sign_person_commitment(actor: Actor, *, text_version: int | None, signer: str, truthfulness: bool,
                           consent_to_publish: bool) -> Commitment:
    """A staff member signs their own letter; they type their own name as registered by the firm."""
    if actor.role != "person" or actor.person_id is None:
        raise AccessDenied(actor, "sign commitment", "person", actor.person_id, status=404)
    person = db.session.get(Person, actor.person_id)
    text = _check_letter(text_version, signer, truthfulness)
    if not _same_name(signer, person.name):
        raise RuleViolation("signer", "请输入您本人的姓名（与单位登记的一致）",
                            "type your own name, as your firm registered it")
    commitment = _commitment(actor, text, signer, consent_to_publish, person_id=person.id)
    person.commitment_signed_at = commitment.signed_at if consent_to_publish else None
    record_event(actor, "commitment_signed", commitment, after=snapshot(commitment),
                 detail=f"person {person.id}; public now: {bool(consent_to_publish)}")
    enqueue_for_index("person", person.id)
    employment = person.current_employment
    if employment is not None:
        enqueue_for_index("unit", employment.unit_id)
    return commitment
