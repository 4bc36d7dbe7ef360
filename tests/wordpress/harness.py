"""A real WordPress for the plugin tests: Debian's ``wordpress`` package served by ``php -S``.

Each site gets a uniquely named MariaDB database (dropped afterwards), its own copy of the core
(hard links when allowed, so it costs nothing), our own ``wp-config.php``, a programmatic
install, the built plugin zip unpacked into its plugins folder and activated, the test-only
WooCommerce shim as a mu-plugin and a minimal test theme. Every wait is bounded.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

WP_CORE = Path("/usr/share/wordpress")
HERE = Path(__file__).parent
PHP_DIR = HERE / "php"
ROUTER = PHP_DIR / "router.php"
SHIM = HERE / "shim" / "woocommerce-shim.php"
THEME = HERE / "theme" / "luxebrain-test"
DB_HOST, DB_PORT, DB_USER = "127.0.0.1", 3306, "root"
RESULT_MARKER = "\n__LUXEBRAIN_RESULT__\n"
ADMIN_PASSWORD = "admin-password-1"
SALT_NAMES = [
    f"{kind}_{suffix}"
    for suffix in ("KEY", "SALT")
    for kind in ("AUTH", "SECURE_AUTH", "LOGGED_IN", "NONCE")
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def missing_requirements() -> str | None:
    """Why the WordPress tests cannot run here, or None."""
    for tool in ("php", "mysql"):
        if not shutil.which(tool):
            return f"{tool} is not installed (run scripts/wordpress/install.sh)"
    if not (WP_CORE / "wp-settings.php").exists():
        return "Debian's wordpress package is not installed (run scripts/wordpress/install.sh)"
    try:
        socket.create_connection((DB_HOST, DB_PORT), timeout=2).close()
    except OSError:
        return f"no MariaDB at {DB_HOST}:{DB_PORT}"
    return None


def skip_without_wordpress() -> None:
    """Skip the calling test or fixture when ``missing_requirements`` names a reason."""
    reason = missing_requirements()
    if reason:
        pytest.skip(reason)


def _mysql(sql: str) -> None:
    subprocess.run(
        ["mysql", f"-h{DB_HOST}", f"-P{DB_PORT}", f"-u{DB_USER}", "-e", sql],
        check=True,
        capture_output=True,
        timeout=30,
    )


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _wp_config(db_name: str, url: str, extra: str) -> str:
    salts = "\n".join(
        f"define( '{name}', '{secrets.token_hex(32)}' );"
        for name in SALT_NAMES
    )
    return f"""<?php
