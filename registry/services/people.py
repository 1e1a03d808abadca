"""Persons by ID number: the number is validated, encrypted, keyed-hashed and masked on the way in, and
found again only through its keyed hash. Shared by staff entry, penalties and the import."""
import secrets

from flask import current_app
from sqlalchemy import select

from registry.extensions import db
from registry.models import Person
from registry.rules.identifiers import mask_id_number, validate_id_number


def vault():
    return current_app.extensions["id_vault"]


def new_public_id() -> str:
    """An opaque id for public URLs: random, never derived from the ID number."""
    return secrets.token_urlsafe(12)


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
