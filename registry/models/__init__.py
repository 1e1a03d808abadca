"""The registry's typed models, one module per aggregate."""
from registry.models.account import Account, Invitation, LoginAttempt, RecoveryCode
from registry.models.audit import AuditEvent
from registry.models.base import Base
from registry.models.commitment import Commitment, CommitmentText
from registry.models.complaint import Complaint, RateLimitHit
from registry.models.credit_report import CreditReport
from registry.models.figures import UnitFigures, UnitReviewYear, UnitRoleHolder
from registry.models.generation import DataGeneration
from registry.models.key_fingerprint import KeyFingerprint
from registry.models.penalty import Penalty
from registry.models.person import Employment, Person, PersonVersion
from registry.models.project import Project, ProjectCorrection, ProjectRole, ProjectVersion
from registry.models.repair import RepairApplication
from registry.models.review import Review
from registry.models.search_document import SearchEntry, SearchGram
from registry.models.search_outbox import SearchOutbox
from registry.models.unit import Unit, UnitCategory, UnitVersion
from registry.models.voice import RecordCorrection, Statement

__all__ = [
    "Account", "AuditEvent", "Base", "Commitment", "CommitmentText", "Complaint", "CreditReport", "DataGeneration",
    "Employment", "Invitation",
    "KeyFingerprint", "LoginAttempt", "Penalty", "Person", "PersonVersion", "Project", "ProjectCorrection", "ProjectRole",
    "ProjectVersion",
    "RateLimitHit", "RecordCorrection", "RecoveryCode", "RepairApplication", "Review", "SearchEntry", "SearchGram", "SearchOutbox", "Statement", "Unit",
    "UnitCategory", "UnitFigures", "UnitReviewYear", "UnitRoleHolder", "UnitVersion",
]
