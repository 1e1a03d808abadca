"""Time in China: instants are stored in UTC and shown in Beijing time, labelled; every date the registry
derives (today, receipt numbers, signature dates, "as of") is the Beijing date (DESIGN §3, Time)."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext

CHINA = ZoneInfo("Asia/Shanghai")


def today() -> date:
    """Today's date in China, unless the configuration pins it (tests of what is public on a given day)."""
    pinned = current_app.config.get("TODAY")
    if pinned:
        return date.fromisoformat(pinned) if isinstance(pinned, str) else pinned
    return datetime.now(CHINA).date()


def beijing(instant: datetime) -> datetime:
    """A stored UTC instant as Beijing wall-clock time (a naive one is taken as UTC, as the models store it)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(CHINA)


def beijing_date(instant: datetime | None) -> date | None:
    """The Beijing date of an instant: a letter signed at 01:19 on 3 December in Beijing is dated 12-03."""
    return beijing(instant).date() if instant is not None else None


def beijing_time(instant: datetime | None, seconds: bool = False) -> str:
    """An instant as the reader sees it, labelled: `2026-12-03 01:19（北京时间）`. The one formatting of a time,
    used by every page (a Jinja filter) and by the audit trail."""
    if instant is None:
        return "—"
    shown = beijing(instant).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    return gettext("%(time)s Beijing time", time=shown)
