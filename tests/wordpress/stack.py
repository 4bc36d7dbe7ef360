"""The whole stack for integration and browser tests: a real WordPress with the plugin, a real
agent seeded with a small catalogue and paired through Connect + ``luxebrain-agent pair``."""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import orjson
from agent_process import AgentProcess, agent_cli, seed_agent, write_agent_config
from harness import ADMIN_PASSWORD, WordPressSite, form_nonce

from connector_agent.config import load_config

PAGE = "/wp-admin/admin.php?page=luxebrain"
#: The one-line install-pair-run command the page shows after Connect (HTML-escaped).
CODE = re.compile(
    r"pip install luxebrain &amp;&amp; luxebrain-agent pair --config agent\.toml "
    r"--site &#039;(.+?)&#039; --code (\w+) &amp;&amp; luxebrain-agent run --config agent\.toml"
)
#: Agent-side names (WordPress strips markup from post titles); escaping is tested on them.
NAMES = ["Mug & <Saucer>", "Teapot \"Earl\"", "Spoon", "Plate"]
#: Indexes into the catalogue; the last order is the WordPress subscriber's (privacy tests).
BASKETS = [[0, 1], [0, 1], [0, 1], [0, 2], [1, 3], [2, 3]]


def connect(site: WordPressSite) -> str:
    """Click Connect as the admin; return the one-time code shown on the page."""
    admin = site.login("admin", ADMIN_PASSWORD)
    nonce = form_nonce(admin.get(site.url + PAGE, timeout=20).text, "luxebrain_connect")
    page = admin.post(
        site.url + "/wp-admin/admin-post.php",
        data={"action": "luxebrain_connect", "_wpnonce": nonce},
        timeout=20,
    )
    match = CODE.search(page.text)
    assert match, "no pair command on the page after Connect"
    assert match.group(1) == site.url, "the command is pre-filled with this shop's URL"
    return match.group(2)


@dataclass
class Stack:
    site: WordPressSite
    agent: AgentProcess
    config_path: Path
    products: list[dict]

    def events(self, kind: str) -> list[dict]:
        """Browsing events of one kind in the agent's event log (read-only, beside the agent)."""
        path = load_config(self.config_path).database_path
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10) as conn:
            rows = conn.execute(
                "SELECT key, payload FROM event_log WHERE kind = ? ORDER BY seq", (kind,)
            ).fetchall()
        return [{"key": key, **orjson.loads(payload)} for key, payload in rows]

    def wait_for_events(self, kind: str, count: int, *, within: float = 15) -> list[dict]:
        deadline = time.monotonic() + within
        while True:
            found = self.events(kind)
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.2)

    def close(self) -> None:
        """Stop both; fail if the plugin raised any PHP error meanwhile."""
        errors = self.site.plugin_php_errors()
        self.agent.stop()
        self.site.close()
        assert errors == [], "the plugin raised PHP errors"


def _agent_recommends(config_path: Path, product_id: int, *, within: float = 30) -> None:
    """Wait until the agent's models have learned the seed (bounded)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        done = agent_cli(
            "api", "GET", f"/v1/widgets/product?product_id={product_id}",
            "--config", str(config_path),
        )
        if done.exit_code == 0 and orjson.loads(done.stdout).get("items"):
            return
        time.sleep(0.3)
    raise RuntimeError(f"the agent recommended nothing for {product_id} within {within} s")


def start_stack(base: Path, plugin_zip: Path, *, render: str = "client") -> Stack:
    site = WordPressSite.create(base, plugin_zip)
    agent = None
    try:
        posts = site.php(
            """
            $out = array();
            foreach ( array( 'Mug', 'Teapot', 'Spoon', 'Plate' ) as $title ) {
                $id = wp_insert_post( array( 'post_type' => 'product',
                    'post_status' => 'publish', 'post_title' => $title ) );
                $out[] = array( 'id' => $id, 'permalink' => get_permalink( $id ) );
            }
            return $out;
            """
        )
        products = [
            {
                **post,
                "name": name,
                "type": "simple",
                "status": "publish",
                "price": "10.00",
                "regular_price": "10.00",
                "price_html": '<span class="amount">&euro;10.00</span>',
                "stock_status": "instock",
                "images": [{"src": f"{site.url}/wp-includes/images/media/default.png"}],
                "categories": [{"id": 1, "name": "Kitchen"}],
            }
            for post, name in zip(posts, NAMES, strict=True)
        ]
        config_path, agent_url = write_agent_config(base, site.url)
        ids = [p["id"] for p in products]
        orders = [(0, [ids[i] for i in basket]) for basket in BASKETS[:-1]]
        orders.append((site.users["shopper"], [ids[i] for i in BASKETS[-1]]))
        shopper = {"id": site.users["shopper"], "email": "shopper@example.com",
                   "first_name": "Sam", "last_name": "Shopper", "role": "customer"}
        seed_agent(config_path, products, orders, [shopper])
        paired = agent_cli(
            "pair", "--config", str(config_path), "--site", site.url,
            "--code", connect(site), "--agent-url", agent_url,
        )
        assert paired.exit_code == 0, paired.stderr
        site.php(
            f"update_option( 'luxebrain_settings', array( 'render' => '{render}' ) ); return true;"
        )
        agent = AgentProcess(config_path, agent_url)
        agent.start()
        _agent_recommends(config_path, ids[0])
        return Stack(site, agent, config_path, products)
    except BaseException:
        if agent is not None:
            agent.stop()
        site.close()
        raise
