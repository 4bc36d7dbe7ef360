"""The one config loader: ``agent.toml`` (tomllib) + a 0600 secrets file + environment overrides.

Precedence, lowest first: built-in defaults, ``agent.toml``, the secrets file
(``<data_dir>/secrets.toml`` unless ``agent.secrets_file`` says otherwise), then environment
variables ``LUXEBRAIN_<SECTION>__<KEY>`` (``LUXEBRAIN_SECRETS__CONSUMER_SECRET`` for secrets).
Every value is validated at load; the first bad one raises :class:`ConfigError` with one line that
names the file and key, e.g. ``agent.toml: sync.interval_minutes: must be a positive integer
(got "x")``. Secrets live only in files readable by their owner: a group- or world-readable
secrets file is refused.
"""

from __future__ import annotations

import os
import secrets as secrets_module
import stat
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connector_agent.config_checks import (
    boolean,
    host_port,
    int_between,
    non_negative_int,
    one_of,
    optional_url,
    positive_float,
    positive_int,
    text,
)
from luxebrain.errors import LuxeBrainError

ENV_PREFIX = "LUXEBRAIN_"
SECRET_KEYS = (
    "store_url",
    "consumer_key",
    "consumer_secret",
    "webhook_secret",
    "shared_secret",
    "licence_key",
    "snapshot_key",
    "wc_version",
    "metrics_token",
)
PLACEMENTS = ("product", "cart", "thankyou", "shortcode")


class ConfigError(LuxeBrainError):
    """A bad or unreadable configuration value; the CLI exits 2 with this one line."""

    code = "config_error"
    status = 500


# ---------------------------------------------------------------- the schema: (default, validator)

SCHEMA: dict[str, dict[str, tuple[Any, Callable[[Any], Any]]]] = {
    "agent": {
        "data_dir": ("./luxebrain-data", text),
        "secrets_file": ("", text),
        "log_level": ("info", one_of("debug", "info", "warning", "error")),
    },
    "woocommerce": {
        "store_url": ("", optional_url),
        "timeout_seconds": (30.0, positive_float),
        "verify_tls": (True, boolean),
        "auth": ("auto", one_of("auto", "oauth", "basic")),
    },
    "sync": {
        "interval_minutes": (5, positive_int),
        "page_size": (100, int_between(1, 100)),
        "max_retries": (5, non_negative_int),
        "backoff_seconds": (1.0, positive_float),
        "max_backoff_seconds": (60.0, positive_float),
        "overlap_seconds": (1, non_negative_int),
        "reconcile_hour_utc": (3, int_between(0, 23)),
        "webhook_health_minutes": (60, positive_int),
    },
    "api": {
        "bind": ("127.0.0.1:8765", host_port),
        "public_url": ("", optional_url),
        "max_body_bytes": (65536, positive_int),
        "attribution_days": (7, positive_int),
    },
    "models": {
        "seed": (42, non_negative_int),
        "snapshot_every_events": (5000, positive_int),
        "snapshot_every_seconds": (60.0, positive_float),
        "retention_days": (90, positive_int),
    },
    "licence": {
        "cloud_url": ("", optional_url),
        "public_key": ("", text),
        "checkin_hours": (24, positive_int),
        "grace_days": (14, positive_int),
    },
}

WIDGET_SCHEMA: dict[str, tuple[Any, Callable[[Any], Any]]] = {
    "enabled": (True, boolean),
    "title": ("", text),
    "limit": (4, int_between(1, 50)),
    "ttl_seconds": (300, positive_int),
    "exclude_purchased": (True, boolean),
}
WIDGET_TITLES = {
    "product": "Frequently bought together",
    "cart": "You may also like",
    "thankyou": "Recommended for you",
    "shortcode": "Popular right now",
}


# ---------------------------------------------------------------- the typed result


@dataclass(frozen=True)
class Section:
    """A validated config section; attribute access by key."""

    name: str
    values: Mapping[str, Any]

    def __getattr__(self, key: str) -> Any:
        try:
            return self.values[key]
        except KeyError:
            raise AttributeError(f"{self.name}.{key}") from None


