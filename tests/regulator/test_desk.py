"""The regulator's desk: the header names the official and the authority once; the work queue."""
from registry.services.audit import SYSTEM
from registry.services.regulator_accounts import create_regulator
from tests.regulator.conftest import PASSWORD, login


def header(client) -> str:
    page = client.get("/regulator/").get_data(as_text=True)
    start = page.index('<nav class="desk-nav')
    return page[start:page.index("</nav>", start)]


def test_the_header_does_not_repeat_an_authority_that_is_also_the_display_name(client, db, world):
    """Issue 12.10: not "苏州市生态环境局 · 苏州市生态环境局"."""
    create_regulator(SYSTEM, username="suzhou-bureau", display_name="苏州市生态环境局", division_code="320500",
                     authority_name="苏州市生态环境局", password=PASSWORD)
    login(client, "suzhou-bureau")
    shown = header(client)
    assert shown.count("苏州市生态环境局") == 1 and "320500" in shown


def test_the_header_names_an_official_and_the_authority(as_qingdao, world):
    shown = header(as_qingdao)
    assert "王监管 · 青岛市生态环境局" in shown
