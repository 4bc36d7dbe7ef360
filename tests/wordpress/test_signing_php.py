"""The PHP signer (LuxeBrain_Signer) and wp_plugin_bridge.signing give byte-identical headers."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from wp_plugin_bridge.signing import sign_headers

SIGNER = (
    Path(__file__).parents[2]
    / "wp_plugin_bridge/plugin/luxebrain/includes/class-luxebrain-signer.php"
)
RUNNER = f"""
define( 'ABSPATH', '/' );
require '{SIGNER}';
$out = array();
foreach ( json_decode( stream_get_contents( STDIN ), true ) as $c ) {{
    $out[] = LuxeBrain_Signer::headers( $c['secret'], $c['method'], $c['path_qs'],
        base64_decode( $c['body'] ), $c['timestamp'], $c['nonce'] );
}}
echo json_encode( $out );
"""

PATH_QS = r"/v1/[a-z/]{0,20}(\?[a-z_]{1,8}=[0-9%C,]{0,12})?"
cases = st.fixed_dictionaries(
    {
        "secret": st.text(min_size=1, max_size=40).filter(lambda s: "\x00" not in s),
        "method": st.sampled_from(["GET", "POST", "get"]),
        "path_qs": st.from_regex(PATH_QS, fullmatch=True),
        "body": st.binary(max_size=200),
        "timestamp": st.integers(min_value=0, max_value=2**33),
        "nonce": st.binary(min_size=16, max_size=32).map(bytes.hex),
    }
)


def _php_headers(php: str, batch: list[dict]) -> list[dict[str, str]]:
    payload = [{**c, "body": base64.b64encode(c["body"]).decode()} for c in batch]
    done = subprocess.run(
        [php, "-r", RUNNER], input=json.dumps(payload), capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@settings(max_examples=5, deadline=None)
@given(batch=st.lists(cases, min_size=1, max_size=40))
def test_php_and_python_sign_identically(php: str, batch: list[dict]) -> None:
    expected = [
        sign_headers(
            c["secret"], c["method"], c["path_qs"], c["body"],
            timestamp=c["timestamp"], nonce=c["nonce"],
        )
        for c in batch
    ]
    assert _php_headers(php, batch) == expected
