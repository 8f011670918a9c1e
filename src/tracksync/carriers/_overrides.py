"""The shop's own carrier mapping, applied before the built-in rules.

An overrides file maps the names a shop uses to a registry id (``royal-mail``), a PayPal
code (``ROYAL_MAIL``) or ``OTHER``, which keeps a name from matching any carrier. Two
formats are read, chosen by the file's extension:

``.csv``: a header row ``name,carrier`` and one mapping per row. Blank rows and rows
whose first cell starts with ``#`` are skipped.

``.json``: one object whose keys are names and whose values are targets.

Names match like carrier aliases: case, accents, punctuation and spacing are ignored.
"""

from __future__ import annotations

import csv
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from ..errors import ConfigurationError
from ._registry import OTHER, Carrier, carrier_for_paypal_code, registry
from ._text import match_key

__all__ = ["Overrides", "load_overrides"]

_CODE = re.compile(r"[0-9A-Z_]+")
_FIX = (
    "Use a registry id such as 'royal-mail' (see tracksync.carriers.all_carriers()), a code "
    "from PayPal's carrier lists such as 'ROYAL_MAIL', or OTHER."
)


class Overrides:
    """A validated mapping from the shop's carrier names to carriers.

    Raises:
        ConfigurationError: a name or target is empty, a target is neither a registry id
            nor a PayPal code nor OTHER, or two entries give the same name different
            targets. The message names the entry and the fix.
    """

    def __init__(self, mapping: Mapping[str, str]) -> None:
        entries = (("Overrides", name, target) for name, target in mapping.items())
        self._targets = _validated(entries)

    @classmethod
    def _from_entries(cls, entries: Iterable[tuple[str, str, str]]) -> Overrides:
        overrides = cls({})
        overrides._targets = _validated(entries)
        return overrides

    def __len__(self) -> int:
        return len(self._targets)

    def __repr__(self) -> str:
        return f"Overrides({len(self._targets)} entries)"

    def target(self, name: str) -> str | None:
        """Return the registry id, PayPal code or OTHER that a name maps to, or None."""
        return self._targets.get(match_key(name))

    def carrier(self, name: str) -> Carrier | None:
        """Return the registry carrier that a name maps to, or None."""
        target = self.target(name)
        if target is None:
            return None
        carrier = registry().carriers.get(target)
        return carrier if carrier is not None else carrier_for_paypal_code(target)


def _validated(entries: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    targets: dict[str, str] = {}
    first_entries: dict[str, str] = {}
    for place, name, target in entries:
        name, target = name.strip(), target.strip()
        if not name:
            raise ConfigurationError(f"{place}: an entry has an empty name; give the name to map.")
        if not target:
            raise ConfigurationError(f"{place}: {name!r} maps to nothing. {_FIX}")
        _check_target(place, name, target)
        key = match_key(name)
        known = targets.setdefault(key, target)
        first_entries.setdefault(key, f"{place}: {name!r}")
        if known != target:
            raise ConfigurationError(
                f"{place}: {name!r} maps to {target!r}, but {first_entries[key]} maps to "
                f"{known!r}, and both names match alike. Keep one of them."
            )
    return targets


def _check_target(place: str, name: str, target: str) -> None:
    reg = registry()
    if target in reg.carriers or target == OTHER:
        return
    if _CODE.fullmatch(target):
        if target in reg.codes["v1"] or target in reg.codes["orders_v2"]:
            return
        raise ConfigurationError(
            f"{place}: {name!r} maps to {target!r}, which is in neither of PayPal's carrier "
            f"code lists. {_FIX}"
        )
    hint = ""
    carrier_id = reg.names.get(match_key(target))
    if carrier_id is not None:
        hint = f" Did you mean the id {carrier_id!r}?"
    raise ConfigurationError(
        f"{place}: {name!r} maps to {target!r}, which is not a registry id or a PayPal code.{hint} "
        f"{_FIX}"
    )


def load_overrides(path: str | os.PathLike[str]) -> Overrides:
    """Read an overrides file: CSV with a ``name,carrier`` header, or a JSON object.

    Raises:
        ConfigurationError: the file is missing or unreadable, its extension is neither
            .csv nor .json, its layout is wrong, or an entry is invalid. The message names
            the file, the line or key, and the fix.
    """
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix not in {".csv", ".json"}:
        raise ConfigurationError(
            f"Overrides file {file} has the extension {suffix or '(none)'}; use .csv with a "
            "'name,carrier' header or .json with one object of names to carriers."
        )
    try:
        text = file.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigurationError(f"Overrides file {file} was not found.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(f"Overrides file {file} could not be read: {exc}") from exc
    entries = _csv_entries(file, text) if suffix == ".csv" else _json_entries(file, text)
    return Overrides._from_entries(entries)


def _csv_entries(file: Path, text: str) -> list[tuple[str, str, str]]:
    rows = csv.reader(text.splitlines())
    header = next(rows, None)
    if header is None or [cell.strip().lower() for cell in header] != ["name", "carrier"]:
        raise ConfigurationError(
            f"Overrides file {file} must start with the header row 'name,carrier', "
            f"not {','.join(header or [])!r}."
        )
    entries = []
    for line_number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row) or row[0].strip().startswith("#"):
            continue
        if len(row) != 2:
            raise ConfigurationError(
                f"Overrides file {file}, line {line_number}: the row has {len(row)} cells; give "
                "exactly two, the name and the carrier, and quote names that contain commas."
            )
        entries.append((f"Overrides file {file}, line {line_number}", row[0], row[1]))
    return entries


def _json_entries(file: Path, text: str) -> list[tuple[str, str, str]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigurationError(f"Overrides file {file} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigurationError(
            f"Overrides file {file} must hold one JSON object of names to carriers, "
            f"not a {type(data).__name__}."
        )
    entries = []
    for name, target in data.items():
        if not isinstance(target, str):
            raise ConfigurationError(
                f"Overrides file {file}: {name!r} maps to {target!r}; give a string, which is "
                "a registry id, a PayPal code or OTHER."
            )
        entries.append((f"Overrides file {file}", name, target))
    return entries
