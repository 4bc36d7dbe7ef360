"""The WooCommerce REST (wc/v3) client: signing, retries and error classification over ``requests``.

What the recorded store taught (``tests/contract`` replays it):

* over ``http://`` only OAuth 1.0a one-legged works, and a nonce can be used once, so every
  attempt is signed afresh (the ``woocommerce`` package's :class:`~woocommerce.oauth.OAuth`)
  — resending a URL after a timeout would fail with "nonce already used"; over ``https://``
  Basic auth;
* ``Link`` headers repeat the previous request's ``oauth_*`` params, so they are never followed:
  callers build the next page's parameters themselves;
* timeouts, connection drops, 429 (honouring ``Retry-After``) and 5xx are retried with
  exponential backoff and jitter; 401/403/404, other 4xx and an unparseable body raise
  :class:`WooHTTPError` at once (retrying cannot fix them);
* every answer, errors included, carries the server's ``Date``: the last one seen is kept
  (:attr:`WooClient.server_time`), because a sync's watermark must be the shop's time, never
  this machine's (a clock minutes fast would skip the changes of those minutes for good);
* a page may be short without being the last: WooCommerce's CRUD controllers
  (``WC_REST_CRUD_Controller::get_items``) drop objects that fail to load and skip those the key
  may not read (``wc_rest_check_post_permissions``) *after* the query, while ``X-WP-Total`` and
  ``X-WP-TotalPages`` still count them — so ``X-WP-TotalPages`` decides, and the short-page rule
  only stands in when the headers are missing (not in the recorded fixtures: read from the
  WooCommerce source).

Error messages name the method and endpoint, never the signed URL or a key.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import orjson
import requests
from woocommerce.oauth import OAuth

from connector_agent.errors import SyncError, WooCommerceError
from connector_agent.woo.backoff import Backoff, parse_retry_after
from luxebrain.clock import Clock, SystemClock
from luxebrain.digits import is_digits
from online_models.events import format_time

if TYPE_CHECKING:
    from connector_agent.config import AgentConfig

log = logging.getLogger(__name__)

API_PREFIX = "wp-json/wc/v3"
USER_AGENT = "LuxeBrain-Agent/0.1 (+requests; woocommerce-python)"
RETRYABLE_EXCEPTIONS = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


class WooHTTPError(WooCommerceError):
    """WooCommerce refused a request in a way retrying will not fix; ``http_status`` says how."""

    def __init__(self, message: str, *, http_status: int | None = None) -> None:
        super().__init__(message)
        self.http_status = http_status


@dataclass(frozen=True)
class Reply:
    """A parsed WooCommerce answer: JSON body, list totals and the server's clock."""

    body: Any
    total: int | None
    total_pages: int | None
    server_time: str | None

    def is_last_page(self, page: int, per_page: int) -> bool:
        """An empty page, or the one ``X-WP-TotalPages`` (else ``X-WP-Total``) names last; only
        without either header does a short page end the listing (a short page is not the end:
        the totals count records the key may not read, which the page leaves out)."""
        if not self.body:
            return True
        if self.total_pages is not None:
            return page >= self.total_pages
        if self.total is not None:
            return page * per_page >= self.total
        return len(self.body) < per_page


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    value = headers.get(name)
    return int(value) if value is not None and is_digits(value.strip()) else None


def _server_time(headers: Mapping[str, str]) -> str | None:
    try:
        return format_time(parsedate_to_datetime(headers["Date"]))
    except (KeyError, TypeError, ValueError):
        return None


def _is_retryable(status: int) -> bool:
    return status == 429 or (status >= 500 and status != 501)


