"""Simplified Chinese first, English available: `?lang=en` (kept in a cookie) switches the interface.

Babel names the Chinese locale `zh_Hans_CN`; a catalogue under `zh_CN` would silently never be found.
"""
import re
import unicodedata
from collections.abc import Callable
from functools import cache
from pathlib import Path
from urllib.parse import urlencode

from babel import Locale, support
from flask import Flask, Request, current_app, g, has_request_context, request
from flask_babel import get_translations, gettext as babel_gettext
from flask_babel.speaklater import LazyString
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from werkzeug.utils import cached_property
from wtforms.i18n import messages_path

from registry.clock import beijing_date, beijing_time
from registry.extensions import babel
from registry.reference import CODE_LISTS
from registry.rules import divisions, industries
from registry.translations_build import compile_stale_catalogues

ROOT = Path(__file__).resolve().parent.parent
TRANSLATION_DIRECTORIES = [
    ROOT / "registry" / "translations",
    ROOT / "registry" / "practitioner" / "translations",
    ROOT / "registry" / "regulator" / "translations",
    ROOT / "public_portal" / "translations",
]
LANG_COOKIE = "lang"
LONG_DIGIT_RUN = re.compile(r"\d{15,}")


class LocalizedRequest(Request):
    """Flask's request, with the language it asks for read once."""

    @cached_property
    def language(self) -> str:
        """`en` when the query string (`?lang=en`) or, without one there, the language cookie asks for English;
        `zh` otherwise. Read once a request: a page asks for it hundreds of times (every translated message and
        code label), and each `MultiDict.get` of an absent key raised and caught a KeyError (3.4 µs a time)."""
        choice = self.args["lang"] if "lang" in self.args else self.cookies.get(LANG_COOKIE)
        return "en" if choice == "en" else "zh"

    @cached_property
    def wtforms_translations(self) -> support.Translations:
        """WTForms' own messages in this request's language, where Flask-WTF looks for them first. Without it,
        Flask-WTF loaded and parsed WTForms' catalogue again on every request that built a form (a tenth of
        the empty search page)."""
        return _wtforms_catalogue(select_locale())


@cache
def _wtforms_catalogue(locale: str) -> support.Translations:
    """WTForms' catalogue for a locale, loaded once a process, as Flask-WTF loads it (flask_wtf.i18n)."""
    return support.Translations.load(messages_path(), [Locale.parse(locale)], domain="wtforms")


def select_locale() -> str:
    return "en" if request.language == "en" else "zh_Hans_CN"


def current_locale() -> str:
    """`en` or `zh` for the current request (outside one: `zh`): the choice Flask-Babel's locale is parsed from,
    read without parsing it (a 304's tag names the language; Flask-Babel's lookup and `Locale.parse` were a
    tenth of its cost)."""
    try:
        return request.language
    except RuntimeError:
        return "zh"


def language_switch(lang: str) -> str:
    """The link to this page in the other language: the query string as it is, with `lang` set (search terms,
    filters, the firms being compared and the page number stay). A bare query string, never a path or host,
    so the link stays on this page whatever the request's path holds. A value holding a run of 15 or more digits
    (what a full ID number would show, even glued to other text) is left out: the page refuses it, and the link
    must not echo it."""
    kept = [(key, value) for key, value in request.args.items(multi=True)
            if key != "lang" and not LONG_DIGIT_RUN.search(unicodedata.normalize("NFKC", value))]
    return "?" + urlencode([*kept, ("lang", lang)])


def request_translations():
    """This request's merged catalogue, looked up once: Flask-Babel finds it again for every message (the
    locale, its name, then its cache), which was a third of a firm profile's rendering time (~130 messages)."""
    translations = g.get("_registry_translations")
    if translations is None:
        translations = g._registry_translations = get_translations()
    return translations


KEPT_MESSAGES = 4096  # translated messages kept (a template's messages are constants: a few hundred in all)
# a message's answer by (language, message, form): True or False, `_()` in a template that escapes or not; None,
# Flask-Babel's `gettext` (which, without variables, applies no `%`)
_kept_messages: dict[tuple[str, str, bool | None], str] = {}


