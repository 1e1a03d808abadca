"""Reading a PDF back as a reader would: its text through poppler's `pdftotext` (Debian's poppler-utils, which
`.ci/run` installs), so that a scan for secrets or a check of content reads the words, not compressed streams."""
import subprocess
import tempfile


def pdf_text(data: bytes) -> str:
    """The text of a PDF, page after page (with the layout kept, so a table row stays a line)."""
    done = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
                          check=True)
    return done.stdout.decode("utf-8")


def pdf_fonts(data: bytes) -> list[tuple[str, bool]]:
    """Each font of a PDF by name, and whether it is embedded (`pdffonts`)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        lines = subprocess.run(["pdffonts", file.name], capture_output=True, check=True).stdout.decode().splitlines()
    return [(line.split()[0], line.split()[-5] == "yes") for line in lines[2:] if line.strip()]
