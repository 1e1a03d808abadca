"""A project verified as false performance says so where it would say on time or late, leaves
the firm's on-time rate (numerator and denominator) from the finding's date, and search hits count the findings."""
from registry.queries.profiles import unit_profile
from tests.factories import complaint_record, create, make_uscc, project_record, unit_record

FIRM = make_uscc("370200", 301)


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def firm_with_a_false_project():
    """Three completed projects, all on time; the first is found false on 2026-10-20."""
    create(
        unit_record(FIRM, name="青岛诚信修复有限公司", division_code="370211"),
        project_record(FIRM, "FP-1", contract_deadline="2024-06-30", completed_on="2024-06-01"),
        project_record(FIRM, "FP-2", contract_deadline="2024-06-30", completed_on="2024-06-30"),
        project_record(FIRM, "FP-3", contract_deadline="2024-06-30", completed_on="2024-07-10"),
        complaint_record("FP-1", "C-FP", status="substantiated", verified_on="2026-10-20"),
    )


def test_the_false_project_leaves_the_on_time_rate_from_the_finding_date(app, client):
    firm_with_a_false_project()
    app.config["TODAY"] = "2026-10-19"
    rate = unit_profile(FIRM).on_time
    assert (rate.part, rate.total) == (2, 3)
    assert "2/3" in page(client, f"/units/{FIRM}")
    app.config["TODAY"] = "2026-10-20"
    rate = unit_profile(FIRM).on_time
    assert (rate.part, rate.total) == (1, 2)  # numerator and denominator both lose it
    assert "1/2 (50.0%)" in page(client, f"/units/{FIRM}")
    assert client.get(f"/api/v1/units/{FIRM}").json["on_time"]["total"] == 2


def test_the_project_page_says_false_performance_verified_instead_of_on_time(client):
    firm_with_a_false_project()
    flagged, honest = page(client, "/projects/FP-1"), page(client, "/projects/FP-2")
    assert "虚假业绩（已核实）" in flagged and "按期完成" not in flagged
    assert "按期完成" in honest and "虚假业绩（已核实）" not in honest


def test_a_search_hit_shows_the_firms_findings_beside_its_penalties(client):
    firm_with_a_false_project()
    text = page(client, "/search?q=青岛诚信修复")
    assert "<mark>青岛诚信修复</mark>有限公司" in text
    assert "经核实的虚假业绩" in text