def _kept(message: str, form: bool | None, translate: Callable[[], str]) -> str:
    """The message's answer in this request's language and `form`, from `translate()` the first time."""
    key = (current_locale(), message, form)
    answer = _kept_messages.get(key)
    if answer is None:
        answer = translate()
        if len(_kept_messages) < KEPT_MESSAGES:
            _kept_messages[key] = answer
    return answer


@pass_context
def template_gettext(context: Context, message: str, **variables) -> str:
    """`_()` and `gettext()` in the templates: what Jinja's newstyle gettext answers (the translation, as Markup
    where the template escapes, always formatted with its variables), with a message's answer kept per language
    when it has no variables. A page's constant messages are translated as it compiles (registry/templating.py,
    which answers as this does); this answers the rest (a message held in a variable, a template rendered outside
    a request)."""
    escaped = context.eval_ctx.autoescape
    if variables:
        return _translation(message, escaped) % variables
    return _kept(message, escaped, lambda: _translation(message, escaped) % {})


def lazy_gettext(message: str, **variables) -> LazyString:
    """Flask-Babel's `lazy_gettext` (the same LazyString, translated when it is written), each message without
    variables translated once a language and kept: Flask-Babel finds the locale and the catalogue again at every
    use (15 µs; a search form's labels and filters are ten)."""
    return LazyString(_lazy_translation, message, **variables)


def _lazy_translation(message: str, **variables) -> str:
    if variables or not has_request_context():  # outside a request Flask-Babel's own answer (or its error)
        return babel_gettext(message, **variables)
    return _kept(message, None, lambda: babel_gettext(message))


def _translation(message: str, escaped: bool) -> str:
    """The message in this request's language, as Jinja's gettext gives it: Markup where the template escapes,
    so that `%` escapes the variables put into it."""
    translated = request_translations().ugettext(message)
    return Markup(translated) if escaped else translated  # nosec B704: the registry's own catalogues


def label(list_name: str, code: str | None) -> str:
    """The interface label of a code from a code list, in the current language."""
    if code is None:
        return "—"
    entry = CODE_LISTS[list_name].get(code)
    if entry is None:
        return code
    return entry.en if current_locale() == "en" else entry.zh


def division_name(code: str) -> str:
    """A division's name in the current language: 广东省深圳市南山区, or Nanshan District, Shenzhen, Guangdong."""
    return divisions.division_name_en(code) if current_locale() == "en" else divisions.division_name(code)


def industry_name(code: str) -> str:
    """A GB/T 4754-2017 code's name in the current language."""
    return industries.industry_name_en(code) if current_locale() == "en" else industries.industry_name(code)


def list_separator() -> str:
    """What joins the items of a list in the current language: 罚款、禁止从业, or fine, practice ban."""
    return ", " if current_locale() == "en" else "、"


def remember_language(response):
    """Keep an explicit `?lang=` choice for the following pages."""
    choice = request.args.get("lang")
    if choice in ("en", "zh"):
        response.set_cookie(LANG_COOKIE, choice, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                            secure=current_app.config["SESSION_COOKIE_SECURE"])  # HTTPS-only in production
    return response


def init_i18n(app: Flask) -> None:
    compile_stale_catalogues(TRANSLATION_DIRECTORIES)  # a plain `pip install` has no .mo files yet
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(str(d) for d in TRANSLATION_DIRECTORIES)
    app.request_class = LocalizedRequest
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True)
    app.jinja_env.globals.update(_=template_gettext, gettext=template_gettext)
    app.after_request(remember_language)
    app.jinja_env.filters.update(beijing_time=beijing_time, beijing_date=beijing_date)
    app.jinja_env.globals.update(
        label=label,
        current_locale=current_locale,
        html_lang=lambda: "en" if current_locale() == "en" else "zh-CN",
        industry_name=industry_name,
        division_name=division_name,
        list_separator=list_separator,
        language_switch=language_switch,
    )
