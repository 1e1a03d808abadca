"""The desk is fully Chinese by default and English on request; forms carry CSRF protection."""
import re
from pathlib import Path

from babel.messages.pofile import read_po

from registry.models import Complaint

from tests.regulator.conftest import login_as

CATALOGUE = Path(__file__).resolve().parents[2] / "registry" / "regulator" / "translations" / "zh_Hans_CN" / \
    "LC_MESSAGES" / "messages.po"


def pages(world):
    qd = world.qd
    return ["/regulator/", "/regulator/projects", f"/regulator/projects/{qd.project}", "/regulator/units",
            f"/regulator/units/{qd.unit}", "/regulator/penalties", "/regulator/penalties/new",
            f"/regulator/penalties/{qd.penalty}", "/regulator/complaints", f"/regulator/complaints/{qd.complaint}",
            f"/regulator/withhold/review/{qd.review}", "/regulator/persons/lookup", f"/regulator/persons/{qd.person}",
            f"/regulator/audit/penalty/{qd.penalty}"]


def english_phrases() -> list[str]:
    """Every interface phrase of this room's catalogue (placeholders cut out), as English text."""
    with CATALOGUE.open("rb") as f:
        catalog = read_po(f)
    phrases = []
    for message in catalog:
        forms = message.id if isinstance(message.id, tuple) else (message.id or "",)  # a plural's two forms
        for part in (piece for form in forms for piece in re.split(r"%\(\w+\)[sd]", form)):
            if " " in part.strip() and re.search(r"[a-z]{3}", part):  # phrases, not words that are also URLs
                phrases.append(part.strip())
    return phrases


def test_every_desk_page_is_in_chinese_by_default_with_no_english_interface_text_left(as_qingdao, world):
    phrases = english_phrases()
    assert len(phrases) > 100
    for url in pages(world):
        page = as_qingdao.get(url).get_data(as_text=True)
        assert '<html lang="zh-CN">' in page
        left = [p for p in phrases if p in page]
        assert left == [], (url, left)


def test_the_desk_speaks_english_on_request(as_qingdao, world):
    page = as_qingdao.get(f"/regulator/penalties/{world.qd.penalty}?lang=en").get_data(as_text=True)
    assert "Administrative penalty" in page and "Publicity end date" in page and "Credit repair possible from" in page
    assert "一般" not in page  # code-list labels follow the language too


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(as_qingdao, db, world):
    as_qingdao.application.config["WTF_CSRF_ENABLED"] = True  # signed in above without it; now every form needs it
    refused = as_qingdao.post(f"/regulator/complaints/{world.qd.complaint}", data={"status": "verifying"})
    assert refused.status_code == 400
    db.session.expire_all()
    assert db.session.get(Complaint, world.qd.complaint).status == "received"
    page = as_qingdao.get(f"/regulator/complaints/{world.qd.complaint}").get_data(as_text=True)
    assert 'name="csrf_token"' in page
