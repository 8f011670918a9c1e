"""Decode values in PHP's serialize() format, as WordPress stores array meta values.

Only the scalar types and arrays are read. Objects and references are rejected, so
decoding a value never does more than build lists, dicts and scalars.
"""

from __future__ import annotations

import re

__all__ = ["PhpFormatError", "looks_serialized", "unserialize"]

_MAX_DEPTH = 32
_SERIALIZED = re.compile(r"^(?:a:\d+:\{|s:\d+:\"|i:-?\d+;|b:[01];|d:[^;]+;|N;)")
_NUMBER = re.compile(rb"-?\d+")


class PhpFormatError(ValueError):
    """The text is not a value in PHP's serialize() format that tracksync reads."""


def looks_serialized(text: str) -> bool:
    """Return whether the text starts like a serialized PHP value."""
    return _SERIALIZED.match(text.strip()) is not None


def unserialize(text: str) -> object:
    """Decode a serialized PHP value; arrays with keys 0..n-1 become lists, others dicts.

    Raises:
        PhpFormatError: the text is not a complete serialized value of the types read.
    """
    data = text.strip().encode("utf-8")
    value, end = _Decoder(data).value(0, depth=0)
    if end != len(data):
        raise PhpFormatError(f"unexpected text after the value at byte {end}")
    return value


class _Decoder:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def value(self, pos: int, *, depth: int) -> tuple[object, int]:
        if depth > _MAX_DEPTH:
            raise PhpFormatError(f"arrays are nested more than {_MAX_DEPTH} deep")
        kind = self.data[pos : pos + 2]
        if kind == b"N;":
            return None, pos + 2
        if kind == b"b:":
            flag, pos = self._until(pos + 2, b";")
            if flag not in (b"0", b"1"):
                raise PhpFormatError(f"invalid boolean {flag!r}")
            return flag == b"1", pos
        if kind == b"i:":
            number, pos = self._until(pos + 2, b";")
            if not _NUMBER.fullmatch(number):
                raise PhpFormatError(f"invalid integer {number!r}")
            return int(number), pos
        if kind == b"d:":
            number, pos = self._until(pos + 2, b";")
            try:
                return float(number), pos
            except ValueError:
                raise PhpFormatError(f"invalid number {number!r}") from None
        if kind == b"s:":
            return self._string(pos + 2)
        if kind == b"a:":
            return self._array(pos + 2, depth=depth)
        raise PhpFormatError(f"unsupported value {self.data[pos : pos + 2]!r} at byte {pos}")

    def _until(self, pos: int, end: bytes) -> tuple[bytes, int]:
        stop = self.data.find(end, pos)
        if stop < 0:
            raise PhpFormatError(f"missing {end.decode()!r} after byte {pos}")
        return self.data[pos:stop], stop + len(end)

    def _length(self, pos: int) -> tuple[int, int]:
        digits, pos = self._until(pos, b":")
        if not digits.isdigit():
            raise PhpFormatError(f"invalid length {digits!r}")
        return int(digits), pos

    def _string(self, pos: int) -> tuple[str, int]:
        length, pos = self._length(pos)
        # PHP counts the length in bytes, and the quotes are not escaped.
        closing = self.data[pos + 1 + length : pos + 3 + length]
        if self.data[pos : pos + 1] != b'"' or closing != b'";':
            raise PhpFormatError(f"string of {length} bytes at byte {pos} is not closed")
        raw = self.data[pos + 1 : pos + 1 + length]
        return raw.decode("utf-8", errors="replace"), pos + 3 + length

    def _array(self, pos: int, *, depth: int) -> tuple[object, int]:
        count, pos = self._length(pos)
        if self.data[pos : pos + 1] != b"{":
            raise PhpFormatError(f"array at byte {pos} does not open with '{{'")
        pos += 1
        entries: dict[object, object] = {}
        for _ in range(count):
            key, pos = self.value(pos, depth=depth + 1)
            if not isinstance(key, (int, str)) or isinstance(key, bool):
                raise PhpFormatError(f"array key {key!r} is not an integer or a string")
            entries[key], pos = self.value(pos, depth=depth + 1)
        if self.data[pos : pos + 1] != b"}":
            raise PhpFormatError(f"array at byte {pos} does not close with '}}'")
        if list(entries) == list(range(len(entries))):
            return list(entries.values()), pos + 1
        return {str(key): value for key, value in entries.items()}, pos + 1
