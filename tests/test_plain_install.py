"""DESIGN §8: a plain `pip install -e '.[test]'` is a Chinese site. The .mo files are not in
git and no `make` step runs, so the app compiles missing or stale catalogues when it starts."""
import os
import shutil

from babel.support import Translations

from registry.app import create_app
from registry.extensions import db
from registry.i18n import TRANSLATION_DIRECTORIES
from registry.translations_build import compile_stale_catalogues


def translated(mo, message: str) -> str:
    with mo.open("rb") as f:
        return Translations(f).gettext(message)


def test_missing_catalogues_are_compiled_when_the_app_starts(app_config, tmp_path, monkeypatch):
    """The package's catalogue folders, copied without their .mo files (as after a fresh clone and `pip install
    -e .`): the app compiles them when it starts. (A copy, so that other test processes reading the package's
    own .mo files at the same moment never find them gone.)"""
    from registry import i18n

    copies = [tmp_path / str(number) for number, _ in enumerate(TRANSLATION_DIRECTORIES)]
    for directory, copy in zip(TRANSLATION_DIRECTORIES, copies):
        shutil.copytree(directory, copy, ignore=shutil.ignore_patterns("*.mo", "*.mo.partial"))
    compiled = [po.with_suffix(".mo") for copy in copies for po in copy.glob("*/LC_MESSAGES/*.po")]
    assert len(compiled) == len(TRANSLATION_DIRECTORIES) and not any(mo.exists() for mo in compiled)
    monkeypatch.setattr(i18n, "TRANSLATION_DIRECTORIES", copies)
    app = create_app(app_config)
    assert all(mo.exists() for mo in compiled)
    page = app.test_client().get("/").get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()  # this app's own connections, closed before another test's start
    assert "身份证号码仅显示前六位和后四位" in page and "ID numbers" not in page


def test_a_stale_catalogue_is_recompiled_and_a_fresh_one_left_alone(tmp_path):
    room = tmp_path / "translations"
    shutil.copytree(TRANSLATION_DIRECTORIES[-1], room)  # the portal's catalogue
    po = next(room.glob("*/LC_MESSAGES/messages.po"))
    mo = po.with_suffix(".mo")
    mo.unlink(missing_ok=True)

    compile_stale_catalogues([room])
    assert translated(mo, "Full name") == "姓名"

    fresh = mo.stat().st_mtime_ns
    compile_stale_catalogues([room])
    assert mo.stat().st_mtime_ns == fresh  # nothing to do: the start-up stays quick

    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "姓名"', 'msgstr "全名"'), encoding="utf-8")
    os.utime(mo, ns=(fresh - 10**9, fresh - 10**9))  # the .po edited after the .mo was built
    compile_stale_catalogues([room])
    assert translated(mo, "Full name") == "全名"


def test_a_fresh_clone_with_no_instance_folder_starts_and_migrates(tmp_path, monkeypatch):
    """The README's first command on a fresh clone: no instance folder yet, the embedded SQLite default. The
    app makes the folder (private: the keys live there), generates its keys and `flask db upgrade` builds the
    schema, instead of refusing to start because SQLite cannot open a file in a folder that does not exist."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REGISTRY_INSTANCE_PATH", raising=False)
    instance = tmp_path / "clone" / "instance"
    app = create_app({"SEARCH_INDEX_DIR": str(tmp_path / "index")}, instance_path=str(instance))
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:")
    assert os.stat(instance).st_mode & 0o777 == 0o700
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert "unit" in db.inspect(db.engine).get_table_names()
        db.engine.dispose()
