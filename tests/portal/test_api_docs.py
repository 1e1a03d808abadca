"""The API's documentation page for people: rendered on the server from the OpenAPI document (every path,
parameter and answer, with an example), without script, in Chinese and in English."""
import re

from public_portal.openapi import openapi_document


def test_every_path_parameter_and_answer_of_the_document_is_on_the_page(client):
    document = openapi_document()
    for lang in ("zh", "en"):
        page = client.get(f"/api/docs?lang={lang}").get_data(as_text=True)
        for path, methods in document["paths"].items():
            for operation in methods.values():
                assert f'id="{operation["operationId"]}"' in page and f"GET /api/v1{path}" in page
                section = page[page.index(f'id="{operation["operationId"]}"'):]
                section = section[:section.index("</section>")]
                for parameter in operation["parameters"]:
                    assert f"<code>{parameter['name']}</code>" in section, (path, parameter["name"])
                for status in operation["responses"]:
                    assert f"<code>{status}</code>" in section, (path, status)
                assert "curl '" in section and "<details>" in section
        for name in document["components"]["schemas"]:
            assert f'id="schema-{name}"' in page


def test_the_page_has_no_script_and_loads_nothing_from_elsewhere(client):
    page = client.get("/api/docs").get_data(as_text=True)
    assert "<script" not in page
    assert not re.search(r'(src|href)="(https?:)?//', page.replace('href="https://creativecommons.org', ""))


def test_codes_are_shown_with_their_names_in_the_reader_s_language(client):
    zh = client.get("/api/docs").get_data(as_text=True)
    en = client.get("/api/docs?lang=en").get_data(as_text=True)
    assert "<code>remediation_construction</code> 修复施工" in zh
    assert "<code>remediation_construction</code> remediation construction" in en
    assert "<code>61</code> 陕西省" in zh and "<code>61</code> Shaanxi" in en
    assert "公开查询接口说明" in zh and "Public API documentation" in en


def test_the_example_request_answers_as_documented(client, registry_data):
    """The example a reader copies works: its query is percent-encoded UTF-8 and finds the firm."""
    page = client.get("/api/docs?lang=en").get_data(as_text=True)
    example = re.search(r"curl 'http://localhost(/api/v1/units\?[^&]+&amp;per_page=2)'", page)[1]
    answer = client.get(example.replace("&amp;", "&")).json
    assert answer["items"] and answer["per_page"] == 2


def test_the_footer_and_the_open_data_page_link_to_it(client):
    assert 'href="/api/docs"' in client.get("/").get_data(as_text=True)
    assert 'href="/api/docs"' in client.get("/open-data").get_data(as_text=True)
