"""Public searches are rate-limited per address (DESIGN §7); profiles and other addresses are not affected."""
from public_portal.ratelimit import SlidingWindow


def test_searches_beyond_the_limit_get_a_429(app, client, contract):
    app.config["SEARCH_REQUESTS_PER_ADDRESS_PER_MINUTE"] = 3
    me = {"REMOTE_ADDR": "203.0.113.9"}
    for _ in range(3):
        assert client.get("/api/v1/units?q=青岛", environ_base=me).status_code == 200
    refused = client.get("/api/v1/units?q=青岛", environ_base=me)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    assert refused.json["error"]["status"] == 429
    page = client.get("/search?q=青岛", environ_base=me)
    assert page.status_code == 429 and "请求过于频繁" in page.get_data(as_text=True)
    assert client.get("/units/9137020035791357M0", environ_base=me).status_code == 200  # profiles are not limited
    assert client.get("/api/v1/units?q=青岛", environ_base={"REMOTE_ADDR": "198.51.100.4"}).status_code == 200


def test_the_window_slides():
    window = SlidingWindow(window=60)
    assert window.allow("a", 2, now=0) and window.allow("a", 2, now=10)
    assert not window.allow("a", 2, now=59)
    assert window.allow("a", 2, now=60.5)  # the first request has left the window
    assert window.allow("b", 2, now=59)
