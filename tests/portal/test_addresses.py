"""A credit code in any case, with spaces or in full width redirects (301) to the firm's one
canonical address, on the pages and in the API; the person page says 姓名 and shows the person's title."""
from urllib.parse import quote

import pytest

from tests.portal.conftest import SUJING, WANG_ID
from tests.portal.test_profiles import person_public_id


def variants(code: str) -> list[str]:
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code)
    return [code.lower(), f"{code[:6]} {code[6:]}", f" {code} ", full_width]


@pytest.mark.parametrize("prefix", ["/units/", "/api/v1/units/"])
def test_a_credit_code_written_any_way_redirects_to_the_canonical_address(client, registry_data, prefix):
    assert SUJING != SUJING.lower()  # the code holds letters, so case matters to the test
    for written in variants(SUJING):
        response = client.get(prefix + quote(written) + "?lang=zh")
        assert response.status_code == 301, written
        assert response.headers["Location"].endswith(f"{prefix}{SUJING}?lang=zh"), response.headers["Location"]
    assert client.get(prefix + SUJING).status_code == 200


@pytest.mark.parametrize("prefix", ["/units/", "/api/v1/units/"])
def test_the_redirect_keeps_the_query_string_as_sent_and_reads_no_parameter_as_a_keyword(client, registry_data,
                                                                                         prefix):
    for query in ("endpoint=x", "_external=1&_scheme=javascript", "uscc=x&page=2", "q=%E8%8B%8F&q=2"):
        response = client.get(prefix + SUJING.lower() + "?" + query)
        assert response.status_code == 301, query
        assert response.headers["Location"] == f"{prefix}{SUJING}?{query}", response.headers["Location"]


def test_an_unknown_code_is_still_a_404_after_the_redirect(client, registry_data):
    response = client.get("/units/91320506mA1Y2K3L4M", follow_redirects=True)
    assert response.status_code == 404
    assert client.get("/api/v1/units/91320506ma1y2k3l4m", follow_redirects=True).status_code == 404


def test_the_person_page_labels_the_name_and_shows_the_title(client, registry_data):
    text = client.get(f"/persons/{person_public_id(client, '王建国')}").get_data(as_text=True)
    assert "<dt>姓名</dt><dd>王建国</dd>" in text and "<dt>名称</dt>" not in text
    assert "<dt>职务</dt><dd>项目经理</dd>" in text
    assert WANG_ID not in text
