"""Compile every translation catalogue (.po) of the project into its .mo, as `make setup` does."""
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from registry.i18n import TRANSLATION_DIRECTORIES


def compile_catalogues() -> list[Path]:
    compiled = []
    for directory in TRANSLATION_DIRECTORIES:
        for po_path in Path(directory).glob("*/LC_MESSAGES/*.po"):
            with po_path.open("rb") as f:
                catalog = read_po(f)
            with po_path.with_suffix(".mo").open("wb") as f:
                write_mo(f, catalog)
            compiled.append(po_path)
    return compiled


if __name__ == "__main__":
    for path in compile_catalogues():
        print(f"compiled {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
