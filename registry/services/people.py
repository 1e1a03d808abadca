"""Persons by ID number: the number is validated, encrypted, keyed-hashed and masked on the way in, and
found again only through its keyed hash. Shared by staff entry, penalties and the import."""
import secrets

from flask import current_app
from sqlalchemy import select

from registry.access import Actor
from registry.clock import today
from registry.extensions import db
from registry.models import Employment, Invitation, Person, PersonVersion
from registry.models.base import utcnow
from registry.models.versions import next_version
from registry.services.audit import enqueue_for_index, record_event, snapshot
from registry.rules.identifiers import mask_id_number, validate_id_number


def vault():
    return current_app.extensions["id_vault"]


def new_public_id() -> str:
    """An opaque id for public URLs: random, never derived from the ID number, and never led by "-" (one id in
    64 was: the open data's CSV quotes a cell so led, lest a spreadsheet run it as a formula, and the id copied
    from it named no one)."""
    while True:
        public_id = secrets.token_urlsafe(12)
        if not public_id.startswith("-"):
            return public_id


def find_person_by_id_number(id_number: str, field: str = "id_number") -> Person | None:
    """The person with this full ID number, or None (regulators and services only; never the public)."""
    number = validate_id_number(id_number, field)
    return db.session.scalar(select(Person).where(Person.id_number_hmac == vault().lookup_hash(number)))


def add_person(id_number: str, name: str, title: str | None = None, field: str = "id_number") -> Person:
    """A new person row (call inside a service); the caller checks the number is not yet registered."""
    number = validate_id_number(id_number, field)
    person = Person(
        public_id=new_public_id(),
        id_number_hmac=vault().lookup_hash(number),
        id_number_ciphertext=vault().encrypt(number),
        id_number_masked=mask_id_number(number),
        name=name.strip(),
        title=title,
    )
    db.session.add(person)
    return person


def reveal_id_number(person: Person) -> str:
    """The full number, for a regulator's explicit reveal; the caller audits it."""
    return vault().decrypt(person.id_number_ciphertext)


def join_firm(actor: Actor, invitation: Invitation, person: Person) -> Employment:
    """The person confirmed the firm's proposal: the former affiliation ends today and the new one starts today
    (call inside a service)."""
    now, day = utcnow(), today()
    if not person.registered:
        # a person a penalty decision created (Soil Law art. 90): confirming a firm claims the record
        before = snapshot(person)
        person.registered = True
        record_event(actor, "person_registration_claimed", person, before=before, after=snapshot(person))
    current = person.current_employment
    if current is not None and current.unit_id == invitation.unit_id:
        invitation.used_at = now
        return current
    if current is not None:
        before = snapshot(current)
        current.ended_on = max(day, current.started_on)
        record_event(actor, "employment_ended", current, before=before, after=snapshot(current),
                     detail="the person confirmed joining another firm")
        enqueue_for_index("unit", current.unit_id)
        db.session.flush()  # one current employment per person: end the old before starting the new
    title = invitation.proposed_title
    if title != person.title:
        db.session.add(next_version(person, PersonVersion, snapshot(person), replaced_by_account_id=actor.account_id))
        person.title = title
    employment = Employment(person_id=person.id, unit_id=invitation.unit_id, title=title, started_on=day)
    db.session.add(employment)
    invitation.used_at = now
    db.session.flush()
    db.session.refresh(person, ["employments"])
    record_event(actor, "employment_started", employment, after=snapshot(employment),
                 detail=f"confirmed by the person; moved from unit {current.unit_id}" if current else
                 "confirmed by the person")
    enqueue_for_index("person", person.id)
    enqueue_for_index("unit", invitation.unit_id)
    return employment
