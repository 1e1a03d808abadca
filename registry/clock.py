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


def in_beijing(moment: datetime) -> datetime:
    """The instant in Beijing time; a naive value (SQLite hands those back) was stored in UTC."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(CHINA)


def beijing_date(moment: datetime | None) -> date | None:
    """The Beijing date of an instant: a letter signed at 01:19 on 3 December in Beijing is dated 12-03."""
    return in_beijing(moment).date() if moment is not None else None


def beijing_time(moment: datetime | None, seconds: bool = False) -> str:
    """An instant as the reader sees it, labelled: `2026-12-03 01:19 北京时间`."""
    if moment is None:
        return "—"
    shown = in_beijing(moment).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    return f"{shown} {gettext('Beijing time')}"
