"""The public pages are fully Chinese by default (every interface string is in the catalogue), English on request."""
import re
from pathlib import Path

from babel.messages.pofile import read_po

from tests.portal.conftest import HUAXIA, JIAOHUA, JINGHUA, LVYUAN, SUJING

CATALOGUE = Path(__file__).resolve().parents[2] / "public_portal/translations/zh_Hans_CN/LC_MESSAGES/messages.po"
ALLOWED = {"English", "BOM", "JSON", "Lines", "CSV", "Atom", "UTF", "API", "OpenAPI", "json", "api", "openapi", "kind", "jsonl",
           "csv", "unit", "person", "project", "review", "penalty", "complaint", "registry", "public", "open", "data",
           "SHA", "gzip", "ISO", "YYYY", "true", "false"}


def visible_words(html: str) -> set[str]:
    body = html[html.index("<body"):]
    body = re.sub(r"<(script|style|code)[^>]*>.*?</\1>", " ", body, flags=re.S)  # code: field names, hashes
    text = re.sub(r"<[^>]+>", " ", body)
    return {word for word in re.findall(r"(?<![A-Za-z0-9])[A-Za-z]{3,}(?![A-Za-z0-9])", text) if word not in ALLOWED}


def test_every_message_of_the_catalogue_is_translated():
    with CATALOGUE.open("rb") as f:
        catalogue = read_po(f)
    untranslated = [m.id for m in catalogue if m.id and not m.string]
    assert untranslated == [] and len(catalogue) > 150


def test_public_pages_show_no_english_interface_text_by_default(client, registry_data):
    wang = client.get("/api/v1/persons?q=王建国").json["items"][0]["public_id"]
    urls = ["/", "/search?q=有限公司", "/search?q=不存在", "/search?min_area=abc", "/similar",
            "/similar?industry=C25", "/open-data", f"/units/{SUJING}", f"/units/{JIAOHUA}", f"/units/{JINGHUA}",
            f"/units/{LVYUAN}", f"/units/{HUAXIA}", f"/persons/{wang}", "/projects/SU-2", "/projects/LY-1"]
    for url in urls:
        leftovers = visible_words(client.get(url).get_data(as_text=True))
        assert leftovers == set(), (url, leftovers)


def test_english_pages_on_request(client, registry_data):
    text = client.get(f"/units/{SUJING}?lang=en").get_data(as_text=True)
    assert "1. Basic information" in text and "Report-review outcomes" in text
    assert "soil-pollution investigation, remediation construction" in text  # labels joined the English way