define( 'DB_NAME', '{db_name}' );
define( 'DB_USER', '{DB_USER}' );
define( 'DB_PASSWORD', '' );
define( 'DB_HOST', '{DB_HOST}:{DB_PORT}' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
{salts}
$table_prefix = 'wp_';
define( 'WP_HOME', '{url}' );
define( 'WP_SITEURL', '{url}' );
define( 'WP_DEBUG', true );
define( 'WP_DEBUG_DISPLAY', false );
define( 'WP_DEBUG_LOG', __DIR__ . '/debug.log' );
define( 'DISABLE_WP_CRON', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'FS_METHOD', 'direct' );
{extra}
if ( ! defined( 'ABSPATH' ) ) {{
	define( 'ABSPATH', __DIR__ . '/' );
}}
require_once ABSPATH . 'wp-settings.php';
"""


@dataclass
class WordPressSite:
    """One throw-away WordPress with the plugin installed; ``close()`` removes every trace."""

    root: Path
    port: int
    db_name: str
    process: subprocess.Popen[bytes] | None = None
    users: dict[str, int] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def create(cls, base: Path, plugin_zip: Path, *, woocommerce: bool = True) -> WordPressSite:
        port = free_port()
        site = cls(base / "wordpress", port, f"luxebrain_wp_{secrets.token_hex(6)}")
        shutil.copytree(
            WP_CORE,
            site.root,
            symlinks=True,
            ignore=shutil.ignore_patterns("wp-config.php", "wp-content", ".htaccess"),
            copy_function=_link_or_copy,
        )
        content = site.root / "wp-content"
        (content / "plugins").mkdir(parents=True)
        (content / "mu-plugins").mkdir()
        (content / "uploads").mkdir()
        shutil.copytree(THEME, content / "themes" / THEME.name)
        shutil.copy(SHIM, content / "mu-plugins" / SHIM.name)
        with zipfile.ZipFile(plugin_zip) as zf:
            zf.extractall(content / "plugins")
        extra = "" if woocommerce else "define( 'LUXEBRAIN_SHIM_OFF', true );"
        (site.root / "wp-config.php").write_text(_wp_config(site.db_name, site.url, extra))
        _mysql(f"CREATE DATABASE `{site.db_name}` CHARACTER SET utf8mb4")
        try:
            site._install(woocommerce=woocommerce)
            site.start()
        except BaseException:
            site.close()
            raise
        return site

    def _install(self, *, woocommerce: bool) -> None:
        self.php(
            "require_once ABSPATH . 'wp-admin/includes/upgrade.php';"
            f"wp_install( 'LuxeBrain Test', 'admin', 'admin@example.com', true, '', "
            f"'{ADMIN_PASSWORD}' ); return true;",
            installing=True,
        )
        self.users = self.php(
            """
            require_once ABSPATH . 'wp-admin/includes/plugin.php';
            if ( function_exists( 'luxebrain_shim_install' ) ) {
                luxebrain_shim_install();
                get_role( 'administrator' )->add_cap( 'manage_woocommerce' );
            }
            update_option( 'permalink_structure', '/%postname%/' );
            switch_theme( 'luxebrain-test' );
            $activated = activate_plugin( 'luxebrain/luxebrain.php' );
            if ( is_wp_error( $activated ) ) {
                throw new RuntimeException( $activated->get_error_message() );
            }
            $subscriber = wp_insert_user( array( 'user_login' => 'shopper',
                'user_pass' => 'shopper-password-1', 'user_email' => 'shopper@example.com',
                'role' => 'subscriber' ) );
            return array( 'admin' => 1, 'shopper' => $subscriber );
            """
        )
        # Rewrite rules need the post types registered on init: flush in a fresh request.
        self.php("flush_rewrite_rules( false ); return true;")

    def php(
        self,
        code: str,
        *,
        installing: bool = False,
        timeout: float = 30,
        woocommerce: bool = True,
    ) -> Any:
        """Run PHP inside this WordPress and return its JSON-decoded return value; with
        ``woocommerce=False`` this one run sees WooCommerce inactive (the shim stays off)."""
        env = {**os.environ, "WP_ROOT": str(self.root), "WP_URL": self.url}
        if installing:
            env["WP_INSTALLING"] = "1"
        if not woocommerce:
            env["LUXEBRAIN_SHIM_OFF"] = "1"
        done = subprocess.run(
            ["php", str(PHP_DIR / "wp-eval.php")],
            input=code.encode(),
            env=env,
            capture_output=True,
            timeout=timeout,
        )
        out = done.stdout.decode(errors="replace")
        if done.returncode != 0 or RESULT_MARKER not in out:
            raise RuntimeError(f"PHP failed ({done.returncode}): {out[-2000:]}{done.stderr!r}")
        return json.loads(out.split(RESULT_MARKER, 1)[1])

    def make_network(self) -> None:
        """Turn this site into a subdirectory multisite network (it becomes site 1), the way
        Tools > Network Setup does: the network tables and rows, then the wp-config constants."""
        self.php(
            "require_once ABSPATH . 'wp-admin/includes/upgrade.php';"
            "require_once ABSPATH . 'wp-admin/includes/network.php';"
            # what wp-admin/network.php does first: name the network tables
            "foreach ( $wpdb->tables( 'ms_global' ) as $table => $prefixed ) {"
            "  $wpdb->$table = $prefixed;"
            "}"
            "install_network();"
            f"$done = populate_network( 1, '127.0.0.1:{self.port}', 'admin@example.com', "
            "'LuxeBrain Network', '/', false );"
            "if ( is_wp_error( $done ) ) {"
            "  throw new RuntimeException( $done->get_error_message() );"
            "}"
            "return true;"
        )
        config = self.root / "wp-config.php"
        constants = (
            "define( 'MULTISITE', true );\n"
            "define( 'SUBDOMAIN_INSTALL', false );\n"
            f"define( 'DOMAIN_CURRENT_SITE', '127.0.0.1:{self.port}' );\n"
            "define( 'PATH_CURRENT_SITE', '/' );\n"
            "define( 'SITE_ID_CURRENT_SITE', 1 );\n"
            "define( 'BLOG_ID_CURRENT_SITE', 1 );\n"
        )
        marker = "if ( ! defined( 'ABSPATH' ) )"
        config.write_text(config.read_text().replace(marker, constants + marker, 1))

    def start(self) -> None:
        env = {**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}
        self.process = subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{self.port}", "-t", str(self.root), str(ROUTER)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its workers share the group, so close() ends them all
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                requests.get(f"{self.url}/wp-login.php", timeout=2)
                return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"php -S on port {self.port} did not answer within 15 s")

    def login(self, user: str, password: str) -> requests.Session:
        """A browser-like session logged in as ``user``."""
        session = requests.Session()
        session.cookies.set("wordpress_test_cookie", "WP Cookie check")
        response = session.post(
            f"{self.url}/wp-login.php",
            data={"log": user, "pwd": password, "testcookie": "1", "redirect_to": "/wp-admin/"},
            timeout=20,
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"login as {user} failed: HTTP {response.status_code}")
        return session

    def debug_log(self) -> str:
        path = self.root / "debug.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def plugin_php_errors(self) -> list[str]:
        """PHP errors, warnings, notices and deprecations raised in the plugin's own files
        (WordPress 6.1 itself logs deprecations under PHP 8.2; those are not ours)."""
        return [line for line in self.debug_log().splitlines() if "/plugins/luxebrain/" in line]

    def close(self) -> None:
        if self.process is not None:
            _signal_group(self.process, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _signal_group(self.process, signal.SIGKILL)
                self.process.wait()
            self.process = None
        _mysql(f"DROP DATABASE IF EXISTS `{self.db_name}`")
        shutil.rmtree(self.root, ignore_errors=True)


def _signal_group(process: subprocess.Popen[bytes], signum: int) -> None:
    """Signal ``php -S`` and its PHP_CLI_SERVER_WORKERS children (one process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def hidden_fields(html: str) -> dict[str, str]:
    """Name -> value of the hidden inputs in a piece of HTML (either quote style)."""
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        attrs = dict(re.findall(r"""(\w+)=["']([^"']*)["']""", tag))
        if attrs.get("type") == "hidden" and "name" in attrs:
            fields[attrs["name"]] = attrs.get("value", "")
    return fields


def form_nonce(html: str, action: str) -> str:
    """The ``_wpnonce`` of the admin-post form for ``action`` in a page."""
    for form in re.findall(r"<form.*?</form>", html, re.S):
        fields = hidden_fields(form)
        if fields.get("action") == action and fields.get("_wpnonce"):
            return fields["_wpnonce"]
    raise AssertionError(f"no form with a nonce for {action!r}")