class WooClient:
    """One shop's REST API. ``session``, ``sleep`` and ``clock`` are injectable for tests."""

    def __init__(
        self,
        store_url: str,
        consumer_key: str,
        consumer_secret: str,
        *,
        timeout: float = 30.0,
        verify_tls: bool = True,
        auth: str = "auto",
        max_retries: int = 5,
        backoff: Backoff | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], object] = time.sleep,
        clock: Clock | None = None,
    ) -> None:
        if not store_url or not consumer_key or not consumer_secret:
            raise WooCommerceError(
                "WooCommerce store URL, consumer key and consumer secret are required"
            )
        self.base_url = f"{store_url.rstrip('/')}/{API_PREFIX}/"
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.timeout = timeout
        self.verify_tls = verify_tls
        self.use_oauth = auth == "oauth" or (auth == "auto" and not store_url.startswith("https"))
        self.max_retries = max_retries
        self.backoff = backoff or Backoff()
        self.session = session or requests.Session()
        self.sleep = sleep
        self.clock = clock or SystemClock()
        self.requests_sent = 0
        #: the ``Date`` of the last answer WooCommerce sent (any status), as a contract time
        self.server_time: str | None = None

    @classmethod
    def from_config(cls, config: AgentConfig, **kwargs: Any) -> WooClient:
        """A client from the agent's config and secrets (keys from the 0600 secrets file)."""
        secrets = config.secrets
        return cls(
            config.store_url,
            secrets.consumer_key or "",
            secrets.consumer_secret or "",
            timeout=config.woocommerce.timeout_seconds,
            verify_tls=config.woocommerce.verify_tls,
            auth=config.woocommerce.auth,
            max_retries=config.sync.max_retries,
            backoff=Backoff(config.sync.backoff_seconds, config.sync.max_backoff_seconds),
            **kwargs,
        )

    def close(self) -> None:
        self.session.close()

    # ------------------------------------------------------------ requests

    def get(self, endpoint: str, params: Mapping[str, Any] | None = None) -> Reply:
        return self.request("GET", endpoint, params)

    def put(self, endpoint: str, body: Mapping[str, Any]) -> Reply:
        return self.request("PUT", endpoint, None, body)

    def request(
        self,
        method: str,
        endpoint: str,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> Reply:
        """Send one API call, retrying what is transient; return the parsed reply."""
        what = f"WooCommerce {method} /{endpoint}"
        attempt = 0
        while True:
            try:
                response = self._send(method, endpoint, params or {}, body)
            except requests.exceptions.SSLError:
                raise WooHTTPError(
                    f"{what}: TLS failed (check the certificate, or woocommerce.verify_tls)"
                ) from None
            except RETRYABLE_EXCEPTIONS as exc:
                reason, retry_after = type(exc).__name__, None
            except requests.RequestException as exc:  # a bad URL and the like: no retry fixes it
                raise WooHTTPError(f"{what}: {type(exc).__name__}") from None
            else:
                self.server_time = _server_time(response.headers) or self.server_time
                if not _is_retryable(response.status_code):
                    return self._parse(what, response)
                reason = f"HTTP {response.status_code}"
                retry_after = parse_retry_after(
                    response.headers.get("Retry-After"), self.clock.time()
                )
            if attempt >= self.max_retries:
                raise SyncError(f"{what}: gave up after {attempt + 1} attempts ({reason})")
            delay = self.backoff.delay(attempt, retry_after)
            log.warning("%s: %s; retry %d in %.1fs", what, reason, attempt + 1, delay)
            self.sleep(delay)
            attempt += 1

    def _send(
        self, method: str, endpoint: str, params: Mapping[str, Any], body: Mapping[str, Any] | None
    ) -> requests.Response:
        url = self.base_url + endpoint
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        data = None
        if body is not None:
            data = orjson.dumps(body)
            headers["Content-Type"] = "application/json; charset=utf-8"
        auth: tuple[str, str] | None = None
        if self.use_oauth:
            # signed per attempt: a new timestamp and nonce every time (nonces are single-use)
            query = f"?{urlencode(params, doseq=True)}" if params else ""
            url = OAuth(
                url + query,
                self.consumer_key,
                self.consumer_secret,
                version="wc/v3",
                method=method,
                oauth_timestamp=int(self.clock.time()),
            ).get_oauth_url()
            params = {}
        else:
            auth = (self.consumer_key, self.consumer_secret)
        self.requests_sent += 1
        return self.session.request(
            method,
            url,
            params=params or None,
            data=data,
            headers=headers,
            auth=auth,
            timeout=self.timeout,
            verify=self.verify_tls,
            allow_redirects=False,
        )

    @staticmethod
    def _parse(what: str, response: requests.Response) -> Reply:
        status = response.status_code
        if 300 <= status < 400:  # never followed: it would drop or leak the signature
            target = urlsplit(response.headers.get("Location", ""))
            where = f"{target.scheme}://{target.netloc}{target.path}" if target.netloc else "?"
            raise WooHTTPError(
                f"{what}: HTTP {status} redirect to {where}; set the store URL to the site's "
                "final address",
                http_status=status,
            )
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise WooHTTPError(
                f"{what}: HTTP {status} with an unparseable body ({len(response.content)} bytes)",
                http_status=status,
            ) from None
        if status >= 300:
            detail = ""
            if isinstance(body, dict):
                detail = f" {body.get('code', '')}: {body.get('message', '')}".rstrip(": ")
            hint = " (check the consumer key, secret and clock)" if status == 401 else ""
            raise WooHTTPError(f"{what}: HTTP {status}{detail}{hint}", http_status=status)
        headers = response.headers
        return Reply(
            body,
            _int_header(headers, "X-WP-Total"),
            _int_header(headers, "X-WP-TotalPages"),
            _server_time(headers),
        )

    # ------------------------------------------------------------ typed calls

    def list_page(self, endpoint: str, params: Mapping[str, Any]) -> Reply:
        """One page of a collection; anything but a list of records with ids is an error."""
        reply = self.get(endpoint, params)
        items = reply.body
        if not isinstance(items, list) or not all(
            isinstance(item, dict) and "id" in item for item in items
        ):
            raise WooHTTPError(f"WooCommerce GET /{endpoint}: the page is not a list of records")
        return reply

    def list_all(
        self, endpoint: str, params: Mapping[str, Any], per_page: int
    ) -> Iterator[dict[str, Any]]:
        """Every record of a collection, a page of ``per_page`` at a time, to the last page
        (:meth:`Reply.is_last_page`)."""
        page = 1
        while True:
            reply = self.list_page(endpoint, {**params, "per_page": per_page, "page": page})
            yield from reply.body
            if reply.is_last_page(page, per_page):
                return
            page += 1

    def detect_version(self) -> tuple[str | None, str | None]:
        """``(WooCommerce version or None, server time or None)`` from ``/system_status``.

        A key that may not read the system status (403) or a store without the route (404)
        gives no version, but the refusal's ``Date`` is still the server's time; a bad key
        (401) raises.
        """
        try:
            reply = self.get("system_status", {"_fields": "environment.version"})
        except WooHTTPError as exc:
            if exc.http_status in (403, 404):
                return None, self.server_time
            raise
        body = reply.body if isinstance(reply.body, dict) else {}
        version = (body.get("environment") or {}).get("version")
        return (str(version) if version else None), self.server_time
