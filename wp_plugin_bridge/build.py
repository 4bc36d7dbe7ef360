"""Build the installable plugin zip: ``luxebrain/luxebrain.php`` and friends plus a generated .pot.

The zip is reproducible (sorted entries, fixed timestamps) so two builds of the same source are
byte-identical and can be compared or cached.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from wp_plugin_bridge.pot import pot_for

PLUGIN_DIR = Path(__file__).parent / "plugin" / "luxebrain"
ZIP_NAME = "luxebrain.zip"
_FIXED_TIME = (2024, 1, 1, 0, 0, 0)
_VERSION = re.compile(r"^\s*\*\s*Version:\s*(\S+)", re.M)


def plugin_version(plugin_dir: Path = PLUGIN_DIR) -> str:
    """The version from the main file's plugin header."""
    match = _VERSION.search((plugin_dir / "luxebrain.php").read_text(encoding="utf-8"))
    if not match:
        raise ValueError(f"{plugin_dir / 'luxebrain.php'}: no 'Version:' in the plugin header")
    return match.group(1)


def _entry(name: str, data: bytes, zf: zipfile.ZipFile) -> None:
    info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data)


def build_zip(out_dir: str | Path, plugin_dir: Path = PLUGIN_DIR) -> Path:
    """Write ``out_dir/luxebrain.zip`` (creating ``out_dir``) and return its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    target = out / ZIP_NAME
    files = sorted(p for p in plugin_dir.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    pot = pot_for(plugin_dir, version=plugin_version(plugin_dir)).encode()
    partial = target.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w") as zf:
        for path in files:
            _entry(f"luxebrain/{path.relative_to(plugin_dir).as_posix()}", path.read_bytes(), zf)
        _entry("luxebrain/languages/luxebrain.pot", pot, zf)
    partial.replace(target)
    return target
