"""Read the items of a JSON array one at a time, with the line each item starts on.

The array is the whole document (``[...]``) or the value of a known key of a top-level
object (``{"shipments": [...], "page": 1}``). Only one item is decoded and held at a time,
so a file of any number of items is read in the memory of its largest item.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from typing import IO

import attrs

from ..errors import InvalidInputError
from ._records import RowError, place

__all__ = [
    "MAX_ITEM_LENGTH",
    "JsonItem",
    "JsonItems",
    "JsonSyntaxError",
    "items_or_error",
    "pointer_part",
]

_CHUNK_SIZE = 1 << 16

#: Longest JSON item that tracksync reads, in characters. An item that is still
#: incomplete after this many characters is reported as invalid.
MAX_ITEM_LENGTH = 1 << 24

_WHITESPACE = " \t\n\r"


class JsonSyntaxError(Exception):
    """The JSON text is invalid at ``line``; nothing after it can be read."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


@attrs.frozen
class JsonItem:
    """One item of the array, decoded."""

    index: int
    #: The line the item starts on.
    line: int
    #: The item's JSON Pointer (RFC 6901), such as ``/shipments/3``.
    pointer: str
    value: object


def pointer_part(key: str) -> str:
    """Escape one key for a JSON Pointer: ``~`` becomes ``~0`` and ``/`` becomes ``~1``."""
    return key.replace("~", "~0").replace("/", "~1")


class _Text:
    """A window on the file's text, with the line number of the read position."""

    def __init__(self, file: IO[str]) -> None:
        self._file = file
        self._decoder = json.JSONDecoder()
        self.text = ""
        self.pos = 0
        self.eof = False
        self._counted_to = 0
        self._line_at_counted = 1

    def line(self) -> int:
        """Return the line of the read position."""
        self._line_at_counted += self.text.count("\n", self._counted_to, self.pos)
        self._counted_to = self.pos
        return self._line_at_counted

    def line_at(self, index: int) -> int:
        return self.line() + self.text.count("\n", self.pos, max(index, self.pos))

    def _read_more(self, size: int) -> bool:
        if self.eof:
            return False
        data = self._file.read(size)
        if not data:
            self.eof = True
            return False
        self.line()
        self.text = self.text[self.pos :] + data
        self._counted_to = 0
        self.pos = 0
        return True

    def peek(self) -> str | None:
        """Skip white space and return the next character, or None at the end."""
        while True:
            while self.pos < len(self.text) and self.text[self.pos] in _WHITESPACE:
                self.pos += 1
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self._read_more(_CHUNK_SIZE):
                return None

    def expect(self, allowed: str) -> str:
        char = self.peek()
        if char is None or char not in allowed:
            found = "the end of the file" if char is None else repr(char)
            expected = " or ".join(repr(option) for option in allowed)
            raise JsonSyntaxError(self.line(), f"expected {expected}, found {found}")
        self.pos += 1
        return char

    def decode(self) -> object:
        """Decode the value at the read position, reading more text until it is complete."""
        self.peek()
        while True:
            try:
                value, end = self._decoder.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                if self.eof or len(self.text) - self.pos > MAX_ITEM_LENGTH:
                    raise JsonSyntaxError(self.line_at(exc.pos), exc.msg) from None
            except ValueError as exc:
                # Python 3.11 and later reject integers of more than 4,300 digits.
                raise JsonSyntaxError(self.line(), str(exc)) from None
            except RecursionError:
                raise JsonSyntaxError(self.line(), "arrays or objects nested too deep") from None
            else:
                # A number at the end of the window may continue in the next chunk.
                if end < len(self.text) or self.eof:
                    self.pos = end
                    return value
            # Read as much again as is waiting, so a long item is decoded a few times only.
            self._read_more(max(_CHUNK_SIZE, len(self.text) - self.pos))


class JsonItems:
    """The items of a JSON file's array, read one at a time.

    Raises:
        InvalidInputError: the file is empty, or is neither an array nor an object with
            one of ``keys`` holding an array.
        JsonSyntaxError: the text before the array is invalid.
    """

    def __init__(self, file: IO[str], *, name: str, keys: Collection[str]) -> None:
        self.name = name
        self._text = _Text(file)
        #: The key of the top-level object that contains the array; None for an array.
        self.key: str | None = None
        self._open(keys)

    def _open(self, keys: Collection[str]) -> None:
        first = self._text.peek()
        if first is None:
            raise InvalidInputError(f"{self.name} is empty; it needs a JSON array of items.")
        if first == "[":
            self._text.pos += 1
            return
        if first != "{":
            raise InvalidInputError(
                f"{self.name} is not a JSON array or object; it starts with {first!r}."
            )
        self._text.pos += 1
        self.key = self._find_key(keys)

    def _find_key(self, keys: Collection[str]) -> str:
        while self._text.peek() == '"':
            key = self._text.decode()
            self._text.expect(":")
            if key in keys and self._text.peek() == "[":
                self._text.pos += 1
                return str(key)
            self._text.decode()
            if self._text.expect(",}") == "}":
                break
        listed = ", ".join(repr(key) for key in sorted(keys))
        raise InvalidInputError(
            f"{self.name} is a JSON object without a list under any of the keys {listed}; "
            "give the list of items under one of them, or the list alone."
        )

    def __iter__(self) -> Iterator[JsonItem]:
        """Yield the items in order.

        Raises:
            JsonSyntaxError: the text is invalid; the items before it were yielded.
        """
        prefix = "" if self.key is None else "/" + pointer_part(self.key)
        if self._text.peek() == "]":
            self._text.pos += 1
            return
        index = 0
        while True:
            self._text.peek()
            line = self._text.line()
            value = self._text.decode()
            yield JsonItem(index, line, f"{prefix}/{index}", value)
            index += 1
            if self._text.expect(",]") == "]":
                return


def items_or_error(items: JsonItems) -> Iterator[JsonItem | RowError]:
    """Yield the items, and a RowError in place of the rest of the file if it is invalid."""
    try:
        yield from items
    except JsonSyntaxError as exc:
        yield RowError(
            line=exc.line,
            message=(
                f"{place(exc.line)}: the JSON is invalid ({exc.reason}), so the rest of the "
                "file was not read; correct the file and run again."
            ),
            rows=0,
        )
