"""Run the PHPUnit suite (tests/wordpress/phpunit) inside a real WordPress with the plugin."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from harness import WordPressSite

PHPUNIT_XML = Path(__file__).parent / "phpunit" / "phpunit.xml"


def test_phpunit_suite_passes(site: WordPressSite) -> None:
    if not shutil.which("phpunit"):
        pytest.skip("phpunit is not installed (run scripts/wordpress/install.sh)")
    done = subprocess.run(
        ["phpunit", "--configuration", str(PHPUNIT_XML)],
        env={**os.environ, "WP_ROOT": str(site.root), "WP_URL": site.url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
    assert "OK (" in done.stdout
