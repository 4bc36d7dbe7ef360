"""Deterministic fake identities for customers: never real personal data.

The source data carries only a customer number; names and addresses are derived from a hash of
it, and every email address is at ``example.invalid`` (a reserved domain that cannot receive mail).
"""

from __future__ import annotations

import hashlib

FIRST = (
    "Ada",
    "Alan",
    "Barbara",
    "Claude",
    "Donald",
    "Edsger",
    "Frances",
    "Grace",
    "Hedy",
    "Ivan",
    "Jean",
    "Ken",
    "Katherine",
    "Leslie",
    "Margaret",
    "Niklaus",
    "Ole",
    "Radia",
    "Shafi",
    "Tim",
    "Sophie",
    "Dennis",
    "Karen",
    "Lynn",
    "Mary",
    "Peter",
    "Joan",
    "Robin",
    "Annie",
    "John",
)
LAST = (
    "Allen",
    "Babbage",
    "Cerf",
    "Dijkstra",
    "Easley",
    "Floyd",
    "Goldberg",
    "Hopper",
    "Iverson",
    "Johnson",
    "Knuth",
    "Lamport",
    "Liskov",
    "Hamilton",
    "Naur",
    "Perlman",
    "Ritchie",
    "Sammet",
    "Turing",
    "Wirth",
    "Wilson",
    "Lovelace",
    "Kay",
    "Hoare",
    "Conway",
    "Jones",
    "Bartik",
    "Estrin",
    "Clarke",
    "Keller",
)
CITIES = (
    ("London", "EC1A 1BB"),
    ("Manchester", "M1 1AE"),
    ("Bristol", "BS1 4DJ"),
    ("Leeds", "LS1 4AP"),
    ("York", "YO1 7HH"),
    ("Bath", "BA1 1LT"),
)


def identity(customer_number: int) -> dict[str, str]:
    """``first_name, last_name, email, username, address_1, city, postcode, phone`` for a number.

    >>> identity(13085)["email"].endswith("@example.invalid")
    True
    """
    digest = hashlib.sha256(f"luxebrain-demo:{customer_number}".encode()).digest()
    first, last = FIRST[digest[0] % len(FIRST)], LAST[digest[1] % len(LAST)]
    city, postcode = CITIES[digest[2] % len(CITIES)]
    handle = f"{first}.{last}.{digest[3:6].hex()}".lower()
    return {
        "first_name": first,
        "last_name": last,
        "email": f"{handle}@example.invalid",
        "username": handle,
        "address_1": f"{digest[6] + 1} High St",
        "city": city,
        "postcode": postcode,
        "phone": f"01632 {digest[7] * 3:03d}",
    }
