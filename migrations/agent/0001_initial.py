"""The agent's first schema: the store's tables, sync cursors, the event log and model snapshots."""

from __future__ import annotations

from typing import Any


def up(db: Any) -> None:
    db["products"].create(
        {
            "id": str,
            "parent_id": str,
            "type": str,
            "name": str,
            "sku": str,
            "status": str,
            "stock_status": str,
            "stock_quantity": int,
            "price": str,
            "regular_price": str,
            "sale_price": str,
            "categories": str,  # JSON list of {id, name}
            "image": str,
            "permalink": str,
            "price_html": str,
            "gtin": str,
            "modified_at": str,
            "version": str,
            "deleted_at": str,
        },
        pk="id",
    )
    db["customers"].create(
        {
            "id": str,
            "email": str,
            "first_name": str,
            "last_name": str,
            "role": str,
            "created_at": str,
            "modified_at": str,
            "version": str,
            "deleted_at": str,
            "erased_at": str,
        },
        pk="id",
    )
    db["orders"].create(
        {
            "id": str,
            "status": str,
            "customer_id": str,
            "guest_key": str,
            "currency": str,
            "total": str,
            "created_at": str,
            "paid_at": str,
            "modified_at": str,
            "version": str,
            "deleted_at": str,
        },
        pk="id",
    )
    db["orders"].create_index(["customer_id"])
    db["line_items"].create(
        {
            "order_id": str,
            "position": int,
            "product_id": str,
            "variation_id": str,
            "name": str,
            "category": str,
            "quantity": int,
            "unit_price": str,
        },
        pk=("order_id", "position"),
        foreign_keys=[("order_id", "orders", "id")],
    )
    db["line_items"].create_index(["product_id"])
    db["refunds"].create(
        {"order_id": str, "refund_id": str, "amount": str, "reason": str},
        pk=("order_id", "refund_id"),
        foreign_keys=[("order_id", "orders", "id")],
    )
    db["sync_cursors"].create(
        {
            "resource": str,
            "state": str,  # JSON: window, last id, page, mode
            "updated_at": str,
            "last_success_at": str,
            "last_error": str,
            "last_error_at": str,
        },
        pk="resource",
    )
    db.execute(
        """
        CREATE TABLE event_log (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            key TEXT NOT NULL,
            version TEXT NOT NULL,
            occurred_at TEXT NOT NULL,
            payload TEXT NOT NULL,
            appended_at TEXT NOT NULL,
            UNIQUE (kind, key, version)
        )
        """
    )
    db.execute("CREATE INDEX event_log_key ON event_log (key, kind)")
    db["model_snapshots"].create(
        {
            "id": int,
            "applied_seq": int,
            "created_at": str,
            "size": int,
            "mac": str,
            "data": bytes,
        },
        pk="id",
    )
    db["seen_nonces"].create({"nonce": str, "seen_at": float}, pk="nonce")
    db["seen_nonces"].create_index(["seen_at"])