@dataclass(frozen=True)
class Secrets:
    """Secret values; never printed (``repr`` hides them)."""

    store_url: str | None = None
    consumer_key: str | None = None
    consumer_secret: str | None = None
    webhook_secret: str | None = None
    shared_secret: str | None = None
    licence_key: str | None = None
    snapshot_key: str | None = None
    wc_version: str | None = None
    #: the bearer token a Prometheus scraper sends for ``GET /metrics`` (``metrics-token``)
    metrics_token: str | None = None

    def __repr__(self) -> str:
        present = [k for k in SECRET_KEYS if getattr(self, k)]
        return f"Secrets(present={present})"


@dataclass(frozen=True)
class AgentConfig:
    """The agent's whole configuration, validated."""

    path: Path
    data_dir: Path
    secrets_path: Path
    agent: Section
    woocommerce: Section
    sync: Section
    api: Section
    models: Section
    licence: Section
    widgets: Mapping[str, Section]
    secrets: Secrets = field(repr=False)

    @property
    def database_path(self) -> Path:
        return self.data_dir / "luxebrain.sqlite"

    @property
    def store_url(self) -> str:
        return self.secrets.store_url or self.woocommerce.store_url

    @property
    def agent_url(self) -> str:
        return self.api.public_url or f"http://{self.api.bind}"


# ---------------------------------------------------------------- loading


def _env_overrides(environ: Mapping[str, str]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, key = name[len(ENV_PREFIX) :].partition("__")
        found.setdefault(section.lower(), {})[key.lower()] = value
    return found


def _read_toml(path: Path, label: str) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{label}: file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}: not valid TOML ({exc})") from None
    except OSError as exc:
        raise ConfigError(f"{label}: cannot read ({exc.strerror})") from None


def check_private(path: Path, label: str) -> None:
    """Refuse a secrets file that anyone but its owner can read."""
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"{label}: holds secrets but is readable by others "
            f"(mode {stat.S_IMODE(mode):o}); run: chmod 600 {path}"
        )


def _validate_section(
    label: str,
    section: str,
    schema: Mapping[str, tuple[Any, Callable[[Any], Any]]],
    given: Mapping[str, Any],
    env: Mapping[str, str],
) -> dict[str, Any]:
    if not isinstance(given, Mapping):
        raise ConfigError(f"{label}: {section}: must be a table")
    unknown = sorted(set(given) - set(schema))
    if unknown:
        raise ConfigError(f"{label}: {section}.{unknown[0]}: unknown key")
    values: dict[str, Any] = {}
    for key, (default, check) in schema.items():
        source, raw = label, given.get(key, default)
        if key in env:
            source, raw = f"${ENV_PREFIX}{section.upper()}__{key.upper()}", env[key]
        try:
            values[key] = check(raw)
        except ValueError as exc:
            raise ConfigError(f"{source}: {section}.{key}: {exc}") from None
    return values


def load_config(
    path: str | Path = "agent.toml",
    *,
    environ: Mapping[str, str] | None = None,
    require_file: bool = True,
) -> AgentConfig:
    """Read, merge and validate the configuration; raise ConfigError on the first bad value."""
    path = Path(path)
    label = path.name if path.parent == Path(".") else str(path)
    environ = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    if require_file or path.exists():
        raw = _read_toml(path, label)
    env = _env_overrides(environ)
    known = set(SCHEMA) | {"widgets", "secrets"}
    for name in sorted(set(raw) - known):
        raise ConfigError(f"{label}: {name}: unknown section")
    for name in sorted(set(env) - known):
        raise ConfigError(f"${ENV_PREFIX}{name.upper()}__…: {name}: unknown section")
    if "secrets" in raw:
        raise ConfigError(
            f"{label}: secrets: do not put secrets in {label}; "
            "use the secrets file (luxebrain-agent init writes it) or LUXEBRAIN_SECRETS__<KEY>"
        )

    sections = {
        name: _validate_section(label, name, schema, raw.get(name, {}), env.get(name, {}))
        for name, schema in SCHEMA.items()
    }
    widgets = _load_widgets(label, raw.get("widgets", {}))

    base = path.parent if path.parent != Path("") else Path(".")
    data_dir = (base / sections["agent"]["data_dir"]).resolve()
    secrets_path = (
        (base / sections["agent"]["secrets_file"]).resolve()
        if sections["agent"]["secrets_file"]
        else data_dir / "secrets.toml"
    )
    secrets = _load_secrets(secrets_path, env.get("secrets", {}))

    return AgentConfig(
        path=path,
        data_dir=data_dir,
        secrets_path=secrets_path,
        agent=Section("agent", sections["agent"]),
        woocommerce=Section("woocommerce", sections["woocommerce"]),
        sync=Section("sync", sections["sync"]),
        api=Section("api", sections["api"]),
        models=Section("models", sections["models"]),
        licence=Section("licence", sections["licence"]),
        widgets=widgets,
        secrets=secrets,
    )


