"""Every regulator page renders for the Qingdao regulator, in Chinese by default."""
from tests.regulator.conftest import login_as


def test_every_page_renders(client, world):
    login_as(client, world, "qingdao")
    qd = world.qd
    for url in ["/regulator/", "/regulator/projects", f"/regulator/projects/{qd.project}", "/regulator/units",
                f"/regulator/units/{qd.unit}", "/regulator/penalties", "/regulator/penalties/new",
                f"/regulator/penalties/{qd.penalty}", "/regulator/complaints", f"/regulator/complaints/{qd.complaint}",
                f"/regulator/withhold/project/{qd.project}", "/regulator/persons/lookup", f"/regulator/persons/{qd.person}",
                f"/regulator/audit/project/{qd.project}", "/regulator/penalties/new?find=青岛"]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
