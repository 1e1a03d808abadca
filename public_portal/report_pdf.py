"""A credit report as PDF: the report's own template rendered by WeasyPrint, on A4, with the CJK font embedded.

The font is the system's WenQuanYi Micro Hei (Debian's fonts-wqy-microhei), found by fontconfig by its family
name; WeasyPrint embeds the subset of it the report uses, so the PDF reads the same on a machine without it."""
from flask import current_app, render_template

from registry import ROOT

STYLESHEET = ROOT / "static" / "report.css"


def render_pdf(template: str, **context) -> bytes:
    """The template rendered for print (`for_pdf` true) and laid out as a PDF."""
    from weasyprint import CSS, HTML  # noqa: PLC0415 (imported on first use: Pango costs start-up time and memory)

    html = render_template(template, for_pdf=True, **context)
    return HTML(string=html, base_url=current_app.root_path).write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])
