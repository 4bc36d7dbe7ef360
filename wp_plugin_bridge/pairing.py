"""The agent's side of pairing: redeem the plugin's one-time code (DESIGN.md "Pairing").

``POST {site}/wp-json/luxebrain/v1/pair`` with ``{"code", "agent_url"}`` answers the secrets the
agent stores 0600. Sites without pretty permalinks serve the REST API only at
``?rest_route=``, so a 404 that is not the plugin's own answer is retried there.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import requests

from luxebrain.errors import LuxeBrainError

SECRET_FIELDS = (
    "store_url",
    "consumer_key",
    "consumer_secret",
    "webhook_secret",
    "shared_secret",
    "wc_version",
)
#: Sent only when the shop owner pasted a licence key in the plugin's settings.
OPTIONAL_FIELDS = ("licence_key",)
ROUTE = "/luxebrain/v1/pair"


class PairingError(LuxeBrainError):
    """The site refused the code or could not be reached; the message says which and why."""

    code = "pairing_failed"
    status = 502


def _check_url(value: str, name: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PairingError(f"{name} must be an http or https URL (got {value!r})", field=name)
    return value.rstrip("/")


def _post(url: str, body: dict[str, str], timeout: float) -> requests.Response:
    try:
        return requests.post(url, json=body, timeout=timeout, allow_redirects=False)
    except requests.RequestException as exc:
        raise PairingError(f"cannot reach {url}: {exc.__class__.__name__}") from None


def _is_plugin_answer(response: requests.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and "code" in body and body.get("code") != "rest_no_route"


def redeem_code(site: str, code: str, agent_url: str, *, timeout: float = 15.0) -> dict[str, str]:
    """Pair with the site; return the six secret fields plus any optional one (``licence_key``).

    The values are never logged and never put in an error message.
    """
    site = _check_url(site, "site")
    agent_url = _check_url(agent_url, "agent_url")
    if not code.strip():
        raise PairingError("the pairing code is empty", field="code")
    body = {"code": code.strip(), "agent_url": agent_url}
    response = _post(f"{site}/wp-json{ROUTE}", body, timeout)
    if response.status_code == 404 and not _is_plugin_answer(response):
        response = _post(f"{site}/?rest_route={ROUTE}", body, timeout)
    if response.status_code != 200:
        try:
            error = response.json()
        except ValueError:
            error = {}
        error = error if isinstance(error, dict) else {}
        if response.status_code == 404 or error.get("code") == "rest_no_route":
            raise PairingError(f"{site} has no pairing route: is the LuxeBrain plugin active?")
        message = str(error.get("message") or "")
        raise PairingError(
            f"{site} refused pairing (HTTP {response.status_code})"
            + (f": {message}" if message else "")
        )
    try:
        answer = response.json()
    except ValueError:
        raise PairingError(f"{site} answered pairing with something that is not JSON") from None
    missing = [k for k in SECRET_FIELDS if not isinstance(answer.get(k), str)]
    if missing or not all(answer[k] for k in SECRET_FIELDS if k != "wc_version"):
        raise PairingError(f"{site} answered pairing without {', '.join(missing) or 'values'}")
    optional = {k: v for k in OPTIONAL_FIELDS if isinstance(v := answer.get(k), str) and v}
    return {**{k: answer[k] for k in SECRET_FIELDS}, **optional}
