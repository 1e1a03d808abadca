"""Password policy (DESIGN §7): at least 12 characters and not a common password."""
from functools import cache
from pathlib import Path

from registry.rules.errors import RuleViolation

MIN_LENGTH = 12


@cache
def common_passwords() -> frozenset[str]:
    path = Path(__file__).resolve().parent.parent / "reference" / "common-passwords.txt"
    return frozenset(line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#"))


def check_password_policy(password: str, field: str = "password") -> None:
    """Raise RuleViolation for a short or common password."""
    if len(password) < MIN_LENGTH:
        raise RuleViolation(field, f"密码至少{MIN_LENGTH}个字符", f"a password has at least {MIN_LENGTH} characters")
    if password.lower() in common_passwords():
        raise RuleViolation(field, "该密码过于常见，请换一个", "this password is too common; choose another")
