"""The annotated ``agent.toml`` that ``luxebrain-agent init`` writes (and the repository ships).

One template, so the example in the repository and what ``init`` writes can never drift apart
(a test compares them).
"""

from __future__ import annotations

TEMPLATE = """\
# LuxeBrain agent configuration (read with tomllib at start; every bad value stops the agent
# with one line naming this file and the key). Any key can be overridden from the environment:
# LUXEBRAIN_<SECTION>__<KEY>, e.g. LUXEBRAIN_SYNC__INTERVAL_MINUTES=10.
# Secrets (WooCommerce keys, webhook and plugin secrets, licence key, snapshot key) are NOT kept
# here: they live in the secrets file (mode 0600), written by `init` and `pair`.

[agent]
# Where the SQLite store, the secrets file and model snapshots live (relative to this file).
data_dir = "{data_dir}"
# secrets_file = ""           # default: <data_dir>/secrets.toml
log_level = "info"            # debug | info | warning | error

[woocommerce]
# The shop's site URL (the REST API is under /wp-json/wc/v3).
store_url = "{store_url}"
timeout_seconds = 30
verify_tls = true
# auto: OAuth 1.0a over http, Basic auth over https (what WooCommerce accepts on each).
auth = "auto"

[sync]
interval_minutes = 5          # incremental sync (webhooks make it near-real-time anyway)
page_size = 100               # WooCommerce caps per_page at 100
max_retries = 5               # on timeouts, 429 (honouring Retry-After) and 5xx
backoff_seconds = 1.0         # first retry delay; doubles, with jitter
max_backoff_seconds = 60.0
overlap_seconds = 1           # re-read this much before the watermark (filters are strict)
reconcile_hour_utc = 3        # daily id-set reconciliation (hard deletes send no webhook)
webhook_health_minutes = 60   # re-enable webhooks WooCommerce disabled after failures

[api]
bind = "{bind}"      # the local API; keep it on loopback
# public_url = ""             # the URL WordPress uses to reach the agent (default http://<bind>)
max_body_bytes = 65536
attribution_days = 7          # a click counts for revenue if the order follows within this

[models]
seed = 42
snapshot_every_events = 5000
snapshot_every_seconds = 60
retention_days = 90           # events older than this, already in a snapshot, are compacted

[licence]
cloud_url = ""                # the vendor cloud; empty = free features only
public_key = ""               # path or URL of the vendor's public signing keys
checkin_hours = 24
grace_days = 14               # keep paid features this long while the cloud is unreachable

# Widget placements: product, cart, thankyou, shortcode. Each may set
# enabled, title, limit, ttl_seconds, exclude_purchased.
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
    """The annotated config with these values filled in."""
    return TEMPLATE.format(store_url=store_url, data_dir=data_dir, bind=bind)
