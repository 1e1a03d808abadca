"""Anyone may report false performance on a project page: a receipt number, confidentiality, the regulator of
the project's jurisdiction, a rate limit per address and bot protection without outside services."""
import re
import time
from datetime import date

import pytest
from sqlalchemy import func, select

from registry.access import Actor
from registry.extensions import db
from registry.models import AuditEvent, Complaint, RateLimitHit
from public_portal.forms import form_started_token
from registry.services.complaints import advance_complaint
from tests.portal.conftest import SUJING

DESCRIPTION = "该项目实际由其他单位完成，业绩信息中的完成日期和面积均与事实不符。"


@pytest.fixture
def filing(app):
    app.config["COMPLAINT_MIN_FILL_SECONDS"] = 0
    return app


def post(client, ref="SU-1", **fields):
    data = {"description": DESCRIPTION, "name": "", "contact": "", "website": "", "started": form_started_token()}
    data.update(fields)
    return client.post(f"/projects/{ref}/complaints", data=data, environ_base={"REMOTE_ADDR": "203.0.113.7"})


def complaints() -> list[Complaint]:
    return list(db.session.scalars(select(Complaint).where(Complaint.status == "received",
                                                           Complaint.ref.like("JB%"))))


def receipt_page(client, response):
    """Follow the POST's 303 to the receipt page (Post/Redirect/Get)."""
    assert response.status_code == 303, response.get_data(as_text=True)
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_a_complaint_gets_a_receipt_and_goes_to_the_regulator_of_the_project(client, registry_data, filing):
    response = post(client, contact="13712345678", name="张先生")
    text = receipt_page(client, response)
    assert "举报已受理" in text
    receipt = re.search(r'<strong class="receipt">(JB\d{8}-[0-9A-F]{8})</strong>', text).group(1)
    [complaint] = complaints()
    assert complaint.ref == receipt
    assert complaint.authority_division_code == "320505"  # the project's division, not the firm's
    assert complaint.project.ref == "SU-1" and complaint.received_on.isoformat() == "2026-11-26"
    assert complaint.description == DESCRIPTION
    assert complaint.complainant_contact == "13712345678" and complaint.complainant_name == "张先生"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "complaint_filed"))
    assert event.division_code == "320505" and "13712345678" not in str(event.after)
    assert "张先生" not in str(event.after) and event.ip is None


def test_the_complainant_never_appears_in_public(client, registry_data, filing):
    post(client, contact="13712345678", name="张先生")
    for url in ("/projects/SU-1", f"/units/{SUJING}",
                "/open-data/registry-public.jsonl", "/open-data/complaint.csv"):
        text = client.get(url).get_data(as_text=True)
        assert "13712345678" not in text and "张先生" not in text and DESCRIPTION not in text


def test_an_anonymous_complaint_is_accepted(client, registry_data, filing):
    assert post(client).status_code == 303
    [complaint] = complaints()
    assert complaint.complainant_contact is None and complaint.complainant_name is None


def test_a_short_description_is_refused_next_to_its_field_and_nothing_is_saved(client, registry_data, filing):
    response = post(client, description="太短")
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="description-errors"' in text and "长度应为20至5000个字符" in text
    assert complaints() == []


def test_a_filled_honeypot_is_refused(client, registry_data, filing):
    response = post(client, website="http://spam.example")
    assert response.status_code == 400 and "疑似自动程序" in response.get_data(as_text=True)
    assert complaints() == []


def test_a_form_sent_back_at_once_comes_back_with_its_text_and_the_second_submit_files_it(app, client, registry_data):
    """A person who pastes the description and submits at once is not taken for a bot twice."""
    app.config["COMPLAINT_MIN_FILL_SECONDS"] = 30
    response = post(client, name="张先生")
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "表单提交过快。请核对举报内容后再次提交。" in text
    assert complaints() == []
    assert DESCRIPTION in text and 'value="张先生"' in text  # the text is kept
    token = re.search(r'name="started" type="hidden" value="([^"]+)"', text).group(1)
    assert "举报已受理" in receipt_page(client, post(client, started=token, name="张先生"))
    assert len(complaints()) == 1


