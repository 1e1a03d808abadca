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


def test_the_language_link_keeps_the_query_and_stays_on_the_page(client, registry_data):
    """Switching language keeps the search, the filters and the firms being compared; only `lang` changes, and the
    link is a bare query string, so a path such as //example.org cannot turn it into a link to another site."""
    page = client.get(f"/compare?compare={SUJING}&compare={HUAXIA}&lang=zh").get_data(as_text=True)
    link = re.search(r'<a href="([^"]*)" lang="en">English</a>', page).group(1)
    assert link == f"?compare={SUJING}&amp;compare={HUAXIA}&amp;lang=en"
    page = client.get("/search?lang=en&q=%E8%8B%8F%E5%87%80&page=1").get_data(as_text=True)
    assert '<a href="?q=%E8%8B%8F%E5%87%80&amp;page=1&amp;lang=zh" lang="zh-CN">中文</a>' in page
    page = client.get("/search?lang=en&q=110105198001012011&page=1").get_data(as_text=True)
    assert '<a href="?page=1&amp;lang=zh" lang="zh-CN">中文</a>' in page and "19800101" not in page
    page = client.get("/search?lang=en&q=１１０１０５１９８００１０１２０１１").get_data(as_text=True)  # full-width digits
    assert '<a href="?lang=zh" lang="zh-CN">中文</a>' in page
    client.get("/?lang=zh")
    page = client.get("//example.org/x").get_data(as_text=True)
    assert '<a href="?lang=en" lang="en">English</a>' in page
