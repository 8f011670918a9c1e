"""The cattrs converter for tracksync's data at its boundaries (JSON files and reports)."""

from __future__ import annotations

import datetime

import cattrs

__all__ = ["converter"]

converter = cattrs.Converter(forbid_extra_keys=True)

converter.register_unstructure_hook(datetime.date, lambda value: value.isoformat())
converter.register_structure_hook(
    datetime.date, lambda value, _: datetime.date.fromisoformat(value)
)
