"""The HTTP side: a threaded stdlib server that answers like a WordPress site.

Order of work per request: control routes (``/__double__/``) bypass everything; then an injected
fault may delay, fail or truncate the answer; then public index routes; then authentication
(OAuth over http, Basic only with ``X-Forwarded-Proto: https``) and the REST route. Errors are
WooCommerce error objects; 401s carry no ``WWW-Authenticate`` header.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from .api import RestApi
from .auth import Authenticator
from .errors import WooRestError
from .faults import Fault, Faults
from .messages import BASE_HEADERS, JSON_TYPE, NO_CACHE, Request, Response, encode

REST_PREFIX = "/wp-json"
CONTROL_PREFIX = "/__double__/"
CRITICAL = (
    '<p>There has been a critical error on this website.</p><p><a href="https://'
    'wordpress.org/support/article/faq-troubleshooting/">Learn more about '
    "troubleshooting WordPress.</a></p>"
)


def critical_error() -> Response:
    """WordPress's answer to a PHP fatal error."""
    body = {
        "code": "internal_server_error",
        "message": CRITICAL,
        "data": {"status": 500},
        "additional_errors": [],
    }
    return Response(500, body)


def fault_response(fault: Fault) -> Response:
    """The answer of an injected error status."""
    status = fault.status or 500
    if status == 500:
        response = critical_error()
    elif status == 429:
        response = Response(
            429,
            {
                "code": "woocommerce_rest_too_many_requests",
                "message": "Too many requests. Please wait and try again.",
                "data": {"status": 429},
            },
        )
    else:
        response = Response(
            status,
            {"code": f"http_{status}", "message": "Injected fault.", "data": {"status": status}},
        )
    if fault.retry_after is not None:
        response.headers["Retry-After"] = str(fault.retry_after)
    return response


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        api: RestApi,
        auth: Authenticator,
        faults: Faults,
        control: Callable[[str, str, bytes], Response],
        base_url: Callable[[], str],
    ) -> None:
        super().__init__(address, _Handler)
        self.api, self.auth, self.faults, self.control = api, auth, faults, control
        self.base_url = base_url
        self.requests_served = 0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server: SiteServer

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests and the demo print what matters themselves."""

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The ``Date`` header by the store's clock (a client reads the server's time from it),
        so a store on a test clock is consistent with the dates of its records."""
        return super().date_time_string(self.server.auth.clock.time() if timestamp is None
                                         else timestamp)

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def _serve(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if split.path.startswith(CONTROL_PREFIX):
            response = self.server.control(self.command, split.path[len(CONTROL_PREFIX) :], body)
            self._send(response, encode(response.body))
            return
        self.server.requests_served += 1
        fault = self.server.faults.take(split.path)
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.status:
            response = fault_response(fault)
        else:
            response = self._site(split.path, split.query, body)
        payload = encode(response.body)
        secure = self.headers.get("X-Forwarded-Proto", "").lower() == "https"
        if secure:
            plain = self.server.base_url().encode().replace(b"/", b"\\/")
            payload = payload.replace(plain, b"https" + plain[4:])
            if "Link" in response.headers:
                response.headers["Link"] = response.headers["Link"].replace(
                    self.server.base_url(), "https" + self.server.base_url()[4:]
                )
        if fault and fault.truncate:
            payload = payload[: len(payload) // 2]
        self._send(response, payload)

    def _site(self, path: str, query: str, body: bytes) -> Response:
        if not path.startswith(REST_PREFIX):
            return Response(
                404,
                {"code": "rest_no_route", "message": "Not a REST route.", "data": {"status": 404}},
            )
        request = Request(
            self.command,
            path[len(REST_PREFIX) :],
            tuple(parse_qsl(query, keep_blank_values=True)),
            dict(self.headers.items()),
            body,
        )
        secure = self.headers.get("X-Forwarded-Proto", "").lower() == "https"
        base = self.server.base_url()
        url = ("https" + base[4:] if secure else base) + path
        try:
            public = self.server.api.public(request)
            if public is not None:
                return public
            logged_in = self.server.auth.authenticate(
                self.command, url, request.params, request.headers, secure
            )
            return self.server.api.handle(request, logged_in)
        except WooRestError as error:
            headers = {"Vary": "Origin"} if error.status == 401 else dict(NO_CACHE)
            return Response(error.status, error.body(), headers)
        except (TypeError, ValueError, KeyError, AttributeError):
            # a value of the wrong type deep in a body: WordPress answers its fatal-error page
            return critical_error()

    def _send(self, response: Response, payload: bytes) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", JSON_TYPE)
        headers = {**BASE_HEADERS, **response.headers}
        headers.setdefault("Link", f'<{self.server.base_url()}/wp-json/>; rel="https://api.w.org/"')
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