def test_a_forged_or_missing_start_token_is_refused(client, registry_data, filing):
    assert post(client, started="forged").status_code == 400
    assert post(client, started="").status_code == 400
    assert complaints() == []


def test_a_real_form_shown_then_filled_is_accepted(app, client, registry_data):
    app.config["COMPLAINT_MIN_FILL_SECONDS"] = 1
    text = client.get("/projects/SU-1").get_data(as_text=True)
    token = re.search(r'name="started" type="hidden" value="([^"]+)"', text).group(1)
    time.sleep(1.1)
    assert post(client, started=token).status_code == 303


def test_complaints_are_rate_limited_per_address(app, client, registry_data, filing):
    app.config["COMPLAINTS_PER_ADDRESS_PER_HOUR"] = 2
    assert post(client).status_code == 303
    assert post(client).status_code == 303
    response = post(client)
    assert response.status_code == 400 and "一小时内提交的举报过多" in response.get_data(as_text=True)
    assert len(complaints()) == 2
    hits = db.session.scalars(select(RateLimitHit.address_hmac)).all()
    assert len(hits) == 2 and all("203.0.113.7" not in h for h in hits)  # only a keyed hash of the address
    other = client.post("/projects/SU-1/complaints", environ_base={"REMOTE_ADDR": "198.51.100.2"},
                        data={"description": DESCRIPTION, "website": "", "started": form_started_token()})
    assert other.status_code == 303


def test_only_public_projects_take_complaints(client, registry_data, filing):
    assert post(client, ref="LY-3").status_code == 404  # non-disclosed
    assert post(client, ref="HX-1").status_code == 404  # its firm's performance is not public
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 3  # the three imported ones


def test_the_form_needs_a_csrf_token(app, client, registry_data, filing):
    app.config["WTF_CSRF_ENABLED"] = True
    response = post(client)
    assert response.status_code == 400 and complaints() == []
    text = client.get("/projects/SU-1").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text).group(1)
    assert post(client, csrf_token=token).status_code == 303


def test_a_replayed_post_files_nothing_and_redirects_to_the_same_receipt(client, registry_data, filing):
    """Refresh, the back button and a resent form: one complaint, one receipt."""
    token = form_started_token()
    first = post(client, started=token)
    again = post(client, started=token)
    assert first.status_code == again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]
    assert len(complaints()) == 1
    assert db.session.scalar(select(func.count()).select_from(RateLimitHit)) == 1
    receipt = receipt_page(client, first)
    assert receipt == client.get(first.headers["Location"]).get_data(as_text=True)  # a refresh is a GET
    assert len(complaints()) == 1 and complaints()[0].ref in receipt


def test_the_receipt_page_needs_the_receipt_number_and_its_check_code(client, registry_data, filing):
    location = post(client, contact="13712345678", name="张先生").headers["Location"]
    [complaint] = complaints()
    page = client.get(location).get_data(as_text=True)
    assert complaint.ref in page and "查验码" in page
    assert "13712345678" not in page and "张先生" not in page and DESCRIPTION not in page
    check = re.search(r"check=([0-9A-F]+)", location).group(1)
    assert client.get(f"/complaints/{complaint.ref}").status_code == 404
    assert client.get(f"/complaints/{complaint.ref}?check=0000000000").status_code == 404
    assert client.get(f"/complaints/JB20261126-00000000?check={check}").status_code == 404
    assert client.get(f"/complaints/C-SUB?check={check}").status_code == 404  # another complaint's number
    assert client.get(f"/complaints/{complaint.ref}?check={check.lower()}").status_code == 200


# the regulator of the project's jurisdiction (SU-1 lies in 320505)
SUZHOU = Actor(account_id=None, label="苏州市生态环境局", role="regulator", division_code="3205",
               authority_name="苏州市生态环境局")


def track(client, receipt, check):
    return client.get("/complaints/track", query_string={"receipt": receipt, "check": check})


