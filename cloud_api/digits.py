"""Whole numbers written as text: ASCII digits only.

``str.isdigit()`` also accepts superscripts and other scripts' digits (``"²"``, ``"٣"``), which
``int()`` refuses (a 500 instead of a 400) or reads as a number no client wrote; every check of
digits in the cloud (query arguments, form fields, GTINs, signatures, settings) uses this one.
"""

from __future__ import annotations


def is_digits(text: str) -> bool:
    """``True`` when ``text`` is one or more of ``0``–``9``.

    >>> is_digits("042"), is_digits(""), is_digits("²"), is_digits("-1")
    (True, False, False, False)
    """
    return text.isascii() and text.isdigit()
