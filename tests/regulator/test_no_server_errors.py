"""Malformed input never produces a server error: every bad form comes back as a page with its errors."""
import pytest

from tests.regulator.conftest import login_as

BAD_POSTS = [
    ("/regulator/penalties/new", {"subject_kind": "alien", "fine_yuan": "abc", "kinds": ["bogus"], "decided_on": "x",
                                  "severity": "awful", "ban": "forever", "ban_until": "tomorrow"}),
    ("/regulator/penalties/new", {"subject_kind": "person", "subject_id_number": "'; DROP TABLE person; --",
                                  "decision_number": "x" * 500, "decided_on": "2026-11-01", "kinds": ["warning"]}),
    ("/regulator/projects/{project}/reviews", {"round": "abc", "report_type": "bogus", "passed": "maybe"}),
    ("/regulator/projects/{project}/reviews", {"round": "-1", "report_type": "investigation_report",
                                               "reviewed_on": "2026-11-01", "passed": "yes"}),
    ("/regulator/complaints/{complaint}", {"status": "bogus", "verified_on": "yesterday"}),
    ("/regulator/withhold/project/{project}", {"ground": "bogus", "explanation": "x" * 3000}),
    ("/regulator/persons/lookup", {"id_number": "x" * 40}),
]


@pytest.mark.parametrize("url, data", BAD_POSTS)
def test_bad_forms_come_back_with_errors_not_a_server_error(as_qingdao, world, url, data):
    response = as_qingdao.post(url.format(project=world.qd.project, complaint=world.qd.complaint), data=data)
    assert response.status_code == 400
    assert 'class="errors"' in response.get_data(as_text=True)


def test_odd_query_strings_and_missing_records(as_qingdao, world):
    for url in ["/regulator/penalties?page=99999&sort=%27", "/regulator/projects?q=%25_%5C&page=-3",
                f"/regulator/audit/penalty/{world.qd.penalty}?page=50", "/regulator/complaints?status=<script>",
                "/regulator/units?q=" + "长" * 300, "/regulator/penalties/new?find=%25"]:
        assert as_qingdao.get(url).status_code == 200, url
    for url in ["/regulator/projects/999999", "/regulator/penalties/999999", "/regulator/persons/999999",
                "/regulator/audit/unit/999999", "/regulator/withhold/complaint/999999"]:
        assert as_qingdao.get(url).status_code == 404, url
    assert as_qingdao.post("/regulator/penalties/999999/repair").status_code in (302, 404)
    assert as_qingdao.post("/regulator/persons/999999/reveal").status_code == 404


def test_the_administrators_odd_requests(client, world):
    login_as(client, world, "admin")
    assert client.post("/regulator/accounts/999999/suspend").status_code == 302
    assert client.get("/regulator/audit/account/999999").status_code == 404
