"""A firm's directly responsible staff: added by name, ID number and title, each invited with a one-time code
to create their own account and sign their own commitment. Employment history is kept, never deleted."""
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select, update

from registry.access import AccessDenied, Actor
from registry.clock import today
from registry.extensions import db
from registry.models import Account, Employment, Invitation, Person
from registry.models.base import aware, utcnow
from registry.rules.dates import check_not_in_future
from registry.rules.errors import RuleViolation
from registry.services import service
from registry.services.audit import enqueue_for_index, record_event, snapshot
from registry.services.people import add_person, find_person_by_id_number, join_firm, vault
from registry.services.registration import invitation_lifetime_days, normalize_invitation_code
from registry.services.registration import optional_text
from registry.services.registration import required_text
from registry.services.units import own_unit

# No 0/O, 1/I/L: a code is read aloud or typed from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class StaffProposed:
    """What the proposing firm is told: only what it typed itself, the masked number and the one-time code, the
    same whether or not the number was registered and whether or not the name matched it (no oracle)."""

    name: str
    id_number_masked: str
    invitation_code: str  # shown to the firm once; only its keyed hash is stored


def new_invitation_code() -> str:
    """16 random characters (about 79 bits) in groups of four."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i:i + 4] for i in range(0, 16, 4))


def current_staff_member(actor: Actor, person_id: int, action: str) -> tuple[Person, Employment]:
    """A person currently employed by the actor's firm, or AccessDenied as a 404."""
    person = db.session.get(Person, person_id)
    employment = person.current_employment if person is not None else None
    if employment is None or actor.role != "unit" or employment.unit_id != actor.unit_id:
        raise AccessDenied(actor, action, "person", person_id, status=404)
    return person, employment


def has_account(person_id: int) -> bool:
    return db.session.scalar(select(Account.id).where(Account.person_id == person_id)) is not None


def _issue(actor: Actor, person: Person, proposed_name: str | None = None, proposed_title: str | None = None) -> str:
    """Invalidate this firm's open codes for the person and make a new one; the caller shows it once."""
    now = utcnow()
    db.session.execute(
        update(Invitation)
        .where(Invitation.person_id == person.id, Invitation.unit_id == actor.unit_id, Invitation.used_at.is_(None),
               Invitation.expires_at > now)
        .values(expires_at=now)
    )
    code = new_invitation_code()
    invitation = Invitation(
        code_hmac=vault().keyed_hash(normalize_invitation_code(code)), person_id=person.id, unit_id=actor.unit_id,
        created_by_account_id=actor.account_id, created_at=now,
        expires_at=now + timedelta(days=invitation_lifetime_days()),
        proposed_name=proposed_name, proposed_title=proposed_title,
    )
    db.session.add(invitation)
    record_event(actor, "staff_proposed" if proposed_name else "invitation_issued", invitation,
                 detail=f"person {person.id}")
    return code


@service
def add_staff(actor: Actor, *, name: str, id_number: str, title: str | None) -> StaffProposed:
    """Propose that a person join the firm (DESIGN §3): a one-time code for the person, who confirms by
    redeeming it or, signed in, on their own page. Nothing about the person changes until then, and the answer
    is the same whether or not the number is registered and whether or not the name matches it."""
    unit = own_unit(actor, actor.unit_id, "add staff")
    name = required_text(name, "name", 100, "姓名", "the name")
    title = optional_text(title, "title", 100, "职务", "the title")
    person = find_person_by_id_number(id_number, "id_number")
    if person is None:
        # a record nobody sees yet: no employment, no commitment, so on no public surface and no staff list
        person = add_person(id_number, name, None, "id_number")
        db.session.flush()
        record_event(actor, "person_created", person, after=snapshot(person))
    current = person.current_employment
    if current is not None and current.unit_id == unit.id:
        raise RuleViolation("id_number", "此人已是本单位人员", "this person is already on your staff")
    code = _issue(actor, person, proposed_name=name, proposed_title=title)
    return StaffProposed(name, person.id_number_masked, code)


@service
def confirm_proposal(actor: Actor, invitation_id: int) -> Employment:
    """A signed-in person confirms a firm's proposal to join it."""
    invitation = db.session.get(Invitation, invitation_id)
    if (invitation is None or actor.role != "person" or invitation.person_id != actor.person_id
            or invitation.proposed_name is None):
        raise AccessDenied(actor, "confirm proposal", "invitation", invitation_id, status=404)
    if invitation.used_at is not None or aware(invitation.expires_at) <= utcnow():
        raise RuleViolation("invitation", "该邀请已使用或已过期", "this proposal was already used or has expired")
    return join_firm(actor, invitation, db.session.get(Person, actor.person_id))


@service
def reissue_invitation(actor: Actor, person_id: int) -> tuple[Person, str]:
    """A new one-time code for a current staff member without an account (earlier codes stop working)."""
    person, _ = current_staff_member(actor, person_id, "invite")
    if has_account(person.id):
        raise RuleViolation("person", "此人已有账号，无需邀请", "this person already has an account")
    return person, _issue(actor, person)


def validated_end_date(ended_on: date | None, started_on: date) -> date:
    """The day the person left, as the firm states it: today when not given (or the start, for someone who
    joined today), never in the future, never before the employment started."""
    if ended_on is None:
        return max(today(), started_on)
    check_not_in_future(ended_on, "ended_on", today())
    if ended_on < started_on:
        raise RuleViolation("ended_on", f"离职日期不能早于入职日期{started_on.isoformat()}",
                            f"the date the person left cannot be before they joined on {started_on.isoformat()}")
    return ended_on


@service
def end_employment(actor: Actor, person_id: int, ended_on: date | None = None) -> Employment:
    """Record that a staff member has left the firm on `ended_on` (today when not given) and the day it was
    entered; the employment row stays as history."""
    person, employment = current_staff_member(actor, person_id, "end employment")
    before = snapshot(employment)
    employment.ended_on = validated_end_date(ended_on, employment.started_on)
    employment.end_entered_on = today()
    # a code the firm gave this person stops working once the firm has ended the employment
    db.session.execute(
        update(Invitation)
        .where(Invitation.person_id == person.id, Invitation.unit_id == employment.unit_id,
               Invitation.used_at.is_(None), Invitation.expires_at > utcnow())
        .values(expires_at=utcnow())
    )
    record_event(actor, "employment_ended", employment, before=before, after=snapshot(employment))
    enqueue_for_index("person", person.id)
    enqueue_for_index("unit", employment.unit_id)
    return employment
