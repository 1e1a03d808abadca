"""Reads of credit repair: the applications awaiting a decision, and what a grant would take out of view."""
from dataclasses import dataclass

from sqlalchemy import select

from registry.access import Actor, in_jurisdiction
from registry.extensions import db
from registry.models import Penalty, RepairApplication
from registry.queries.regulator import PenaltyFacts, load, penalty_facts


@dataclass
class RepairView:
    """A penalty's repair: its applications (newest first), the pending one, and what a grant changes."""

    facts: PenaltyFacts
    applications: list[RepairApplication]
    pending: RepairApplication | None

    @property
    def leaves_public_view(self) -> bool:
        """A grant takes the penalty out of public view only if it is public now."""
        return self.facts.status == "public"


def pending_repair_applications(actor: Actor) -> list[RepairApplication]:
    """Applications awaiting a decision on penalties decided in the actor's jurisdiction, oldest first (the
    desk's work queue)."""
    if actor.role != "regulator" or not actor.division_code:
        return []
    return list(db.session.scalars(
        select(RepairApplication).join(Penalty, Penalty.id == RepairApplication.penalty_id)
        .where(RepairApplication.status == "pending", in_jurisdiction(Penalty.authority_division_code, actor))
        .order_by(RepairApplication.applied_on, RepairApplication.id)))


def repair_view(actor: Actor, penalty_id: int, action: str = "read") -> RepairView:
    """A penalty of the jurisdiction with its repair applications (an audited 403 elsewhere)."""
    penalty = load(actor, "penalty", penalty_id, action)
    applications = list(db.session.scalars(select(RepairApplication).where(RepairApplication.penalty_id == penalty.id)
                                           .order_by(RepairApplication.id.desc())))
    pending = next((a for a in applications if a.status == "pending"), None)
    return RepairView(penalty_facts(penalty), applications, pending)
