"""The one config loader: ``agent.toml`` (tomllib) + a 0600 secrets file + environment overrides.

Precedence, lowest first: built-in defaults, ``agent.toml``, the secrets file
(``<data_dir>/secrets.toml`` unless ``agent.secrets_file`` says otherwise), then environment
variables ``LUXEBRAIN_<SECTION>__<KEY>`` (``LUXEBRAIN_SECRETS__CONSUMER_SECRET`` for secrets,
``LUXEBRAIN_WIDGETS__<PLACEMENT>__<KEY>`` for a widget; one naming no known key is an error).
Every value is validated at load; the first bad one raises :class:`ConfigError` with one line that
names the file and key, e.g. ``agent.toml: sync.interval_minutes: must be a positive integer
(got "x")``. Secrets live only in files readable by their owner: a group- or world-readable
secrets file is refused.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import secrets as secrets_module
import stat
import tempfile
import tomllib
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connector_agent.config_checks import (
    at_most,
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
from connector_agent.config_template import render_config, toml_string
from luxebrain.errors import LuxeBrainError
from wp_plugin_bridge.pairing import SECRET_FIELDS

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
#: what pairing with a shop brings (the plugin's answer); a config written for another shop
#: drops them (see write_new_config): they would keep the agent on the old shop and let its
#: plugin in
PAIRING_SECRETS = SECRET_FIELDS
PLACEMENTS = ("product", "cart", "thankyou", "shortcode")
DEFAULT_DATA_DIR = "./luxebrain-data"
DEFAULT_BIND = "127.0.0.1:8765"


class ConfigError(LuxeBrainError):
    """A bad or unreadable configuration value; the CLI exits 2 with this one line."""

    code = "config_error"
    status = 500


# ---------------------------------------------------------------- the schema: (default, validator)
# Every number has a maximum (shown in the template's comments): a huge interval or timeout would
# pass a type check and crash much later (a date out of range, an overflowing timer).

SCHEMA: dict[str, dict[str, tuple[Any, Callable[[Any], Any]]]] = {
    "agent": {
        "data_dir": (DEFAULT_DATA_DIR, text),
        "secrets_file": ("", text),
        "log_level": ("info", one_of("debug", "info", "warning", "error")),
    },
    "woocommerce": {
        "store_url": ("", optional_url),
        "timeout_seconds": (30.0, at_most(600, positive_float)),
        "verify_tls": (True, boolean),
        "auth": ("auto", one_of("auto", "oauth", "basic")),
    },
    "sync": {
        "interval_minutes": (5, at_most(1440, positive_int)),
        "page_size": (100, int_between(1, 100)),
        "max_retries": (5, at_most(20, non_negative_int)),
        "backoff_seconds": (1.0, at_most(300, positive_float)),
        "max_backoff_seconds": (60.0, at_most(3600, positive_float)),
        "overlap_seconds": (1, at_most(3600, non_negative_int)),
        "reconcile_hour_utc": (3, int_between(0, 23)),
        "webhook_health_minutes": (60, at_most(1440, positive_int)),
    },
    "api": {
        "bind": (DEFAULT_BIND, host_port),
        "public_url": ("", optional_url),
        "max_body_bytes": (65536, at_most(16 * 1024 * 1024, positive_int)),
        "attribution_days": (7, at_most(365, positive_int)),
    },
    "models": {
        "seed": (42, at_most(2**32 - 1, non_negative_int)),
        "snapshot_every_events": (5000, at_most(1_000_000, positive_int)),
        "snapshot_every_seconds": (60.0, at_most(86400, positive_float)),
        "retention_days": (90, at_most(3650, positive_int)),
    },
    "licence": {
        "cloud_url": ("", optional_url),
        "public_key": ("", text),
        "checkin_hours": (24, at_most(168, positive_int)),
        "grace_days": (14, at_most(30, positive_int)),
    },
}

WIDGET_SCHEMA: dict[str, tuple[Any, Callable[[Any], Any]]] = {
    "enabled": (True, boolean),
    "title": ("", text),
    "limit": (4, int_between(1, 50)),
    "ttl_seconds": (300, at_most(86400, positive_int)),
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
    """``LUXEBRAIN_<SECTION>__<KEY>`` values by section (``widgets.<placement>`` for a widget)."""
    found: dict[str, dict[str, str]] = {}
    for name in sorted(environ):
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, key = _env_target(name)
        found.setdefault(section, {})[key] = environ[name]
    return found


def _env_target(name: str) -> tuple[str, str]:
    """The (section, key) an override names; one the schema does not know is an error, since a
    misspelt override would otherwise be ignored without a word."""
    section, _, key = name[len(ENV_PREFIX) :].lower().partition("__")
    if section == "widgets":
        placement, _, key = key.partition("__")
        section = f"widgets.{placement}"
    known = _known_keys(section)
    if known is None:
        raise ConfigError(f"${name}: {section}: unknown section")
    if key not in known:
        what = "unknown secret" if section == "secrets" else f"{section}.{key}: unknown key"
        raise ConfigError(f"${name}: {what}")
    return section, key


def _known_keys(section: str) -> Collection[str] | None:
    """The keys a section may hold (``None`` for a section that does not exist)."""
    if section == "secrets":
        return SECRET_KEYS
    if section.startswith("widgets."):
        return WIDGET_SCHEMA if section.removeprefix("widgets.") in PLACEMENTS else None
    return SCHEMA.get(section)


def _env_name(section: str, key: str) -> str:
    """The variable that overrides ``section.key``, e.g. ``$LUXEBRAIN_WIDGETS__CART__LIMIT``."""
    return f"${ENV_PREFIX}{section.upper().replace('.', '__')}__{key.upper()}"


def _cannot(action: str, label: str, exc: OSError) -> str:
    """One line for an OSError; permission problems say so plainly (they are the usual case)."""
    reason = "permission denied" if isinstance(exc, PermissionError) else exc.strerror
    return f"{label}: cannot {action}: {reason}"


def _exists(path: Path, label: str) -> bool:
    """Whether ``path`` exists. A directory we may not search is an error, not "no file":
    ``Path.exists`` raises PermissionError there."""
    try:
        path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as exc:
        raise ConfigError(_cannot("read", label, exc)) from None
    return True


def _read_toml(path: Path, label: str) -> dict[str, Any]:
    """Parse a TOML file; every way it can be unreadable is one ConfigError line naming it.

    A UTF-8 byte-order mark is accepted: Windows editors (Notepad) add one, and it cannot be
    mistaken for anything else, so refusing it would only make the owner hunt an invisible byte.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{label}: file not found") from None
    except OSError as exc:
        raise ConfigError(_cannot("read", label, exc)) from None
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{label}: not UTF-8 text (a bad byte on line {line})") from None
    return _parse_toml(content, label)


