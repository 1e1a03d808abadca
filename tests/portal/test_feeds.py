"""The Atom feeds a landowner subscribes to, to watch a shortlist: national, per province, per firm, per person.
An entry appears only once its record is public and leaves with it, on the day the rules say (the tests' pinned
clock, `TODAY`); a profile links its own feed; feeds are revalidated like the other public answers."""
import re
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from registry.access import Actor
from registry.models import Complaint, Person
from registry.services.complaints import advance_complaint
from registry.services.disclosure import mark_non_disclosed
from tests.factories import complaint_record, create, penalty_record
from tests.portal.conftest import JIAOHUA, LI_ID, LVYUAN, SUJING, WANG_ID, YUEQING

ATOM = "{http://www.w3.org/2005/Atom}"
WANG_MASKED = WANG_ID[:6] + "*" * 8 + WANG_ID[-4:]
LI_MASKED = LI_ID[:6] + "*" * 8 + LI_ID[-4:]
ZHEJIANG = Actor(account_id=None, label="浙江省生态环境厅", role="regulator", division_code="330000",
                 authority_name="浙江省生态环境厅")


def feed(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response.mimetype == "application/atom+xml"
    return ET.fromstring(response.get_data())


def entry_keys(client, url: str) -> list[str]:
    """What each entry of the feed is about (`penalty:<decision number>`, `finding:<ref>`), newest first."""
    return [entry.findtext(f"{ATOM}id").split(":", 2)[2] for entry in feed(client, url).iter(f"{ATOM}entry")]


def public_id(name: str) -> str:
    from registry.extensions import db

    return db.session.scalar(select(Person.public_id).where(Person.name == name))


def test_the_national_feed_is_an_atom_feed_of_what_the_lists_show(client, registry_data):
    root = feed(client, "/feeds/national.atom")
    assert root.findtext(f"{ATOM}title") == "行政处罚、禁止从业和虚假业绩：全国"
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == "http://localhost/feeds/national.atom"
    assert root.findtext(f"{ATOM}updated") and root.findtext(f"{ATOM}id")
    keys = entry_keys(client, "/feeds/national.atom")
    # the public penalties, the lifetime ban whose penalty's publicity ended, the substantiated finding; newest first
    assert keys == ["finding:C-SUB", "penalty:粤环罚〔2026〕7号", "penalty:晋环罚〔2026〕6号", "penalty:晋环罚〔2026〕5号",
                    "penalty:京环罚〔2025〕1号"]
    entries = {entry.findtext(f"{ATOM}id").split(":", 2)[2]: entry for entry in root.iter(f"{ATOM}entry")}
    li = entries["penalty:晋环罚〔2026〕6号"]
    assert li.findtext(f"{ATOM}title") == f"李四（身份证号码{LI_MASKED}）：行政处罚 晋环罚〔2026〕6号"
    assert li.find(f"{ATOM}link").get("href").startswith("http://localhost/persons/")
    lifetime = entries["penalty:京环罚〔2025〕1号"]
    assert lifetime.findtext(f"{ATOM}title") == "北京京华修复有限公司：终身禁止从业"
    assert "伪造修复效果评估报告" not in ET.tostring(lifetime, encoding="unicode")  # only the ban, not the penalty
    finding = entries["finding:C-SUB"]
    assert finding.find(f"{ATOM}link").get("href") == "http://localhost/projects/LY-1"
    text = client.get("/feeds/national.atom").get_data(as_text=True)
    assert LI_ID not in text and "举报人甲" not in text and "尚未核实的举报内容" not in text


def test_the_feed_reads_in_english(client, registry_data):
    root = feed(client, "/feeds/national.atom?lang=en")
    assert root.findtext(f"{ATOM}title") == "Penalties, bans and false performance: nationwide"
    titles = [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]
    assert "北京京华修复有限公司: Banned from practice for life" in titles
    assert f"李四 (ID number {LI_MASKED}): administrative penalty 晋环罚〔2026〕6号" in titles


def test_a_penalty_enters_the_feed_on_its_decision_day_and_leaves_when_its_publicity_ends(app, client, registry_data):
    create(penalty_record({"uscc": SUJING}, "苏环罚〔2026〕20号", decided_on="2026-11-20"))  # ordinary: one year
    key = "penalty:苏环罚〔2026〕20号"
    for day, shown in (("2026-11-19", False), ("2026-11-20", True), ("2027-11-20", True), ("2027-11-21", False)):
        app.config["TODAY"] = day
        assert (key in entry_keys(client, "/feeds/national.atom")) is shown, day
        assert (key in entry_keys(client, f"/feeds/units/{SUJING}.atom")) is shown, day


def test_a_repaired_penalty_leaves_the_feed_on_the_day_of_repair(app, client, registry_data):
    create(penalty_record({"uscc": SUJING}, "苏环罚〔2026〕21号", decided_on="2026-05-01"))
    assert "penalty:苏环罚〔2026〕21号" in entry_keys(client, "/feeds/national.atom")
    create(penalty_record({"uscc": SUJING}, "苏环罚〔2026〕21号", decided_on="2026-05-01", repaired_on="2026-11-25"))
    assert "penalty:苏环罚〔2026〕21号" not in entry_keys(client, "/feeds/national.atom")
    app.config["TODAY"] = "2026-11-24"
    assert "penalty:苏环罚〔2026〕21号" in entry_keys(client, "/feeds/national.atom")


def test_a_ban_stays_after_its_penalty_and_leaves_the_day_after_it_ends(app, client, registry_data):
    # decided under the old rule: public for 36 months (to 2028-01-01); banned until 2029-01-01
    create(penalty_record({"uscc": SUJING}, "苏环罚〔2025〕3号", decided_on="2025-01-01", ban={"until": "2029-01-01"}))
    key, url = "penalty:苏环罚〔2025〕3号", f"/feeds/units/{SUJING}.atom"

    def title():
        return next(entry.findtext(f"{ATOM}title") for entry in feed(client, url).iter(f"{ATOM}entry")
                    if entry.findtext(f"{ATOM}id").endswith(key))

    assert title() == "江苏苏净环保科技有限公司：行政处罚 苏环罚〔2025〕3号"
    app.config["TODAY"] = "2028-06-01"
    assert title() == "江苏苏净环保科技有限公司：禁止从业至2029-01-01"  # the same entry: only the ban now
    app.config["TODAY"] = "2029-01-01"
    assert key in entry_keys(client, url)
    app.config["TODAY"] = "2029-01-02"
    assert key not in entry_keys(client, url)


def test_a_finding_enters_the_feed_once_substantiated_and_leaves_when_withheld(db, client, registry_data):
    create(complaint_record("LY-2", "C-NEW", status="verifying", authority="浙江省生态环境厅",
                            authority_division_code="330000"))
    complaint = db.session.scalar(select(Complaint).where(Complaint.ref == "C-NEW"))
    assert "finding:C-NEW" not in entry_keys(client, "/feeds/national.atom")
    advance_complaint(ZHEJIANG, complaint.id, status="substantiated", finding="经核查，该项目业绩系虚构")
    assert entry_keys(client, f"/feeds/units/{LVYUAN}.atom")[0] == "finding:C-NEW"
    assert "finding:C-NEW" in entry_keys(client, "/feeds/provinces/33.atom")
    mark_non_disclosed(ZHEJIANG, "complaint", complaint.id, ground="third_party", explanation="涉及第三方商业秘密")
    assert "finding:C-NEW" not in entry_keys(client, "/feeds/national.atom")


def test_each_feed_follows_its_own_records(client, registry_data):
    create(penalty_record({"id_number": WANG_ID}, "晋环罚〔2026〕8号", authority="山西省生态环境厅",
                          authority_division_code="140000", decided_on="2026-07-01", ban={"until": "2036-07-01"},
                          kinds=["practice_ban"]))
    assert entry_keys(client, "/feeds/provinces/14.atom") == ["penalty:晋环罚〔2026〕8号"]
    assert entry_keys(client, "/feeds/provinces/11.atom") == []
    assert entry_keys(client, f"/feeds/units/{JIAOHUA}.atom") == ["penalty:晋环罚〔2026〕5号"]
    assert entry_keys(client, f"/feeds/units/{YUEQING}.atom") == ["penalty:粤环罚〔2026〕7号"]  # withheld: name only
    person = feed(client, f"/feeds/persons/{public_id('王建国')}.atom")
    assert person.findtext(f"{ATOM}title") == f"行政处罚和禁止从业：王建国（身份证号码{WANG_MASKED}）"
    assert [e.findtext(f"{ATOM}title") for e in person.iter(f"{ATOM}entry")] == [
        f"王建国（身份证号码{WANG_MASKED}）：行政处罚 晋环罚〔2026〕8号"]


def test_a_feed_of_no_public_record_is_not_found(client, db, registry_data):
    assert client.get("/feeds/units/911111111111111111.atom").status_code == 404
    assert client.get("/feeds/persons/no-such-person.atom").status_code == 404
    assert client.get("/feeds/provinces/99.atom").status_code == 404
    assert client.get(f"/feeds/persons/{public_id('赵六')}.atom").status_code == 404  # unsigned, nothing public
    assert client.get(f"/feeds/units/{JIAOHUA.lower()}.atom").headers["Location"] == f"/feeds/units/{JIAOHUA}.atom"


def test_a_profile_links_its_own_feed(client, registry_data):
    page = client.get(f"/units/{SUJING}").get_data(as_text=True)
    assert f'<link rel="alternate" type="application/atom+xml" href="/feeds/units/{SUJING}.atom"' in page
    assert re.search(rf'<a href="/feeds/units/{SUJING}.atom"[^>]*>关注本单位', page)
    person = client.get(f"/persons/{public_id('王建国')}").get_data(as_text=True)
    assert f'href="/feeds/persons/{public_id("王建国")}.atom"' in person


@pytest.mark.parametrize("url", ["/feeds/national.atom", "/feeds/provinces/37.atom", f"/feeds/units/{JIAOHUA}.atom"])
def test_a_feed_is_revalidated_with_a_304_until_a_write(client, registry_data, url):
    first = client.get(url)
    assert first.headers["Cache-Control"] == "public, max-age=60" and first.headers["ETag"].startswith('W/"')
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    create(penalty_record({"uscc": JIAOHUA}, "晋环罚〔2026〕30号", decided_on="2026-11-01"))
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.get_data() != first.get_data()
