"""Atom feeds (RFC 4287) of the public lists, written by feedgen: the entries of `registry.queries.lists.feed_entries`
in the visitor's language, each linking to the page that shows its record. A person appears as everywhere: by
name and masked ID number."""
from datetime import UTC, datetime, time

from feedgen.feed import FeedGenerator
from flask import request, url_for
from flask_babel import gettext as _

from registry.clock import CHINA, today
from registry.i18n import current_locale, label, list_separator
from registry.queries.lists import FeedEntry, Subject

ATOM = "application/atom+xml"


def subject_name(subject: Subject) -> str:
    """A firm's name, or a person's name with the masked ID number."""
    if subject.kind == "person":
        return _("%(name)s (ID number %(masked)s)", name=subject.name, masked=subject.id_number_masked)
    return subject.name


def subject_url(subject: Subject) -> str:
    """The public page of a firm or a person."""
    if subject.kind == "person":
        return url_for("portal.person", public_id=subject.public_id, _external=True)
    return url_for("portal.unit", uscc=subject.uscc, _external=True)


def ban_words(until, lifetime: bool) -> str:
    return _("Banned from practice for life") if lifetime else \
        _("Banned from practice until %(date)s", date=until.isoformat())


def field(name: str, value: str) -> str:
    """One line of an entry's text: a field's name and its value."""
    return _("%(name)s: %(value)s", name=name, value=value)


def entry_text(entry: FeedEntry) -> tuple[str, str, str]:
    """An entry's title, its text and the address of the page that shows its record."""
    who = subject_name(entry.subject)
    if entry.penalty is not None:
        p = entry.penalty
        lines = [field(_("Decision number"), p.decision_number), field(_("Authority"), p.authority or "—"),
                 field(_("Decided on"), p.decided_on.isoformat()),
                 field(_("Penalty content"), list_separator().join(label("penalty_kind", k) for k in p.kinds)),
                 field(_("Severity"), label("severity", p.severity)),
                 field(_("Publicity ends"), p.publicity_ends_on.isoformat())]
        if p.fine_yuan is not None:
            lines.insert(4, _("Fine: CNY %(amount)s", amount="{:,.2f}".format(p.fine_yuan)))
        if p.ban_active:
            lines.insert(4, ban_words(p.ban_until, p.ban_lifetime))
        return _("%(who)s: administrative penalty %(number)s", who=who, number=p.decision_number), \
            "\n".join(lines), subject_url(entry.subject)
    if entry.ban is not None:
        b = entry.ban
        lines = [ban_words(b.until, b.lifetime), field(_("Decision number"), b.decision_number),
                 _("the penalty's publicity period has ended; the ban is shown while it lasts")]
        return _("%(who)s: %(ban)s", who=who, ban=ban_words(b.until, b.lifetime)), "\n".join(lines), \
            subject_url(entry.subject)
    f = entry.finding
    lines = [field(_("Verified on"), f.verified_on.isoformat() if f.verified_on else "—"),
             field(_("Authority"), f.authority or "—"), field(_("Finding"), f.finding or "—")]
    if f.project_name:
        lines.insert(0, field(_("Project"), f.project_name))
    link = url_for("portal.project", ref=f.project_ref, _external=True) if f.project_ref else subject_url(entry.subject)
    return _("%(who)s: false performance verified", who=who), "\n".join(lines), link


def atom_feed(title: str, page_url: str, entries: list[FeedEntry]) -> bytes:
    """The feed document: its own address, the page it follows, and its entries newest first."""
    feed = FeedGenerator()
    feed.id(request.base_url)
    feed.title(title)
    feed.subtitle(_("New administrative penalties, practice bans and verified reports of false performance, each "
                    "while it is public."))
    feed.author({"name": _("Soil Remediation Practitioners' Credit Records")})
    feed.link(href=request.base_url, rel="self", type=ATOM)
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.language("en" if current_locale() == "en" else "zh-CN")
    # the feed changes when an entry does; an empty feed is as new as the day it is read on
    feed.updated(max((entry.changed_at for entry in entries),
                     default=datetime.combine(today(), time(), tzinfo=CHINA).astimezone(UTC)))
    host = request.host.split(":")[0]
    for entry in entries:
        title_text, text, link = entry_text(entry)
        item = feed.add_entry(order="append")
        item.id(f"tag:{host},2026:{entry.key}")
        item.title(title_text)
        item.link(href=link, rel="alternate", type="text/html")
        item.published(datetime.combine(entry.day, time(), tzinfo=CHINA))
        item.updated(entry.changed_at)
        item.content(text, type="text")
    return feed.atom_str(pretty=True)
