"""No Chinese interface text is left on an English page. Every GET route of the URL map is read in English by
every role that may read it (the access matrix's table gives each route its real records, so a new route is held
to this as soon as it is classified there), and the public pages are crawled from there, link by link.

The rule for what is data, not interface: a Chinese run of characters may stay when
  1. it lies inside an element marked `lang="zh…"` (records and legal texts the templates mark as Chinese, and the
     language switch, which names the other language in its own), or
  2. it is part of a text value the database holds (a record's name, parcel, decision, address, audit snapshot:
     the registry's data, shown as it was entered), or
  3. it is what a form field holds (an input's value, a textarea's content): what the user typed or the record.
Anything else in a text node, or in a title, aria-label, placeholder, alt or label, is interface text and fails."""
import json
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import sqlalchemy as sa

from tests.privacy.conftest import secrets  # noqa: F401 (a fixture: the privacy crawl's full registry)
from tests.privacy.test_public_surfaces import probes, url_map_urls
from tests.security.conftest import ROLES, url
from tests.security.test_access_matrix import ACCESS, ROUTES

pytestmark = pytest.mark.slow

CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]+")
INTERFACE_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "label")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
CRAWL_LIMIT = 800


class InterfaceText(HTMLParser):
    """The text of a page that is interface, not data: text nodes and interface attributes outside any element
    marked lang="zh…", outside scripts, styles and form fields' contents."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, inside Chinese data or a form field's content)
        self.texts: list[str] = []
        self.links: list[str] = []

    def data_context(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        marked = (attributes.get("lang") or "").startswith("zh")
        inside = self.data_context() or marked or tag in ("script", "style", "textarea")
        if not inside:
            self.texts += [attributes[name] for name in INTERFACE_ATTRIBUTES if attributes.get(name)]
        if tag not in VOID:
            self.stack.append((tag, inside))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):  # close up to the matching tag (HTML may omit ends)
            if self.stack[index][0] == tag:
                del self.stack[index:]
                break

    def handle_data(self, data):
        if not self.data_context() and data.strip():
            self.texts.append(data)


def database_texts(db) -> list[str]:
    """Every Chinese text the database holds (each line of it too, and every string inside JSON), longest first."""
    found: set[str] = set()

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and CJK.search(value):
            if value[:1] in "[{":
                try:
                    walk(json.loads(value))
                    return
                except ValueError:
                    pass
            found.add(value.strip())
            found.update(line.strip() for line in value.splitlines() if CJK.search(line))

    with db.engine.connect() as conn:
        for table in sa.inspect(db.engine).get_table_names():
            for row in conn.execute(sa.text(f'SELECT * FROM "{table}"')):
                for value in row:
                    walk(value)
    return sorted(found, key=len, reverse=True)


def leftovers(html: str, data: list[str]) -> tuple[list[str], list[str]]:
    """The Chinese interface text left on a page, and the page's links."""
    parser = InterfaceText()
    parser.feed(html)
    left = []
    for text in parser.texts:
        if not CJK.search(text):
            continue
        for value in data:
            if value in text:
                text = text.replace(value, " ")
        left += [f"{run!r} in {text.strip()[:120]!r}" for run in CJK.findall(text)][:1]
    return left, parser.links


def english(path: str) -> str:
    return path + ("&" if "?" in path else "?") + "lang=en"


def test_no_chinese_interface_text_on_any_english_page_for_any_role(app, db, cast):
    problems, read, public_pages = [], 0, []
    rules = sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static" and "GET" in r.methods),
                   key=lambda r: r.endpoint)
    # each route's real records first (some are made for it, such as an issued report and its purpose line),
    # then the texts the database holds
    paths = [(ROUTES[rule.endpoint][0], url(rule.endpoint, **ROUTES[rule.endpoint][2](cast))) for rule in rules]
    data = database_texts(db)  # (a KeyError above: classify the new route in the access matrix)
    for get_access, path in paths:
        for role in ROLES:
            if ACCESS[get_access][role] != "ok":
                continue
            response = cast.clients[role].get(english(path))
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            read += 1
            left, _links = leftovers(response.get_data(as_text=True), data)
            problems += [f"{role} {path}: {item}" for item in left]
            if role == "anonymous":
                public_pages.append(path)
    assert read > 60, read

    seen = crawl(cast.clients["anonymous"], public_pages + ["/no-such-page"], data, problems)
    assert len(seen) > 20
    assert problems == [], report(problems)


def test_no_chinese_interface_text_on_the_english_public_pages_of_a_full_registry(app, db, secrets):  # noqa: F811
    """The privacy crawl's registry (penalties, bans, findings, withheld records, a large firm), every public
    route of the URL map with every real parameter, the visitor's probes, and every page they link to."""
    urls, _public = url_map_urls(app)
    problems = []
    seen = crawl(app.test_client(), probes(secrets) + urls, database_texts(db), problems)
    assert len(seen) > 200
    assert problems == [], report(problems)


def crawl(visitor, start: list[str], data: list[str], problems: list[str]) -> set[str]:
    """Read pages in English breadth-first from `start`, following same-site links; record what is left."""
    seen, queue = set(), list(start)
    while queue and len(seen) < CRAWL_LIMIT:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = visitor.get(english(path))
        if response.mimetype != "text/html" or response.status_code in (301, 302, 303):
            continue
        left, links = leftovers(response.get_data(as_text=True), data)
        problems += [f"anonymous {path} ({response.status_code}): {item}" for item in left]
        for link in links:
            target = urlsplit(urljoin("http://localhost" + path, link.replace("&amp;", "&")))
            if target.netloc == "localhost" and "lang=" not in target.query:
                queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return seen


def report(problems: list[str]) -> str:
    unique = sorted(set(problems))
    return f"{len(unique)} Chinese interface texts on English pages:\n" + "\n".join(unique[:300])
