"""A guest (a checkout without an account) asked for by billing email: the address checked, and
the ``guest_key`` that the guest's order payloads carry (the email itself is never stored).

The privacy routes (``api/guests.py``) and ``luxebrain-agent erase-guest`` both come here.
"""

from __future__ import annotations

from connector_agent.woo.normalise import guest_key

__all__ = ["MAX_EMAIL", "key_for_email"]

#: RFC 5321's longest address
MAX_EMAIL = 254


def key_for_email(value: object) -> str:
    """The ``guest_key`` of a billing email; ValueError for anything that is not one.

    >>> key_for_email(" Ann@Example.com ") == key_for_email("ann@example.com")
    True
    >>> key_for_email("not an email")
    Traceback (most recent call last):
    ...
    ValueError: must be an email address
    """
    email = value.strip() if isinstance(value, str) else ""
    local, at, domain = email.rpartition("@")
    if not at or not local or not domain or len(email) > MAX_EMAIL:
        raise ValueError("must be an email address")
    if any(c.isspace() for c in email):
        raise ValueError("must be an email address")
    key = guest_key(email)
    assert key is not None  # a non-blank address always has one
    return key
