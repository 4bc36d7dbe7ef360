"""The plugin zip, its .pot, and the rule that only the adapter touches WooCommerce."""

from __future__ import annotations

import doctest
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from connector_agent.cli import cli
from wp_plugin_bridge.build import PLUGIN_DIR, build_zip
from wp_plugin_bridge.pot import PotError, messages

ADAPTER = PLUGIN_DIR / "includes" / "class-luxebrain-woocommerce.php"
WOOCOMMERCE_API = re.compile(
    r"(?<![\w$>:])(?:wc_\w+|WC)\s*\("  # WooCommerce functions
    r"|\bWC_[A-Z]\w*"  # WooCommerce classes
    r"|'(?:woocommerce|manage_woocommerce"  # menu slug, capability
    r"|woocommerce_\w+|before_woocommerce_\w+)'"  # hooks
)


def test_plugin_build_writes_the_zip_and_prints_its_path(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["plugin", "build", "--out", str(tmp_path / "dist")])
    assert result.exit_code == 0, result.output
    path = tmp_path / "dist" / "luxebrain.zip"
    assert result.output.strip() == str(path)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        main = zf.read("luxebrain/luxebrain.php").decode()
        pot = zf.read("luxebrain/languages/luxebrain.pot").decode()
    assert {"luxebrain/luxebrain.php", "luxebrain/uninstall.php"} <= set(names)
    assert all(name.startswith("luxebrain/") for name in names)
    assert not [n for n in names if "shim" in n or "/tests/" in n], "test code is never shipped"
    for header in ("Plugin Name:          LuxeBrain", "Text Domain:          luxebrain",
                   "Domain Path:          /languages", "WC requires at least:"):
        assert header in main
    assert 'msgid "LuxeBrain needs WooCommerce. Install and activate WooCommerce to use it."' in pot
    assert "#. translators: %s: error message" in pot
    assert 'msgctxt "block title"\nmsgid "LuxeBrain recommendations"' in pot


def test_builds_are_reproducible(tmp_path: Path) -> None:
    first = build_zip(tmp_path / "a").read_bytes()
    assert build_zip(tmp_path / "b").read_bytes() == first


def test_every_gettext_call_has_the_text_domain() -> None:
    with pytest.raises(PotError, match="x.php:2: gettext call without the 'luxebrain' domain"):
        messages(["<?php\n__( 'Hi' );"], ["x.php"])
    with pytest.raises(PotError):
        messages(["<?php esc_html__( 'Hi', 'woocommerce' );"])


def test_only_the_adapter_touches_woocommerce() -> None:
    offenders = []
    for path in sorted(PLUGIN_DIR.rglob("*.php")):
        if path == ADAPTER:
            continue
        code = re.sub(r"/\*.*?\*/|//[^\n]*", "", path.read_text(), flags=re.S)
        offenders += [f"{path.name}: {m.group(0)}" for m in WOOCOMMERCE_API.finditer(code)]
    assert offenders == []
    adapter = ADAPTER.read_text()
    for hook in re.findall(r"add_action\(\s*'(\w+)'", adapter):
        assert f"'{hook}'" in adapter.split("const HOOKS", 1)[1].split(");", 1)[0], hook


def test_module_examples_run() -> None:
    from wp_plugin_bridge import pot

    result = doctest.testmod(pot)
    assert result.attempted > 0
    assert result.failed == 0
