"""A firm's directly responsible staff: added by name, ID number and title, each invited with a one-time code
to create their own account and sign their own commitment. Employment history is kept, never deleted."""
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from registry.clock import today
from registry.extensions import db
from registry.models import Account, Employment, Invitation, Person, PersonVersion
from registry.models.base import utcnow
from registry.rules.errors import RuleViolation
from registry.services import service
from registry.services.audit import AccessDenied, Actor, enqueue_for_index, record_event, snapshot
from registry.services.people import add_person, find_person_by_id_number, vault
from registry.services.registration import invitation_lifetime_days, normalize_invitation_code, optional_text
from registry.services.registration import required_text
from registry.services.units import own_unit

# No 0/O, 1/I/L: a code is read aloud or typed from paper.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class StaffAdded:
    person: Person
    attached_existing: bool
    moved_from_unit_id: int | None
    invitation_code: str | None  # shown to the firm once; only its keyed hash is stored


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


def _issue(actor: Actor, person: Person) -> str:
    """Invalidate the person's open codes and make a new one; the caller shows it once."""
    now = utcnow()
    db.session.execute(
        update(Invitation)
        .where(Invitation.person_id == person.id, Invitation.used_at.is_(None), Invitation.expires_at > now)
        .values(expires_at=now)
    )
    code = new_invitation_code()
    invitation = Invitation(
        code_hmac=vault().keyed_hash(normalize_invitation_code(code)), person_id=person.id, unit_id=actor.unit_id,
        created_by_account_id=actor.account_id, created_at=now,
        expires_at=now + timedelta(days=invitation_lifetime_days()),
    )
    db.session.add(invitation)
    record_event(actor, "invitation_issued", invitation, detail=f"person {person.id}")
    return code


@service
def add_staff(actor: Actor, *, name: str, id_number: str, title: str | None) -> StaffAdded:
    """Add a directly responsible person to the firm. A number already registered attaches that person
    (moving them from their previous firm, history kept) instead of creating a second record."""
    unit = own_unit(actor, actor.unit_id, "add staff")
    name = required_text(name, "name", 100, "姓名", "the name")
    title = optional_text(title, "title", 100, "职务", "the title")
    person = find_person_by_id_number(id_number, "id_number")
    attached, moved_from = person is not None, None
    if person is None:
        person = add_person(id_number, name, title, "id_number")
        db.session.flush()
        record_event(actor, "person_created", person, after=snapshot(person))
    else:
        if "".join(person.name.split()) != "".join(name.split()):
            raise RuleViolation("name", "姓名与该身份证号码已登记的姓名不一致",
                                "the name differs from the one registered with this ID number")
        current = person.current_employment
        if current is not None and current.unit_id == unit.id:
            raise RuleViolation("id_number", "此人已是本单位人员", "this person is already on your staff")
        if current is not None:
            current.ended_on = today()
            moved_from = current.unit_id
            db.session.flush()  # one current employment per person: end the old before starting the new
            enqueue_for_index("unit", moved_from)
        if title != person.title:
            db.session.add(PersonVersion(person_id=person.id, version=person.version, data=snapshot(person),
                                         replaced_by_account_id=actor.account_id))
            person.title = title
            person.version += 1
    employment = Employment(person_id=person.id, unit_id=unit.id, title=title, started_on=today())
    db.session.add(employment)
    db.session.flush()
    db.session.refresh(person, ["employments"])
    record_event(actor, "employment_started", employment, after=snapshot(employment),
                 division_code=unit.division_code,
                 detail=f"moved from unit {moved_from}" if moved_from else None)
    code = None if has_account(person.id) else _issue(actor, person)
    enqueue_for_index("person", person.id)
    enqueue_for_index("unit", unit.id)
    return StaffAdded(person, attached, moved_from, code)


@service
def reissue_invitation(actor: Actor, person_id: int) -> tuple[Person, str]:
    """A new one-time code for a current staff member without an account (earlier codes stop working)."""
    person, _ = current_staff_member(actor, person_id, "invite")
    if has_account(person.id):
        raise RuleViolation("person", "此人已有账号，无需邀请", "this person already has an account")
    return person, _issue(actor, person)


@service
def end_employment(actor: Actor, person_id: int) -> Employment:
    """Record that a staff member has left the firm; the employment row stays as history."""
    person, employment = current_staff_member(actor, person_id, "end employment")
    before = snapshot(employment)
    employment.ended_on = max(today(), employment.started_on)
    # a code the firm gave this person stops working once the firm has ended the employment (issue 13.10)
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
