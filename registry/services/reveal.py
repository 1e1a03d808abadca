"""Full ID numbers for regulators: looked up and revealed only on an explicit action, each one audited.

A person lies in a regulator's jurisdiction when they work for a firm there, held a role on a project
there, or are the subject of a penalty decided by an authority there.
"""
from registry.access import AccessDenied, Actor, person_division_in, require_jurisdiction
from registry.extensions import db
from registry.models import Person
from registry.services import service
from registry.services.audit import record_event
from registry.services.people import find_person_by_id_number, reveal_id_number


def require_person_in_jurisdiction(actor: Actor, action: str, person: Person) -> str:
    """The division linking the person to the actor's jurisdiction, or AccessDenied (403)."""
    division = person_division_in(person.id, actor.division_code) if actor.division_code else None
    require_jurisdiction(actor, action, person, division)
    return division


@service
def lookup_person(actor: Actor, id_number: str) -> Person | None:
    """Find a person by full ID number (regulators only: the public may never look up this way); audited."""
    if actor.role != "regulator":
        raise AccessDenied(actor, "lookup_person_by_id_number", "person", None)
    person = find_person_by_id_number(id_number, "id_number")
    record_event(actor, "person_looked_up_by_id_number", person, division_code=actor.division_code,
                 detail="found" if person is not None else "not found")
    return person


@service
def reveal_person_id_number(actor: Actor, person_id: int) -> str:
    """The person's full ID number, for a regulator whose jurisdiction the person is linked to; audited."""
    person = db.session.get(Person, person_id)
    if person is None:
        raise AccessDenied(actor, "reveal_id_number", "person", person_id, status=404)
    division = require_person_in_jurisdiction(actor, "reveal_id_number", person)
    record_event(actor, "id_number_revealed", person, division_code=division,
                 detail=f"masked {person.id_number_masked}")
    return reveal_id_number(person)
