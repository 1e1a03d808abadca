"""The Chinese catalogues: every one compiles, and a message shared by two rooms reads the same in both
(Flask-Babel merges the rooms' catalogues, so a clash would silently change another room's page)."""
import re
import shutil
import threading
from collections import defaultdict
from pathlib import Path

import flask_babel
import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from registry.i18n import TRANSLATION_DIRECTORIES, lazy_gettext
from registry.queries.audit import EVENTS, IMPORTED, UPDATED_BY_IMPORT
from registry.reference import COMPLAINT_STATUSES
from registry.translations_build import compile_catalogue


def catalogues():
    for directory in TRANSLATION_DIRECTORIES:
        for path in Path(directory).glob("zh_Hans_CN/LC_MESSAGES/messages.po"):
            with path.open("rb") as f:
                yield path, read_po(f)


def test_every_room_has_a_chinese_catalogue():
    assert len(list(catalogues())) == len(TRANSLATION_DIRECTORIES)


def test_every_message_is_translated():
    untranslated = [(path.parent.parent.parent.parent.name, m.id) for path, catalogue in catalogues()
                    for m in catalogue if m.id and not m.string]
    assert untranslated == []


def test_a_message_shared_by_rooms_reads_the_same_in_each():
    translations = defaultdict(set)
    for _path, catalogue in catalogues():
        for message in catalogue:
            if message.id:
                translations[message.id if isinstance(message.id, str) else message.id[0]].add(
                    message.string if isinstance(message.string, str) else message.string[0])
    clashes = {msgid: strings for msgid, strings in translations.items() if len(strings) > 1}
    assert clashes == {}


def test_every_audited_action_has_a_name_in_words():
    """The regulator's audit trail names events in words, never codes: a new
    `record_event(actor, "...")` needs its words in EVENTS in registry/queries/audit.py, with the Chinese
    msgstr in the regulator's catalogue."""
    root = Path(__file__).resolve().parent.parent / "registry"
    actions = set()
    for path in root.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for first, second in re.findall(r'record_event\([^,]+,\s*"([a-z_]+)"(?: if [^"]+ else "([a-z_]+)")?', source):
            actions.update(action for action in (first, second) if action)
        if re.search(r'record_event\([^,]+, f"complaint_\{status\}"', source):
            actions.update(f"complaint_{status}" for status in COMPLAINT_STATUSES)
    unnamed = sorted(a for a in actions if a not in EVENTS and not IMPORTED.match(a) and not UPDATED_BY_IMPORT.match(a))
    assert len(actions) > 20 and unnamed == [], "add these to EVENTS in registry/queries/audit.py"


def test_writers_compiling_one_catalogue_at_once_each_put_a_whole_one_in_place(tmp_path):
    """Two `make` runs in one tree, or servers starting together, compile the same catalogue at once: each writes a
    temporary file of its own and renames it over the .mo (with one temporary name for all, the second writer found
    its file gone, and `make test-all` stopped before any test)."""
    source = next(path for path, _ in catalogues())
    po_path = tmp_path / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
    po_path.parent.mkdir(parents=True)
    shutil.copyfile(source, po_path)
    start, failures = threading.Barrier(8), []

    def compile_once():
        start.wait()
        try:
            compile_catalogue(po_path)
        except OSError as error:
            failures.append(error)

    writers = [threading.Thread(target=compile_once) for _ in range(8)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert failures == []
    with po_path.with_suffix(".mo").open("rb") as f:
        compiled = read_mo(f)
    with source.open("rb") as f:
        assert len(compiled) == len(read_po(f)) > 50
    assert sorted(path.name for path in po_path.parent.iterdir()) == ["messages.mo", "messages.po"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_lazy_message_reads_as_flask_babel_translates_it(app, lang):
    """`registry.i18n.lazy_gettext` keeps a message's translation per language: the same text as Flask-Babel's,
    first time and kept, and outside a request Flask-Babel's own answer."""
    with app.test_request_context(f"/?lang={lang}"):
        for message in ("Firms", "Fine: CNY %(amount)s", "A message in no catalogue, 100%%"):
            for _ in range(2):
                assert str(lazy_gettext(message)) == flask_babel.gettext(message)
        assert str(lazy_gettext("Fine: CNY %(amount)s", amount="1.00")) == flask_babel.gettext(
            "Fine: CNY %(amount)s", amount="1.00")
        assert (str(lazy_gettext("Firms")) == "从业单位") == (lang == "zh")
    answers = []
    for translate in (lambda: str(lazy_gettext("Firms")), lambda: flask_babel.gettext("Firms")):
        try:  # the app context alone: Flask-Babel's answer, or its refusal (no request, no language)
            answers.append(translate())
        except RuntimeError:
            answers.append("refused")
    assert answers[0] == answers[1]
