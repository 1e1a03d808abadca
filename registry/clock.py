"""Today's date in China, unless the configuration pins it (tests of what is public on a given day)."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

CHINA = ZoneInfo("Asia/Shanghai")


def today() -> date:
    pinned = current_app.config.get("TODAY")
    if pinned:
        return date.fromisoformat(pinned) if isinstance(pinned, str) else pinned
    return datetime.now(CHINA).date()


def beijing(instant: datetime) -> datetime:
    """A stored UTC instant as Beijing wall-clock time (a naive one is taken as UTC, as the models store it)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(CHINA)