def _load_widgets(label: str, given: Any) -> dict[str, Section]:
    if not isinstance(given, Mapping):
        raise ConfigError(f"{label}: widgets: must be a table")
    unknown = sorted(set(given) - set(PLACEMENTS))
    if unknown:
        raise ConfigError(
            f"{label}: widgets.{unknown[0]}: unknown placement "
            f"(known: {', '.join(PLACEMENTS)})"
        )
    widgets: dict[str, Section] = {}
    for placement in PLACEMENTS:
        values = _validate_section(
            label, f"widgets.{placement}", WIDGET_SCHEMA, given.get(placement, {}), {}
        )
        values["title"] = values["title"] or WIDGET_TITLES[placement]
        values["exclude_purchased"] = values["exclude_purchased"] and placement != "thankyou"
        widgets[placement] = Section(f"widgets.{placement}", values)
    return widgets


def _load_secrets(path: Path, env: Mapping[str, str]) -> Secrets:
    label = str(path)
    values: dict[str, str] = {}
    if path.exists():
        check_private(path, label)
        raw = _read_toml(path, label)
        for key, value in raw.items():
            if key not in SECRET_KEYS:
                raise ConfigError(f"{label}: {key}: unknown secret")
            if not isinstance(value, str):
                raise ConfigError(f"{label}: {key}: must be a string")
            values[key] = value
    for key, value in env.items():
        if key not in SECRET_KEYS:
            raise ConfigError(f"${ENV_PREFIX}SECRETS__{key.upper()}: unknown secret")
        values[key] = value
    return Secrets(**values)


# ---------------------------------------------------------------- writing


def write_private(path: Path, content: str) -> None:
    """Write a file only its owner can read (0600 from the first byte, renamed into place)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, content.encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def _toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def update_secrets(config_path: str | Path, **values: str | None) -> Path:
    """Set (or, with ``None``, remove) secrets in the config's secrets file; return its path."""
    for key in values:
        if key not in SECRET_KEYS:
            raise ConfigError(f"{key}: unknown secret")
    config = load_config(config_path)
    current: dict[str, str] = {}
    if config.secrets_path.exists():
        current = {k: str(v) for k, v in _read_toml(config.secrets_path, "").items()}
    for key, value in values.items():
        if value is None:
            current.pop(key, None)
        else:
            current[key] = value
    lines = ["# LuxeBrain agent secrets: keep this file mode 0600.\n"]
    lines += [f"{key} = {_toml_string(current[key])}\n" for key in SECRET_KEYS if key in current]
    write_private(config.secrets_path, "".join(lines))
    return config.secrets_path


def new_secret() -> str:
    """A fresh random secret (for snapshot keys and shared secrets)."""
    return secrets_module.token_hex(32)


def write_new_config(
    path: str | Path,
    *,
    store_url: str,
    data_dir: str = "./luxebrain-data",
    bind: str = "127.0.0.1:8765",
    **secrets: str | None,
) -> Path:
    """Write the annotated agent.toml plus its 0600 secrets file (with a fresh snapshot key).

    What ``init``, ``pair`` (for a new shop) and the demo all start from; returns the path.
    """
    from connector_agent.config_template import render_config

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_config(store_url=store_url.rstrip("/"), data_dir=data_dir, bind=bind))
    update_secrets(path, snapshot_key=new_secret(), **secrets)
    return path
