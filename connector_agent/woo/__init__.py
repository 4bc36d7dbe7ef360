"""WooCommerce: the REST client, normalisation into contract events, sync, webhooks, health."""

from __future__ import annotations

from connector_agent.woo.client import Reply, WooClient, WooHTTPError
from connector_agent.woo.reconcile import Reconciler, ReconcileReport
from connector_agent.woo.sync import RESOURCES, Syncer, SyncReport, supports_modified_after
from connector_agent.woo.webhook_health import WebhookHealth, check_webhooks
from connector_agent.woo.webhooks import BadSignature, Outcome, receive, signature_of

__all__ = [
    "RESOURCES",
    "BadSignature",
    "Outcome",
    "ReconcileReport",
    "Reconciler",
    "Reply",
    "SyncReport",
    "Syncer",
    "WebhookHealth",
    "WooClient",
    "WooHTTPError",
    "check_webhooks",
    "receive",
    "signature_of",
    "supports_modified_after",
]
