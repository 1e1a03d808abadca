"""The fields the national "double publicity" template requires of an administrative penalty record
(reference/measures.md, "Administrative penalty record fields").

The regulator's form requires every one of them for a new decision; the exchange format keeps them optional,
because records older than the registry may lack them (DESIGN §3). The party's name and legal representative
are copied from the registered subject, the decision number, date, kinds and fine are checked by the penalty
rules themselves; this rule asks for the rest. An amount confiscated and a licence action are asked for only
where the decision's kinds include them.
"""
from decimal import Decimal

from registry.rules.errors import RuleViolation, RuleViolations

CONFISCATION_KINDS = ("confiscation_of_illegal_gains", "confiscation_of_illegal_property")
LICENCE_KINDS = ("licence_suspension", "qualification_downgrade", "licence_revocation")

REQUIRED_TEXT: dict[str, tuple[str, str]] = {
    "violation_type": ("违法行为类型", "the violation type"),
    "violation": ("违法事实", "the facts of the violation"),
    "basis": ("处罚依据", "the legal basis"),
    "content": ("处罚内容", "the content of the penalty"),
    "authority_uscc": ("处罚机关统一社会信用代码", "the deciding authority's credit code"),
    "data_source": ("数据来源", "the data source"),
}


def check_double_publicity_fields(fields: dict[str, str | None], kinds, confiscated_yuan: Decimal | None) -> None:
    """Refuse a new decision that lacks a field the double-publicity template requires, naming every such field."""
    missing = [RuleViolation(name, f"“双公示”要求填写{zh}", f"the double-publicity record requires {en}")
               for name, (zh, en) in REQUIRED_TEXT.items() if not (fields.get(name) or "").strip()]
    if any(kind in CONFISCATION_KINDS for kind in kinds) and not confiscated_yuan:
        missing.append(RuleViolation("confiscated_yuan", "处罚类别含没收时，“双公示”要求填写没收金额",
                                     "the penalty includes a confiscation: the double-publicity record requires the amount"))
    if any(kind in LICENCE_KINDS for kind in kinds) and not (fields.get("licence_action") or "").strip():
        missing.append(RuleViolation("licence_action", "处罚类别涉及许可证件或资质时，“双公示”要求填写暂扣或者吊销许可证件、降低资质等级的情况",
                                     "the penalty concerns a licence: the double-publicity record requires the licence action"))
    if missing:
        raise RuleViolations(missing)
