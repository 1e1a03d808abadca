"""A crawl of every public page and API answer over the test data set: no full ID number, no complainant
detail and no contact phone anywhere, in either language."""
import json
import re
from urllib.parse import urljoin, urlsplit

from registry.security import FULL_ID_NUMBER
from tests.portal.conftest import ALL_FULL_ID_NUMBERS, GAO_ID, LIN_ID, SECRET_STRINGS

CONTRACT_SECRETS = [LIN_ID, GAO_ID, "0532-80000001", "13600000000", "市民甲", "经核查，举报内容不属实",
                    "合肥市瑶海区长江东路2号", "高远"]
SKIP = ("/login", "/logout", "/practitioner", "/regulator", "/account", "/static")


def crawl(client, start: list[str], limit: int = 400) -> dict[str, str]:
    """Every public URL reachable from `start` by links (pages) and by the ids in API answers."""
    seen: dict[str, str] = {}
    queue = list(start)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        if response.is_json:
            body = json.dumps(response.json, ensure_ascii=False)  # compare Chinese text, not \\u escapes
            queue += api_links(response.json)
        else:
            body = response.get_data(as_text=True)
            if response.mimetype == "text/html":
                queue += page_links(url, body)
        seen[url] = body
    return seen


def page_links(base: str, html: str) -> list[str]:
    links = []
    for href in re.findall(r'href="([^"#]+)', html):
        href = href.replace("&amp;", "&")
        absolute = urljoin(base, href)
        parts = urlsplit(absolute)
        if parts.netloc or parts.path.startswith(SKIP):
            continue
        links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


def api_links(answer) -> list[str]:
    links = []
    items = answer.get("items", []) if isinstance(answer, dict) else []
    for item in items:
        if "uscc" in item and "name" in item and "first_pass" in item:
            links.append(f"/api/v1/units/{item['uscc']}")
        if "public_id" in item:
            links.append(f"/api/v1/persons/{item['public_id']}")
    return links


def assert_clean(pages: dict[str, str], secrets: list[str]) -> None:
    for url, body in pages.items():
        for secret in secrets:
            assert secret not in body, f"{secret!r} on {url}"
        full = [m.group(0) for m in FULL_ID_NUMBER.finditer(body)]
        assert not full, f"a full ID number on {url}"


START = ["/", "/search?q=有限公司", "/search?has_penalty=true", "/search?banned=true", "/search?q=王建国",
         "/search?q=李四", "/similar?industry=C", "/open-data", "/api/v1/units?per_page=100",
         "/api/v1/persons?per_page=100", "/api/v1/projects?per_page=100", "/api/v1/openapi.json",
         "/open-data/registry-public.jsonl"] + [f"/open-data/{kind}.csv" for kind in
                                                ("unit", "person", "project", "review", "penalty", "complaint")]


def test_no_secret_on_any_public_page_or_answer(client, registry_data, contract):
    pages = crawl(client, START)
    assert len(pages) > 40  # profiles of every listed firm, person and project were reached
    assert any(url.startswith("/persons/") for url in pages) and any(url.startswith("/projects/") for url in pages)
    assert any(url.startswith("/api/v1/persons/") for url in pages)
    assert_clean(pages, ALL_FULL_ID_NUMBERS + SECRET_STRINGS + CONTRACT_SECRETS + ["13712345678"])


def test_no_secret_in_english_either(client, registry_data, contract):
    client.get("/?lang=en")
    pages = crawl(client, ["/search?q=有限公司&lang=en", "/similar?industry=C&lang=en"], limit=120)
    assert any("First-pass review rate" in body for body in pages.values())
    assert_clean(pages, ALL_FULL_ID_NUMBERS + SECRET_STRINGS + CONTRACT_SECRETS)


def test_a_filed_complaint_adds_no_public_trace_of_its_complainant(app, client, registry_data):
    from public_portal.forms import form_started_token

    app.config["COMPLAINT_MIN_FILL_SECONDS"] = 0
    filed = client.post("/projects/SU-1/complaints", data={
        "description": "该项目业绩信息中的完成日期与实际情况明显不符，请核查。", "name": "钱七",
        "contact": "13712345678", "website": "", "started": form_started_token()})
    assert filed.status_code == 303 and "/complaints/JB" in filed.headers["Location"]  # the complaint was filed
    pages = crawl(client, START, limit=200)
    assert_clean(pages, ["钱七", "13712345678", "完成日期与实际情况明显不符"])
