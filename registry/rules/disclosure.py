"""What the public may see on a given day (DESIGN §2 and §3). Public figures use public records only."""
from datetime import date

from registry.rules.publicity import is_published_severity


def practitioner_record_is_public(commitment_in_force: bool, non_disclosed: bool,
                                  registration_suspended: bool = False) -> bool:
    """Basic information and performance: public once the commitment (with consent) is in force, unless
    withheld, or (a firm) while its regulator has suspended its self-registration."""
    return commitment_in_force and not non_disclosed and not registration_suspended


def review_is_public(non_disclosed: bool) -> bool:
    """Report-review outcomes are always public unless marked non-disclosed."""
    return not non_disclosed


def firm_withhold_covers(*, firm_withheld: bool, scope: str | None, division_code: str) -> bool:
    """Whether a firm's withhold covers one of its records (a project by its location, a review by the
    authority that recorded it): only the withholding authority's own records, those within its jurisdiction
    prefix `scope`. A withhold of unknown scope (imported before scopes existed) covers them all."""
    return firm_withheld and (scope is None or division_code.startswith(scope))


def project_is_public(*, commitment_in_force: bool, non_disclosed: bool, covered_by_firm_withhold: bool) -> bool:
    """A project is the firm's performance: public once its commitment is in force, unless the project is
    withheld itself or its firm's withhold covers it."""
    return commitment_in_force and not non_disclosed and not covered_by_firm_withhold


def penalty_is_public(
    *,
    severity: str,
    decided_on: date,
    publicity_ends_on: date,
    repaired_on: date | None,
    non_disclosed: bool,
    today: date,
    rules=None,
) -> bool:
    """From the decision date through the publicity end date, until repair; never a minor one since 2026-04-01."""
    if non_disclosed or not is_published_severity(severity, decided_on, rules):
        return False
    if repaired_on is not None and repaired_on <= today:
        return False
    return decided_on <= today <= publicity_ends_on


def complaint_is_public(status: str, non_disclosed: bool) -> bool:
    """A false-performance complaint is public only once verified as substantiated; never its complainant."""
    return status == "substantiated" and not non_disclosed


def ban_is_active(*, decided_on: date, ban_until: date | None, ban_lifetime: bool, today: date) -> bool:
    """A practice ban (Soil Law art. 90) runs from the decision through its end date, or for life."""
    if today < decided_on:
        return False
    return ban_lifetime or (ban_until is not None and today <= ban_until)


def ban_is_public(*, decided_on, ban_until, ban_lifetime, non_disclosed: bool, today: date) -> bool:
    """An active ban stays shown for as long as it lasts, even after the penalty's publicity has ended."""
    return not non_disclosed and ban_is_active(
        decided_on=decided_on, ban_until=ban_until, ban_lifetime=ban_lifetime, today=today
    )