def _parse_toml(content: str, label: str) -> dict[str, Any]:
    try:
        return tomllib.loads(content)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}: not valid TOML ({exc})") from None


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
            source, raw = _env_name(section, key), env[key]
        try:
            values[key] = check(raw)
        except ValueError as exc:
            raise ConfigError(f"{source}: {section}.{key}: {exc}") from None
    return values


def _label(path: Path) -> str:
    return path.name if path.parent == Path(".") else str(path)


def load_config(
    path: str | Path = "agent.toml",
    *,
    environ: Mapping[str, str] | None = None,
    require_file: bool = True,
) -> AgentConfig:
    """Read, merge and validate the configuration; raise ConfigError on the first bad value."""
    path = Path(path)
    label = _label(path)
    raw: dict[str, Any] = {}
    if require_file or _exists(path, label):
        raw = _read_toml(path, label)
    return _build(path, label, raw, os.environ if environ is None else environ)


def _build(
    path: Path, label: str, raw: Mapping[str, Any], environ: Mapping[str, str]
) -> AgentConfig:
    """Validate parsed TOML and merge the secrets and the environment (what load_config does
    once the file is read, and what write_new_config checks before it writes)."""
    env = _env_overrides(environ)
    known = set(SCHEMA) | {"widgets", "secrets"}
    for name in sorted(set(raw) - known):
        raise ConfigError(f"{label}: {name}: unknown section")
    if "secrets" in raw:
        raise ConfigError(
            f"{label}: secrets: do not put secrets in {label}; "
            "use the secrets file (luxebrain-agent init writes it) or LUXEBRAIN_SECRETS__<KEY>"
        )

    sections = {
        name: _validate_section(label, name, schema, raw.get(name, {}), env.get(name, {}))
        for name, schema in SCHEMA.items()
    }
    widgets = _load_widgets(label, raw.get("widgets", {}), env)

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


def _load_widgets(
    label: str, given: Any, env: Mapping[str, Mapping[str, str]]
) -> dict[str, Section]:
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
        section = f"widgets.{placement}"
        values = _validate_section(
            label, section, WIDGET_SCHEMA, given.get(placement, {}), env.get(section, {})
        )
        values["title"] = values["title"] or WIDGET_TITLES[placement]
        values["exclude_purchased"] = values["exclude_purchased"] and placement != "thankyou"
        widgets[placement] = Section(section, values)
    return widgets


def _load_secrets(path: Path, env: Mapping[str, str]) -> Secrets:
    """The secrets file's values (checked private), then those set in the environment."""
    values: dict[str, str] = {}
    if _exists(path, str(path)):
        check_private(path, str(path))
        values = _read_secrets_file(path)
    values.update(env)
    return Secrets(**values)


def _read_secrets_file(path: Path) -> dict[str, str]:
    label = str(path)
    values: dict[str, str] = {}
    for key, value in _read_toml(path, label).items():
        if key not in SECRET_KEYS:
            raise ConfigError(f"{label}: {key}: unknown secret")
        if not isinstance(value, str):
            raise ConfigError(f"{label}: {key}: must be a string")
        values[key] = value
    return values


