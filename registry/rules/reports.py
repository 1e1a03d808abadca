"""Which reviewed reports fit a project's practice category (Measures art. 3: investigation, risk-assessment,
risk-control effect and remediation effect reports are the ones whose reviews are recorded).

A firm that investigates submits an investigation report; a risk-control or remediation construction is
judged by its effect evaluation report. Plans, supervision, monitoring and post-management projects have
no report whose review the Measures record.
"""
from registry.rules.errors import RuleViolation

REPORTS_FOR_CATEGORY: dict[str, tuple[str, ...]] = {
    "investigation": ("investigation_report",),
    "risk_assessment": ("risk_assessment_report",),
    "risk_control_construction": ("risk_control_effect_report",),
    "risk_control_effect_evaluation": ("risk_control_effect_report",),
    "remediation_construction": ("remediation_effect_report",),
    "remediation_effect_evaluation": ("remediation_effect_report",),
}


def reports_for_category(category: str) -> tuple[str, ...]:
    """The report types whose reviews may be recorded for a project of this category (possibly none)."""
    return REPORTS_FOR_CATEGORY.get(category, ())


def check_report_fits_category(report_type: str, category: str) -> None:
    """Refuse a review outcome of a report type the project's category does not produce."""
    if report_type not in reports_for_category(category):
        raise RuleViolation("report_type", "该项目的从业类别不提交这类报告评审，请选择与项目类别相符的报告类型",
                            "a project of this category submits no report of this type for review; "
                            "choose the report type that fits the project's category")
