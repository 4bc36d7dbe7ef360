"""The generated convention checks, one test per (model, check)."""

from __future__ import annotations

import pytest

from online_models.checks import yield_checks

CHECKS = list(yield_checks())


@pytest.mark.parametrize("check", [c for _, c in CHECKS], ids=[name for name, _ in CHECKS])
def test_convention(check) -> None:
    check()
