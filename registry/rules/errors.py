"""The one domain error: a rule said no, naming the field and the reason in Chinese and English."""


class RuleViolation(Exception):
    """A rule refused a value; `field` names the input, the messages say why."""

    def __init__(self, field: str, message_zh: str, message_en: str):
        super().__init__(f"{field}: {message_en}")
        self.field = field
        self.message_zh = message_zh
        self.message_en = message_en

    def message(self, locale: str = "zh") -> str:
        """The reason in the reader's language."""
        return self.message_en if locale.startswith("en") else self.message_zh


class RuleViolations(RuleViolation):
    """Several refusals found at once, so a form shows them all after one submit; as a RuleViolation it is
    the first of them (an import line reports that one)."""

    def __init__(self, violations: list[RuleViolation]):
        first = violations[0]
        super().__init__(first.field, first.message_zh, first.message_en)
        self.violations = violations


def each_violation(error: RuleViolation) -> list[RuleViolation]:
    """The single refusals inside a RuleViolation (one, or several for RuleViolations)."""
    return list(getattr(error, "violations", [error]))


class Checks:
    """Run several rules and collect their refusals instead of stopping at the first:
    `value = checks.run(rule, ...)` returns the rule's result, or None when it refused; `checks.done()` raises
    what was collected."""

    def __init__(self):
        self.violations: list[RuleViolation] = []

    def run(self, rule, *args, **kwargs):
        try:
            return rule(*args, **kwargs)
        except RuleViolation as error:
            self.violations.extend(each_violation(error))
            return None

    def refuse(self, violation: RuleViolation) -> None:
        self.violations.append(violation)

    def failed(self, field: str) -> bool:
        return any(v.field == field for v in self.violations)

    def done(self) -> None:
        if len(self.violations) == 1:
            raise self.violations[0]
        if self.violations:
            raise RuleViolations(self.violations)
