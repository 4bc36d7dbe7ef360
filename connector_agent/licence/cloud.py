"""The agent's calls to the licence cloud (``/v1/agent/*``), with short timeouts.

Failures are classified for ``checkin``: the cloud said no (``Refused``, with its error code) or
the cloud could not be reached (``Unreachable``: network errors, timeouts, 5xx, 429).
"""

from __future__ import annotations

from typing import Any

import requests

TIMEOUT_SECONDS = 15.0


class Unreachable(Exception):
    """No answer we can act on; the agent keeps its token and counts grace time."""


class Refused(Exception):
    """The cloud answered with an error: ``code`` is its stable error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def call(cloud_url: str, action: str, key: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST ``/v1/agent/<action>`` with the licence key; the JSON answer or an exception."""
    url = f"{cloud_url.rstrip('/')}/v1/agent/{action}"
    try:
        response = requests.post(
            url, json=body, timeout=TIMEOUT_SECONDS, headers={"Authorization": f"Bearer {key}"}
        )
    except requests.RequestException as exc:
        raise Unreachable(f"{url}: {type(exc).__name__}") from None
    if response.status_code >= 500 or response.status_code == 429:
        raise Unreachable(f"{url}: HTTP {response.status_code}")
    try:
        document = response.json()
    except ValueError:
        raise Unreachable(f"{url}: not a JSON answer (HTTP {response.status_code})") from None
    if response.status_code != 200:
        error = document.get("error", {}) if isinstance(document, dict) else {}
        raise Refused(
            str(error.get("code", f"http_{response.status_code}")), str(error.get("message", ""))
        )
    if not isinstance(document, dict):
        raise Unreachable(f"{url}: unexpected answer")
    return document