# ---------------------------------------------------------------- writing


def write_atomic(path: Path, content: str, *, mode: int = 0o600) -> None:
    """Write a file atomically: the one way the agent writes its files.

    The content goes to a uniquely named temp file in the same directory (mode 0600 from the
    first byte unless ``mode`` says otherwise), is fsynced and renamed into place: a reader sees
    the old file or the new one, never half of one, and two writers never share a temp file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(content.encode())
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock for ``path`` around a read-modify-write, so two commands (or
    threads) changing it at once both keep their change. The lock is on ``.<name>.lock`` beside
    it, since ``path`` itself is replaced on every write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_name(f".{path.name}.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _edit_secrets(path: Path, edit: Callable[[dict[str, str]], None]) -> None:
    """Read the secrets file, let ``edit`` change the values, write it back: all under its lock."""
    try:
        with file_lock(path):
            current = _read_secrets_file(path) if _exists(path, str(path)) else {}
            edit(current)
            lines = ["# LuxeBrain agent secrets: keep this file mode 0600.\n"]
            for key in SECRET_KEYS:
                if key in current:
                    lines.append(f"{key} = {toml_string(current[key])}\n")
            write_atomic(path, "".join(lines))
    except OSError as exc:
        raise ConfigError(_cannot("write", str(path), exc)) from None


def _assign(values: Mapping[str, str | None], current: dict[str, str]) -> None:
    """Set each value (``None``: remove it)."""
    for key, value in values.items():
        if value is None:
            current.pop(key, None)
        else:
            current[key] = value


def _check_secret_names(values: Mapping[str, str | None]) -> None:
    for key in values:
        if key not in SECRET_KEYS:
            raise ConfigError(f"{key}: unknown secret")


def update_secrets(config_path: str | Path, **values: str | None) -> Path:
    """Set (or, with ``None``, remove) secrets in the config's secrets file; return its path."""
    _check_secret_names(values)
    config = load_config(config_path)
    _edit_secrets(config.secrets_path, functools.partial(_assign, values))
    return config.secrets_path


def new_secret() -> str:
    """A fresh random secret (for snapshot keys and shared secrets)."""
    return secrets_module.token_hex(32)


def render_new_config(
    path: str | Path,
    *,
    store_url: str,
    data_dir: str = DEFAULT_DATA_DIR,
    bind: str = DEFAULT_BIND,
) -> tuple[str, AgentConfig]:
    """The annotated agent.toml for these values and the config it will load as.

    Checked exactly as the loader checks the file, before anything is written: a bad value must
    never leave an agent.toml behind that blocks every retry.
    """
    path = Path(path)
    label = _label(path)
    content = render_config(store_url=store_url.rstrip("/"), data_dir=data_dir, bind=bind)
    try:
        content.encode()
    except UnicodeEncodeError:
        raise ConfigError(f"{label}: a value is not valid UTF-8 text") from None
    return content, _build(path, label, _parse_toml(content, label), os.environ)


def _secrets_for_new_config(
    shop: str, given: Mapping[str, str | None], current: dict[str, str]
) -> None:
    """The secrets a freshly written config starts with.

    Pairing secrets are kept only when a pairing's store_url secret says they are for this very
    shop: another shop's store_url would keep the agent syncing the old shop, and its webhook
    and shared secrets would let the old shop's webhooks and plugin in. The snapshot key is
    fresh; a shared secret is made when none is kept, so ``luxebrain-agent api`` can sign calls
    without the plugin (pairing replaces it with the plugin's).
    """
    if current.get("store_url", "").rstrip("/") != shop:
        for key in PAIRING_SECRETS:
            current.pop(key, None)
    current["snapshot_key"] = new_secret()
    _assign(given, current)
    current.setdefault("shared_secret", new_secret())


def write_new_config(
    path: str | Path,
    *,
    store_url: str,
    data_dir: str = DEFAULT_DATA_DIR,
    bind: str = DEFAULT_BIND,
    secrets: Mapping[str, str | None] | None = None,
) -> Path:
    """Write the annotated agent.toml plus its 0600 secrets file (``secrets`` set in it, as
    :func:`update_secrets` sets them); return the path.

    What ``init``, ``pair`` (for a new shop) and the demo all start from. Everything is checked
    first; the secrets are written before agent.toml, so a failure leaves no agent.toml (or the
    previous one unchanged).
    """
    path = Path(path)
    secrets = secrets or {}
    _check_secret_names(secrets)
    content, config = render_new_config(path, store_url=store_url, data_dir=data_dir, bind=bind)
    shop = store_url.rstrip("/")
    _edit_secrets(config.secrets_path, functools.partial(_secrets_for_new_config, shop, secrets))
    try:
        write_atomic(path, content, mode=0o644)
    except OSError as exc:
        raise ConfigError(_cannot("write", str(path), exc)) from None
    return path