def test_a_complainant_follows_the_complaint_to_its_public_outcome_and_never_sees_themself(client, registry_data,
                                                                                           filing):
    """/complaints/track: the receipt number and check code show the status, the deadline in working days
    (30 by default) and, once decided, the finding as published; nothing about the complainant, ever."""
    location = post(client, contact="13712345678", name="张先生").headers["Location"]
    [complaint] = complaints()
    check = re.search(r"check=([0-9A-F]+)", location).group(1)
    assert "/complaints/track" in client.get(location).get_data(as_text=True)  # the receipt links the tracking
    form = client.get("/complaints/track")
    assert form.status_code == 200 and 'name="receipt"' in form.get_data(as_text=True)
    pages = []
    page = track(client, complaint.ref, check).get_data(as_text=True)
    pages.append(page)
    # received 2026-11-26: the 30th working day after it is 2027-01-07, in a year whose holidays are not known
    assert "已受理" in page and "2027-01-07" in page and "剩余30个工作日" in page
    assert "该年度的节假日安排尚未公布" in page
    advance_complaint(SUZHOU, complaint.id, status="verifying")
    page = track(client, complaint.ref, check).get_data(as_text=True)
    pages.append(page)
    assert "核查中" in page and "剩余30个工作日" in page
    finding = "经现场核查，该项目实际由其他单位完成，业绩信息不实。"
    advance_complaint(SUZHOU, complaint.id, status="substantiated", finding=finding, verified_on=date(2026, 11, 26))
    page = track(client, complaint.ref, check).get_data(as_text=True)
    pages.append(page)
    assert "属实" in page and finding in page and "2026-11-26" in page and "工作日" not in page
    english = client.get("/complaints/track", query_string={"receipt": complaint.ref, "check": check, "lang": "en"})
    pages.append(english.get_data(as_text=True))
    assert "Public finding" in pages[-1] and finding in pages[-1]
    for page in pages:
        assert "13712345678" not in page and "张先生" not in page and DESCRIPTION not in page
    assert "no-store" in english.headers["Cache-Control"]  # one complainant's page: no cache keeps it


def test_an_unsubstantiated_complaint_says_so_and_publishes_nothing(client, registry_data, filing):
    location = post(client).headers["Location"]
    [complaint] = complaints()
    check = re.search(r"check=([0-9A-F]+)", location).group(1)
    advance_complaint(SUZHOU, complaint.id, status="verifying")
    advance_complaint(SUZHOU, complaint.id, status="unsubstantiated", finding="经核查，举报内容与事实不符，不予认定。",
                      verified_on=date(2026, 11, 26))
    page = track(client, complaint.ref, check).get_data(as_text=True)
    assert "不属实" in page and "不予公开" in page and "经核查，举报内容与事实不符" not in page


def test_a_wrong_or_missing_number_or_code_is_told_plainly_and_shows_nothing(client, registry_data, filing):
    location = post(client).headers["Location"]
    [complaint] = complaints()
    check = re.search(r"check=([0-9A-F]+)", location).group(1)
    for receipt, code in ((complaint.ref, "0000000000"), ("JB20261126-00000000", check), ("C-SUB", check)):
        answer = track(client, receipt, code)
        text = answer.get_data(as_text=True)
        assert answer.status_code == 404 and "没有与该受理编号和查验码相符的举报" in text
        assert "原青岛电镀厂" not in text and "已受理" not in text
    missing = track(client, complaint.ref, "")
    assert missing.status_code == 400 and "请输入查验码" in missing.get_data(as_text=True)
    too_long = track(client, "J" * 65, check)
    assert too_long.status_code == 400 and "最多" in too_long.get_data(as_text=True)
    assert track(client, f" {complaint.ref} ", check.lower()).status_code == 200  # as copied from a receipt


def test_the_number_of_working_days_is_a_setting(app, client, registry_data, filing):
    app.config["COMPLAINT_WORKING_DAYS"] = 5
    location = post(client).headers["Location"]
    [complaint] = complaints()
    check = re.search(r"check=([0-9A-F]+)", location).group(1)
    page = track(client, complaint.ref, check).get_data(as_text=True)
    assert "2026-12-03" in page and "剩余5个工作日" in page  # Friday 27th, then Monday 30th to Thursday 3rd
