"""A one-line progress display on stderr while ``sync`` runs on a terminal."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable

from .._plan import Outcome, Result

__all__ = ["Progress"]

_WRITES = frozenset({Outcome.ADDED, Outcome.UPDATED, Outcome.CANCELLED})


class Progress:
    """Rows done, writes, failures and the current rate, redrawn at most five times a second.

    Shows nothing when ``enabled`` is false: when stderr is not a terminal or with --quiet.
    """

    def __init__(self, *, enabled: bool, dry_run: bool) -> None:
        self._enabled = enabled
        self._written_word = "to write" if dry_run else "written"
        self._started = time.monotonic()
        self._drawn = 0.0
        self._rows = 0
        self._writes = 0
        self._failed = 0

    def update(self, results: Iterable[Result]) -> None:
        """Count a chunk's results and redraw the line when enough time has passed."""
        for result in results:
            self._rows += 1
            if result.outcome in _WRITES:
                self._writes += 1
            elif result.outcome is Outcome.FAILED:
                self._failed += 1
        now = time.monotonic()
        if self._enabled and now - self._drawn >= 0.2:
            self._drawn = now
            rate = self._rows / max(now - self._started, 1e-9)
            sys.stderr.write(
                f"\r{self._rows} rows planned, {self._writes} {self._written_word}, "
                f"{self._failed} failed, {rate:.0f} rows/s "
            )
            sys.stderr.flush()

    def hide(self) -> None:
        """Clear the line, so that report lines written next start on a clean one."""
        if self._enabled and self._drawn:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
