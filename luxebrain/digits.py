"""Whole numbers written as text: ASCII digits only.

``str.isdigit()`` also accepts superscripts and other scripts' digits (``"²"``, ``"٣"``), which
``int()`` refuses (a 500 instead of a 400) or reads as a number no client wrote; every check of
digits in the agent and the cloud (query arguments, headers, form fields, GTINs, signatures,
settings) uses these.
"""

from __future__ import annotations


def is_digits(text: str) -> bool:
    """``True`` when ``text`` is one or more of ``0``–``9``.

    >>> is_digits("042"), is_digits(""), is_digits("²"), is_digits("-1")
    (True, False, False, False)
    """
    return text.isascii() and text.isdigit()


def only_digits(text: str) -> str:
    """The ASCII digits of ``text``, in order (a GTIN's or a version's, punctuation dropped).

    >>> only_digits("4 006381-333931"), only_digits("8.5.0-rc²")
    ('4006381333931', '850')
    """
    return "".join(ch for ch in text if "0" <= ch <= "9")
