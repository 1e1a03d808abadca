"""The texts of a project (业绩情况信息), as the firm's form and the import both store them."""
from registry.rules.normalize import optional_text, required_text

# field: (required, longest, Chinese label, English label)
PROJECT_TEXTS = {
    "name": (True, 300, "项目名称", "the project name"),
    "parcel_name": (False, 300, "地块名称", "the parcel name"),
    "owner": (False, 200, "业主单位", "the owner"),
}


def project_text(value: str | None, field: str) -> str | None:
    """The field's text normalized (NFKC, no invisible characters), given if required, within its length."""
    required, longest, zh, en = PROJECT_TEXTS[field]
    return (required_text if required else optional_text)(value, field, longest, zh, en)
