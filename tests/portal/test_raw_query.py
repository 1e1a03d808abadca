"""A query typed with raw UTF-8 bytes (`curl 'host/api/v1/units?q=苏净'`) never silently finds nothing: a real
server is sent the bytes on a socket, and the API and the search page read them as UTF-8; bytes that are not
UTF-8 get a 400 saying to percent-encode."""
import json
import socket
import threading

import pytest
from werkzeug.serving import make_server

from tests.portal.conftest import SUJING


@pytest.fixture
def server(app, registry_data):
    """The app on a real werkzeug server on 127.0.0.1, in a thread of this test."""
    httpd = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_port
    httpd.shutdown()
    thread.join(timeout=10)
    httpd.server_close()


def raw_get(port: int, target: bytes) -> tuple[int, bytes]:
    """GET a request target sent byte for byte, as curl sends a URL typed with Chinese in it."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body


def test_a_percent_encoded_query_finds_the_firm(server):
    status, body = raw_get(server, "/api/v1/units?q=苏净".encode().replace("苏净".encode(), b"%E8%8B%8F%E5%87%80"))
    assert status == 200
    assert [item["uscc"] for item in json.loads(body)["items"]] == [SUJING]


def test_a_raw_utf8_query_reads_as_utf8_on_a_real_server(server):
    """werkzeug's server hands the raw bytes over encoded once more; before the repair, this found nothing."""
    status, body = raw_get(server, "/api/v1/units?q=苏净".encode())
    assert status == 200
    assert [item["uscc"] for item in json.loads(body)["items"]] == [SUJING]
    status, body = raw_get(server, "/search?q=苏净&lang=en".encode())
    assert status == 200 and SUJING.encode() in body and 'value="苏净"'.encode() in body
    status, body = raw_get(server, "/api/v1/units?q=café".encode())  # Latin letters too: read, not refused
    assert status == 200 and json.loads(body)["total"] == 0


def test_raw_bytes_that_are_not_utf8_are_refused_with_how_to_send_it(server):
    status, body = raw_get(server, b"/api/v1/units?q=" + "苏净".encode("gbk"))
    assert status == 400
    error = json.loads(body)["error"]
    assert error["parameter"] == "query" and "百分号编码" in error["message"] and "%E8%8B%8F%E5%87%80" in error["message"]
    status, body = raw_get(server, b"/search?lang=en&q=" + "苏净".encode("gbk"))
    assert status == 400 and b"percent-encode the parameters as UTF-8" in body


def test_raw_bytes_as_pep3333_hands_them_over(client, registry_data):
    """The test client passes raw bytes as latin-1 text, as PEP 3333 says a server does."""
    assert [item["uscc"] for item in client.get("/api/v1/units?q=苏净").json["items"]] == [SUJING]


def test_percent_encoded_bytes_that_are_not_utf8_are_refused(client, registry_data):
    """苏州 in GBK, percent-encoded: read as UTF-8 it would be replacement characters, a search for nothing."""
    response = client.get("/api/v1/units?q=%CB%D5%D6%DD")
    assert response.status_code == 400 and response.json["error"]["parameter"] == "query"
    response = client.get("/search?q=%CB%D5%D6%DD&lang=en")
    assert response.status_code == 400 and "percent-encode" in response.get_data(as_text=True)
    assert client.get("/search?q=%E8%8B%8F%E5%87%80").status_code == 200
