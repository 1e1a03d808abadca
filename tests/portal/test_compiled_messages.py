"""Each language's templates are compiled with their constant messages translated (`registry/templating.py`): the
pages read exactly as when every message was translated while the page was written, in both languages, and a
message's variables are escaped as `_()` escapes them. What a page writes is escaped as markupsafe escapes it."""
import re
from datetime import date
from decimal import Decimal

import pytest
from jinja2.compiler import CodeGenerator
from markupsafe import Markup, escape

from registry import templating
from tests.portal.conftest import HUAXIA, JIAOHUA, JINGHUA, LVYUAN, SUJING

PAGES = ["/", "/search?q=有限公司", "/search?q=不存在", "/search?min_area=abc&q=%3Cb%3E", "/search?q=有限公司&page=99",
         "/similar?industry=C25", "/open-data", f"/units/{SUJING}", f"/units/{JIAOHUA}", f"/units/{JINGHUA}",
         f"/units/{LVYUAN}", f"/units/{HUAXIA}?reviews_page=9", "/projects/SU-2", "/projects/LY-1",
         f"/compare?compare={SUJING}&compare={HUAXIA}", "/penalties", "/bans", "/findings", "/complaints/track",
         "/login", "/no-such-page"]
PER_RENDER = re.compile(r'(nonce|value|content)="[A-Za-z0-9_\-.]{20,}"')  # CSP nonces, form tokens


def pages(client, wang: str) -> dict[str, str]:
    urls = PAGES + [f"/persons/{wang}"]
    return {f"{url} {lang}": PER_RENDER.sub(r'\1="-"', client.get(f"{url}{'&' if '?' in url else '?'}lang={lang}")
                                            .get_data(as_text=True))
            for url in urls for lang in ("zh", "en")}


def test_pages_read_the_same_as_with_messages_translated_while_written(app, client, registry_data, monkeypatch):
    wang = client.get("/api/v1/persons?q=王建国").json["items"][0]["public_id"]
    compiled = pages(client, wang)
    # the same app with the templates compiled afresh, each message left a call to `_()` at every render
    monkeypatch.setattr(templating, "translate_messages", lambda tree: tree)
    app.jinja_env.__dict__.pop("_language_copies")
    assert pages(client, wang) == compiled
    assert "项目" in compiled[f"/units/{SUJING} zh"] and "Project" in compiled[f"/units/{SUJING} en"]


def test_pages_read_the_same_as_with_jinjas_own_escaping(app, client, registry_data, monkeypatch):
    wang = client.get("/api/v1/persons?q=王建国").json["items"][0]["public_id"]
    written = pages(client, wang)
    monkeypatch.setattr(templating.LanguageEnvironment, "code_generator_class", CodeGenerator)
    app.jinja_env.__dict__.pop("_language_copies")
    assert pages(client, wang) == written


class _Html:
    def __html__(self):
        return "<b>kept</b>"


class _Text(str):
    pass


@pytest.mark.parametrize("value", ['<script>"x"&\'', "上海<修复>", "", Markup("<i>safe</i>"), 12, Decimal("1.50"),
                                   None, date(2026, 12, 7), _Html(), _Text("<u>"), ["<a>"]])
def test_output_text_is_markupsafes_escape_as_text(value):
    assert templating.output_text(value) == str(escape(value))


@pytest.mark.parametrize("source", [
    '{{ _("Fine: CNY %(amount)s", amount=value) }}',
    '{% for v in [value, value] %}<td data-label="{{ _("Project") }}">{{ _("since %(day)s", day=v) }}</td>{% endfor %}',
    '{% macro m(x) %}{{ _("Banned from practice until %(date)s", date=x) }}{% endmacro %}{{ m(value) }}',
    '{% autoescape false %}{{ _("since %(day)s", day=value) }}{% endautoescape %}',
    '{{ gettext("No public projects recorded.") }} {{ _("A message in no catalogue %% %(x)s", x=value) }}',
    '{% set _ = "bound here" %}{{ _ }}',
])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_compiled_message_answers_as_a_call_would(app, source, lang):
    value = '<script>"x"&'
    with app.test_request_context(f"/?lang={lang}"):
        compiled = app.jinja_env.for_language(lang).from_string(source)
        called = app.jinja_env.from_string(source)  # the application's own environment: `_()` called as it renders
        assert compiled.render(value=value) == called.render(value=value)
        written = compiled.render(value=value)
    assert "<script>" not in written or "autoescape false" in source


def test_a_profile_page_calls_for_no_translation(app):
    """The compiled firm profile and search page resolve neither `_` nor `gettext`: every message in them is text."""
    for name in ("portal/unit.html", "portal/search.html", "portal/_macros.html"):
        with app.test_request_context("/?lang=en"):
            language = app.jinja_env.for_language("en")
            code = language.compile(language.loader.get_source(language, name)[0], name, raw=True)
        assert "resolve('_')" not in code and "resolve('gettext')" not in code, name
        assert "Review outcomes by year" in code or name != "portal/unit.html"
