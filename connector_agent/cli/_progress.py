"""Backfill progress on stderr: one rich bar per resource phase (used by ``sync`` and ``demo``)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


def page_progress(console: Console) -> Progress:
    """A progress display for sync passes."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


class PageBars:
    """The ``on_page(resource, phase, done, total)`` hook of a Syncer, drawn as bars."""

    def __init__(self, progress: Progress, prefix: str = "") -> None:
        self.progress = progress
        self.prefix = prefix
        self.tasks: dict[tuple[str, str], Any] = {}

    def __call__(self, resource: str, phase: str, done: int, total: int | None) -> None:
        key = (resource, phase)
        if key not in self.tasks:
            label = resource if phase == "live" else f"{resource} ({phase})"
            self.tasks[key] = self.progress.add_task(self.prefix + label, total=total)
        self.progress.update(self.tasks[key], completed=done, total=max(total or 0, done))
