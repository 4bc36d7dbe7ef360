"""The annotated ``agent.toml`` that ``luxebrain-agent init`` writes (and the repository ships).

One template, so the example in the repository and what ``init`` writes can never drift apart
(a test compares them).
"""

from __future__ import annotations

TEMPLATE = """\
# LuxeBrain agent configuration (read with tomllib at start; every bad value stops the agent
# with one line naming this file and the key). Any key can be overridden from the environment:
# LUXEBRAIN_<SECTION>__<KEY>, e.g. LUXEBRAIN_SYNC__INTERVAL_MINUTES=10, and a widget's with
# LUXEBRAIN_WIDGETS__<PLACEMENT>__<KEY>; a misspelt LUXEBRAIN_…__… variable stops the agent too.
# Numbers have a range (shown as [min–max]): a value outside it is refused at start.
# Secrets (WooCommerce keys, webhook and plugin secrets, licence key, snapshot key) are NOT kept
# here: they live in the secrets file (mode 0600), written by `init` and `pair`.

[agent]
# Where the SQLite store, the secrets file and model snapshots live (relative to this file).
data_dir = {data_dir}
# secrets_file = ""           # default: <data_dir>/secrets.toml
log_level = "info"            # debug | info | warning | error

[woocommerce]
# The shop's site URL (the REST API is under /wp-json/wc/v3).
store_url = {store_url}
timeout_seconds = 30           # [>0–600]
verify_tls = true
# auto: OAuth 1.0a over http, Basic auth over https (what WooCommerce accepts on each).
auth = "auto"

[sync]
interval_minutes = 5          # [1–1440] incremental sync (webhooks make it near-real-time)
page_size = 100               # [1–100] WooCommerce caps per_page at 100
max_retries = 5               # [0–20] on timeouts, 429 (honouring Retry-After) and 5xx
backoff_seconds = 1.0         # [>0–300] first retry delay; doubles, with jitter
max_backoff_seconds = 60.0    # [>0–3600]
overlap_seconds = 1           # [0–3600] re-read this much before the watermark
reconcile_hour_utc = 3        # [0–23] daily id-set reconciliation (deletes send no webhook)
webhook_health_minutes = 60   # [1–1440] re-enable webhooks WooCommerce disabled

[api]
bind = {bind}      # the local API; keep it on loopback
# public_url = ""             # the URL WordPress uses to reach the agent (default http://<bind>)
max_body_bytes = 65536        # [1–16777216]
attribution_days = 7          # [1–365] a click earns the revenue of an order this soon after

[models]
seed = 42                     # [0–4294967295]
snapshot_every_events = 5000  # [1–1000000]
snapshot_every_seconds = 60   # [>0–86400]
retention_days = 90           # [1–3650] older events, already in a snapshot, are compacted

[licence]
cloud_url = ""                # the vendor cloud; empty = free features only
public_key = ""               # path or URL of the vendor's public signing keys
checkin_hours = 24            # [1–168]
# Grace: paid features last until the later of the token's expiry and the first failed check-in
# + grace_days, never past the licence's end; none if the token had expired by that check-in.
grace_days = 14               # [1–30] keep paid features while the cloud is unreachable

# Widget placements: product, cart, thankyou, shortcode. Each may set
# enabled, title, limit [1–50], ttl_seconds [1–86400], exclude_purchased.
[widgets.product]
title = "Frequently bought together"
limit = 4

[widgets.cart]
title = "You may also like"
limit = 4
"""


def render_config(
    *,
    store_url: str = "https://shop.example",
    data_dir: str = "./luxebrain-data",
    bind: str = "127.0.0.1:8765",
) -> str:
    """The annotated config with these values filled in (each escaped as a TOML string)."""
    return TEMPLATE.format(
        store_url=toml_string(store_url), data_dir=toml_string(data_dir), bind=toml_string(bind)
    )


def toml_string(value: str) -> str:
    """``value`` as a TOML basic string, so a quote, backslash or control character that a user
    typed can never end the string early or make the file unreadable."""
    escaped: list[str] = []
    for char in value:
        if char in '"\\':
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'
