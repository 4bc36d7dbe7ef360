"""Extract the plugin's translatable strings into ``languages/luxebrain.pot``.

WordPress plugins ship a ``.pot`` so translators can start; WP-CLI's ``i18n make-pot`` is not
available where the agent runs, so the zip builder generates it with this small extractor. It
knows exactly the gettext calls the plugin uses (single-string ones with the ``luxebrain``
domain) and fails loudly on any other call, so a new string cannot silently go missing.

>>> messages(["<?php esc_html__( 'Hello', 'luxebrain' );"])
[Message(text='Hello', references=('<string>:1',), comments=(), context=None)]
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

TEXT_DOMAIN = "luxebrain"
_FUNCTIONS = r"(?:esc_html__|esc_attr__|esc_html_e|esc_attr_e|__|_e)"
_STRING = r"""(?P<q>['"])(?P<text>(?:\\.|(?!(?P=q)).)*)(?P=q)"""
_CALL = re.compile(
    rf"(?<![\w$>]){_FUNCTIONS}\(\s*{_STRING}\s*(?:,\s*(?P<domain>[^)]*?)\s*)?\)", re.S
)
_TRANSLATORS = re.compile(r"/\*\s*(translators:.*?)\s*\*/", re.S)


class PotError(ValueError):
    """A gettext call the extractor cannot place in the .pot (wrong or missing text domain)."""


#: block.json fields WordPress translates, with the msgctxt its own extractor gives them.
BLOCK_FIELDS = {"title": "block title", "description": "block description"}


@dataclass(frozen=True)
class Message:
    """One msgid (with its msgctxt, if any), where it is used and its translator comments."""

    text: str
    references: tuple[str, ...]
    comments: tuple[str, ...]
    context: str | None = None


def _unquote(quote: str, raw: str) -> str:
    if quote == "'":
        return raw.replace("\\'", "'").replace("\\\\", "\\")
    return raw.encode().decode("unicode_escape") if "\\" in raw else raw


def messages(sources: Iterable[str], names: Iterable[str] | None = None) -> list[Message]:
    """Messages in source order, merged by text."""
    found: dict[str, Message] = {}
    name_list = list(names) if names is not None else None
    for index, source in enumerate(sources):
        name = name_list[index] if name_list is not None else "<string>"
        comments = {
            source.count("\n", 0, m.end()) + 1: m.group(1) for m in _TRANSLATORS.finditer(source)
        }
        for call in _CALL.finditer(source):
            line = source.count("\n", 0, call.start()) + 1
            domain = (call.group("domain") or "").strip("'\" ")
            if domain != TEXT_DOMAIN:
                raise PotError(f"{name}:{line}: gettext call without the {TEXT_DOMAIN!r} domain")
            text = _unquote(call.group("q"), call.group("text"))
            comment = comments.get(line) or comments.get(line - 1)
            old = found.get(text, Message(text, (), ()))
            reference = f"{name}:{line}"
            found[text] = Message(
                text,
                old.references + ((reference,) if reference not in old.references else ()),
                old.comments + ((comment,) if comment and comment not in old.comments else ()),
            )
    return list(found.values())


def block_messages(block_json: str, name: str) -> list[Message]:
    """The translatable fields of a block.json (its ``textdomain`` must be ours)."""
    block = json.loads(block_json)
    if block.get("textdomain") != TEXT_DOMAIN:
        raise PotError(f"{name}: textdomain must be {TEXT_DOMAIN!r}")
    return [
        Message(block[field], (name,), (), context)
        for field, context in BLOCK_FIELDS.items()
        if block.get(field)
    ]


def _quote(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def render(found: Iterable[Message], *, version: str) -> str:
    """The .pot text (no creation date, so builds are reproducible)."""
    lines = [
        f"# Translation template for the LuxeBrain plugin {version}.",
        'msgid ""',
        'msgstr ""',
        f'"Project-Id-Version: LuxeBrain {version}\\n"',
        '"MIME-Version: 1.0\\n"',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        '"Content-Transfer-Encoding: 8bit\\n"',
        f'"X-Domain: {TEXT_DOMAIN}\\n"',
        "",
    ]
    for message in found:
        lines += [f"#. {comment}" for comment in message.comments]
        lines.append("#: " + " ".join(message.references))
        if message.context:
            lines.append(f"msgctxt {_quote(message.context)}")
        lines += [f"msgid {_quote(message.text)}", 'msgstr ""', ""]
    return "\n".join(lines)


def pot_for(plugin_dir: Path, *, version: str) -> str:
    """Extract every .php and .js file and every block.json under the plugin directory."""
    files = sorted(p for p in plugin_dir.rglob("*") if p.suffix in {".php", ".js"})
    names = [str(p.relative_to(plugin_dir)) for p in files]
    found = messages((p.read_text(encoding="utf-8") for p in files), names)
    for block in sorted(plugin_dir.rglob("block.json")):
        name = str(block.relative_to(plugin_dir))
        found += block_messages(block.read_text(encoding="utf-8"), name)
    return render(found, version=version)
