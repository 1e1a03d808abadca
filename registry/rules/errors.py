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
