"""Fixtures for the WordPress tests: the built zip, a real WordPress, a real agent."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).parent))

from harness import ADMIN_PASSWORD, WordPressSite, skip_without_wordpress

from wp_plugin_bridge.build import build_zip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that need WordPress (the ``site`` fixture) or PHP carry the ``wordpress`` marker."""
    for item in items:
        if {"site", "php"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.wordpress)


@pytest.fixture(scope="session")
def php() -> str:
    """The PHP binary (the tests that only need PHP, not WordPress)."""
    path = shutil.which("php")
    if not path:
        pytest.skip("php is not installed (run scripts/wordpress/install.sh)")
    return path


@pytest.fixture(scope="session")
def plugin_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_zip(tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def site(plugin_zip: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[WordPressSite]:
    """A WordPress with the shim and the plugin active, shared by one test module."""
    skip_without_wordpress()
    wordpress = WordPressSite.create(tmp_path_factory.mktemp("wp"), plugin_zip)
    yield wordpress
    errors = wordpress.plugin_php_errors()
    wordpress.close()
    assert errors == [], "the plugin raised PHP errors"


@pytest.fixture
def admin(site: WordPressSite) -> requests.Session:
    return site.login("admin", ADMIN_PASSWORD)


@pytest.fixture
def shopper(site: WordPressSite) -> requests.Session:
    return site.login("shopper", "shopper-password-1")
