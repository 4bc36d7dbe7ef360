"""Which delivery URLs WordPress lets a webhook reach, and the LuxeBrain plugin's exception.

WooCommerce sends pings and deliveries with ``wp_safe_remote_post``/``wp_safe_remote_request``,
which pass the URL through ``wp_http_validate_url`` (``wp-includes/http.php``, WordPress 6.1). A
refused URL is never contacted: ``WP_Http::request`` returns the ``WP_Error``
``http_request_failed`` ("A valid URL was not provided."), which ``WC_Webhook::log_delivery``
counts as a failed delivery (``intval('http_request_failed')`` is 0, not 2xx). Two filters can
widen the rule, and the plugin's ``class-luxebrain-webhook-guard.php`` hooks both for exactly the
paired agent's origin: :class:`AgentGuard` is that guard.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

REFUSED = "http_request_failed"  # the WP_Error code log_delivery records as the response code
SAFE_PORTS = (80, 443, 8080)  # the default of the http_allowed_safe_ports filter
DEFAULT_PORTS = {"http": 80, "https": 443}
# wp_http_validate_url's dotted-quad test, as written there
IPV4 = re.compile(r"(([1-9]?\d|1\d\d|25[0-5]|2[0-4]\d)\.){3}([1-9]?\d|1\d\d|25[0-5]|2[0-4]\d)")
Resolve = Callable[[str], str]


def _split(url: str) -> SplitResult | None:
    """``parse_url``'s parts, or None where it fails (a port out of range)."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # a bad port raises ValueError here: parse_url fails on it
    except ValueError:
        return None
    return parts


def _port_or_default(parts: SplitResult, scheme: str) -> int:
    """The guard's ``$given['port'] ?? ( $default[ $scheme ] ?? 0 )``."""
    return parts.port if parts.port is not None else DEFAULT_PORTS.get(scheme, 0)


@dataclass(frozen=True, slots=True)
class AgentGuard:
    """``LuxeBrain_Webhook_Guard``: allows the paired agent's scheme, host and port, any path.

    Pairing saves ``agent_url`` before the webhooks are created
    (``LuxeBrain_Pairing::redeem``), so the creation pings already pass.
    """

    agent_url: str

    def is_agent_url(self, url: str) -> bool:
        """``is_agent_url``: same scheme, host (case-insensitive) and port (defaults filled)."""
        given, agent = _split(url), _split(self.agent_url)
        if given is None or agent is None or not given.hostname:
            return False
        scheme = given.scheme.lower()
        return (
            scheme == agent.scheme.lower()
            and given.hostname == (agent.hostname or "")
            and _port_or_default(given, scheme) == _port_or_default(agent, scheme)
        )

    def host_is_external(self, external: bool, url: str) -> bool:
        """The ``http_request_host_is_external`` filter (``allow_agent_host``)."""
        return external or self.is_agent_url(url)

    def safe_ports(self, ports: list[int], url: str) -> list[int]:
        """The ``http_allowed_safe_ports`` filter (``allow_agent_port``): adds the agent's
        explicit port, only for the agent's own URL."""
        agent_port = _split(self.agent_url)
        if self.is_agent_url(url) and agent_port is not None and agent_port.port:
            return [*ports, agent_port.port]
        return ports


def _is_private(ip: str) -> bool:
    """The ranges ``wp_http_validate_url`` calls local: 127/8, 10/8, 0/8, 172.16/12,
    192.168/16 (not 169.254/16 or 100.64/10, which it lets through)."""
    parts = [int(p) for p in ip.split(".")]
    return (
        parts[0] in (127, 10, 0)
        or (parts[0] == 172 and 16 <= parts[1] <= 31)
        or (parts[0] == 192 and parts[1] == 168)
    )


def _resolve(host: str, resolve: Resolve) -> str | None:
    """``gethostbyname``: the IPv4 address, or None where PHP's returns the name unchanged."""
    if IPV4.fullmatch(host):
        return host
    try:
        ip = resolve(host)
    except OSError:
        return None
    return None if ip == host else ip


def _host_allowed(
    url: str, host: str, same_host: bool, guard: AgentGuard | None, resolve: Resolve
) -> bool:
    """The host half: the site's own host passes; another host must resolve, and a local
    address passes only through ``http_request_host_is_external``."""
    if same_host:
        return True
    ip = _resolve(host, resolve)
    if ip is None:
        return False
    if not _is_private(ip):
        return True
    return guard.host_is_external(False, url) if guard else False


def _port_allowed(
    url: str,
    parts: SplitResult,
    home: SplitResult | None,
    same_host: bool,
    guard: AgentGuard | None,
) -> bool:
    """The port half: no explicit port, a safe port, or the site's own host and port."""
    port = parts.port
    if not port:
        return True
    allowed = list(SAFE_PORTS)
    if guard is not None:
        allowed = guard.safe_ports(allowed, url)
    if port in allowed:
        return True
    return home is not None and same_host and home.port is not None and home.port == port


def is_safe_url(
    url: str,
    home_url: str,
    guard: AgentGuard | None = None,
    resolve: Resolve = socket.gethostbyname,
) -> bool:
    """``wp_http_validate_url``: whether WordPress would send a request to ``url`` at all.

    ``home_url`` is the site's ``home`` option (the double's own URL); ``guard`` stands for the
    plugin's two filters (None: a site without them).
    """
    parts = _split(url)
    if parts is None or parts.scheme.lower() not in ("http", "https"):
        return False
    if not parts.hostname or parts.username is not None or parts.password is not None:
        return False
    if any(c in parts.hostname for c in ":#?[]"):
        return False
    home = _split(home_url)
    same_host = home is not None and (home.hostname or "") == parts.hostname
    host = parts.hostname.strip(".")
    if not _host_allowed(url, host, same_host, guard, resolve):
        return False
    return _port_allowed(url, parts, home, same_host, guard)
