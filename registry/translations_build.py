"""Compile the translation catalogues (.po) into the .mo files Flask-Babel reads.

The app compiles any missing or stale catalogue when it starts (`init_i18n`), so a plain `pip install -e .`
gives the Chinese interface with no `make` step (DESIGN §8); `python -m registry.translations_build` compiles
them all, as `make setup` does."""
import logging
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

log = logging.getLogger(__name__)


def catalogues(directories) -> list[Path]:
    """Every .po file under the translation directories."""
    return sorted(po for directory in directories for po in Path(directory).glob("*/LC_MESSAGES/*.po"))


def is_stale(po_path: Path) -> bool:
    """True when the .mo is missing or older than its .po."""
    mo_path = po_path.with_suffix(".mo")
    return not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime


def compile_catalogue(po_path: Path) -> None:
    """Write the .mo beside the .po, through a temporary file of this writer's own, so a reader never sees half a
    catalogue and two writers at once (two `make` runs in one tree, or servers starting together) each put a whole
    one in place: with one temporary name for all, the second writer's file was gone when it renamed it."""
    with po_path.open("rb") as f:
        catalog = read_po(f)
    with tempfile.NamedTemporaryFile("wb", dir=po_path.parent, prefix=f"{po_path.stem}.", suffix=".mo.partial",
                                     delete=False) as f:
        try:
            write_mo(f, catalog)
        except BaseException:
            Path(f.name).unlink(missing_ok=True)
            raise
    Path(f.name).replace(po_path.with_suffix(".mo"))


def compile_catalogues(directories, only_stale: bool = False) -> list[Path]:
    """Compile every catalogue (or only the missing and stale ones); returns the .po files compiled."""
    compiled = [po for po in catalogues(directories) if not only_stale or is_stale(po)]
    for po_path in compiled:
        compile_catalogue(po_path)
    return compiled


def compile_stale_catalogues(directories) -> None:
    """At start-up: compile what is missing or stale. An installation that cannot write there (a read-only
    site-packages) keeps the catalogues it shipped with, and says so in the log."""
    try:
        for po_path in compile_catalogues(directories, only_stale=True):
            log.info("compiled translation catalogue %s", po_path.name)
    except OSError as error:
        log.warning("translation catalogues could not be compiled: %s", error)


if __name__ == "__main__":
    from registry.i18n import TRANSLATION_DIRECTORIES

    for path in compile_catalogues(TRANSLATION_DIRECTORIES):
        print(f"compiled {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
