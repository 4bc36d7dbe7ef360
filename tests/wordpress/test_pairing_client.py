"""The agent's side of pairing (wp_plugin_bridge.pairing) against small stand-in sites: the
?rest_route= fallback for sites without pretty permalinks, and clear errors for everything else."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from harness import free_port

from wp_plugin_bridge.pairing import SECRET_FIELDS, PairingError, redeem_code

ANSWER = {k: f"{k}-s3cr3t" for k in SECRET_FIELDS}
Reply = Callable[[str, dict], tuple[int, bytes]]


@pytest.fixture
def stand_in() -> Iterator[Callable[[Reply], str]]:
    servers: list[ThreadingHTTPServer] = []

    def serve(reply: Reply) -> str:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                status, payload = reply(self.path, body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield serve
    for server in servers:
        server.shutdown()


def test_pretty_permalinks_route_and_body(stand_in: Callable[[Reply], str]) -> None:
    seen = []

    def reply(path: str, body: dict) -> tuple[int, bytes]:
        seen.append((path, body))
        return 200, json.dumps(ANSWER).encode()

    url = stand_in(reply)
    assert redeem_code(url + "/", " abc ", "http://127.0.0.1:8765/") == ANSWER
    assert seen == [
        ("/wp-json/luxebrain/v1/pair", {"code": "abc", "agent_url": "http://127.0.0.1:8765"})
    ]


def test_falls_back_to_rest_route_without_pretty_permalinks(
    stand_in: Callable[[Reply], str],
) -> None:
    def reply(path: str, body: dict) -> tuple[int, bytes]:
        if path.startswith("/wp-json/"):
            return 404, b"<html>Not Found</html>"
        assert path == "/?rest_route=/luxebrain/v1/pair"
        return 200, json.dumps({**ANSWER, "licence_key": "lbk_1"}).encode()

    assert redeem_code(stand_in(reply), "abc", "http://a:1") == {**ANSWER, "licence_key": "lbk_1"}


@pytest.mark.parametrize(
    ("status", "payload", "message"),
    [
        (403, b'{"code":"invalid_code","message":"This pairing code is wrong"}',
         r"refused pairing \(HTTP 403\): This pairing code is wrong"),
        (404, b'{"code":"rest_no_route","message":"No route"}', "is the LuxeBrain plugin active"),
        (200, b"not json", "not JSON"),
        (200, json.dumps({**ANSWER, "shared_secret": ""}).encode(), "without values"),
        (200, json.dumps({"store_url": "x"}).encode(), "without consumer_key"),
    ],
)
def test_refusals_are_one_clear_line(
    stand_in: Callable[[Reply], str], status: int, payload: bytes, message: str
) -> None:
    url = stand_in(lambda path, body: (status, payload))
    with pytest.raises(PairingError, match=message) as caught:
        redeem_code(url, "abc", "http://a:1")
    assert "s3cr3t" not in caught.value.message, "no secret in the message"


@pytest.mark.parametrize(
    ("site_url", "code", "agent_url", "field"),
    [("ftp://x", "c", "http://a:1", "site"), ("http://x", " ", "http://a:1", "code"),
     ("http://x", "c", "a:1", "agent_url")],
)
def test_bad_arguments_name_the_field(site_url: str, code: str, agent_url: str, field: str) -> None:
    with pytest.raises(PairingError) as caught:
        redeem_code(site_url, code, agent_url)
    assert caught.value.field == field


def test_unreachable_site() -> None:
    with pytest.raises(PairingError, match="cannot reach"):
        redeem_code(f"http://127.0.0.1:{free_port()}", "abc", "http://a:1", timeout=2)
