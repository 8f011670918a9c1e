"""Read the item elements of an XML file one at a time, with the line each starts on.

The file is one item element (``<ShipNotice>``) or a root element of any name whose
children are item elements. Each item becomes a dict of its child elements: an element
with children becomes a dict, an element without becomes its stripped text, and a name
that repeats becomes a list. Attributes are not read. Documents with a DOCTYPE are
rejected, so no entity is ever expanded.
"""

from __future__ import annotations

import collections
import re
import xml.parsers.expat
from collections.abc import Iterator
from typing import BinaryIO

import attrs

from ..errors import InvalidInputError
from ._records import RowError, place

__all__ = ["XmlItem", "XmlItems", "XmlSyntaxError", "declared_encoding", "items_or_error"]

_CHUNK_SIZE = 1 << 16
#: Deepest element nesting read; a ShipNotice nests three levels.
_MAX_DEPTH = 32
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\bencoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


class XmlSyntaxError(Exception):
    """The XML is not well-formed at ``line``; nothing after it can be read."""

    def __init__(self, line: int, reason: str, *, rejected: bool = False) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason
        #: Whether the XML is well-formed but uses a construct that tracksync rejects.
        self.rejected = rejected


class _Rejected(Exception):
    """A construct that tracksync does not read, such as a DOCTYPE."""


@attrs.frozen
class XmlItem:
    """One child of the root element (or the root element itself), as a dict."""

    tag: str
    #: The line of the element's start tag.
    line: int
    #: The element's XPath, such as ``/ShipNotices/ShipNotice[2]``.
    path: str
    value: dict[str, object]


@attrs.define
class _Node:
    tag: str
    children: dict[str, object] = attrs.field(factory=dict)
    text: list[str] = attrs.field(factory=list)

    def value(self) -> object:
        if self.children:
            return self.children
        return "".join(self.text).strip()


def declared_encoding(head: bytes) -> str | None:
    """Return the encoding that an XML declaration at the start of ``head`` names."""
    match = _DECLARATION.match(head)
    return match.group(1).decode("ascii") if match else None


class XmlItems:
    """The item elements of an XML file, read one at a time.

    ``encoding`` overrides the document's own, for files that are not UTF-8 and do not
    declare their encoding.

    Raises:
        InvalidInputError: the file is empty, has a DOCTYPE, or is not well-formed before
            its root element.
    """

    def __init__(
        self, file: BinaryIO, *, name: str, item_tag: str, encoding: str | None = None
    ) -> None:
        self.name = name
        self.item_tag = item_tag
        self._file = file
        self._parser = xml.parsers.expat.ParserCreate(encoding=encoding)
        self._parser.buffer_text = True
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._parser.CharacterDataHandler = self._characters
        self._parser.StartDoctypeDeclHandler = self._reject_doctype
        self._parser.EntityDeclHandler = self._reject_entity
        self._ready: collections.deque[XmlItem] = collections.deque()
        self._depth = 0
        self._item_depth = 1
        self._nodes: list[_Node] = []
        self._item_line = 0
        self._counts: collections.Counter[str] = collections.Counter()
        self._done = False
        self._pending: XmlSyntaxError | None = None
        #: The root element's name; None until it has been read.
        self.root: str | None = None
        #: The name of the root's first child element, once read.
        self.first_child: str | None = None
        self._read_to_root()

    def _read_to_root(self) -> None:
        try:
            while self.root is None or (self.first_child is None and not self._done):
                if not self._feed():
                    break
        except XmlSyntaxError as exc:
            if self.root is not None:
                # Raised while iterating, after the items before the error.
                self._pending = exc
            elif exc.rejected:
                raise InvalidInputError(f"{self.name} {exc.reason}") from None
            else:
                raise InvalidInputError(
                    f"{self.name} is not well-formed XML at line {exc.line}: {exc.reason}."
                ) from None
        if self.root is None:
            raise InvalidInputError(f"{self.name} contains no XML element.")

    def _feed(self) -> bool:
        if self._done:
            return False
        chunk = self._file.read(_CHUNK_SIZE)
        try:
            self._parser.Parse(chunk, not chunk)
        except xml.parsers.expat.ExpatError as exc:
            self._done = True
            raise XmlSyntaxError(exc.lineno, xml.parsers.expat.errors.messages[exc.code]) from None
        except _Rejected as exc:
            self._done = True
            raise XmlSyntaxError(self._parser.CurrentLineNumber, str(exc), rejected=True) from None
        if not chunk:
            self._done = True
        return True

    def _reject_doctype(self, *args: object) -> None:
        raise _Rejected("has a DOCTYPE declaration, which tracksync does not read; remove it.")

    def _reject_entity(self, *args: object) -> None:
        raise _Rejected("declares an XML entity, which tracksync does not read; remove it.")

    def _start(self, tag: str, attributes: dict[str, str]) -> None:
        self._depth += 1
        if self._depth > _MAX_DEPTH:
            raise _Rejected(f"the elements are nested more than {_MAX_DEPTH} deep")
        if self.root is None:
            self.root = tag
            self._item_depth = 1 if tag == self.item_tag else 2
        elif self._depth == 2 and self.first_child is None:
            self.first_child = tag
        if self._depth == self._item_depth:
            self._item_line = self._parser.CurrentLineNumber
            self._nodes = []
        if self._depth >= self._item_depth:
            self._nodes.append(_Node(tag))

    def _end(self, tag: str) -> None:
        depth = self._depth
        self._depth -= 1
        if depth < self._item_depth:
            return
        node = self._nodes.pop()
        if depth > self._item_depth:
            _attach(self._nodes[-1].children, node.tag, node.value())
            return
        self._counts[tag] += 1
        # XPath counts an element among its same-named siblings, from 1.
        path = f"/{tag}" if self._item_depth == 1 else f"/{self.root}/{tag}[{self._counts[tag]}]"
        self._ready.append(XmlItem(tag, self._item_line, path, node.children))

    def _characters(self, data: str) -> None:
        if self._nodes:
            self._nodes[-1].text.append(data)

    def __iter__(self) -> Iterator[XmlItem]:
        """Yield the items in order.

        Raises:
            XmlSyntaxError: the XML is not well-formed; the items before it were yielded.
        """
        while True:
            while self._ready:
                yield self._ready.popleft()
            if self._pending is not None:
                raise self._pending
            try:
                more = self._feed()
            except XmlSyntaxError:
                # The items completed before the error in the same chunk still count.
                while self._ready:
                    yield self._ready.popleft()
                raise
            if not more:
                return


def _attach(children: dict[str, object], tag: str, value: object) -> None:
    if tag not in children:
        children[tag] = value
        return
    known = children[tag]
    # Element values are text or dicts, so a list is always a repeated name's values.
    if isinstance(known, list):
        known.append(value)
    else:
        children[tag] = [known, value]


def items_or_error(items: XmlItems) -> Iterator[XmlItem | RowError]:
    """Yield the items, and a RowError in place of the rest of the file if it is invalid."""
    try:
        yield from items
    except XmlSyntaxError as exc:
        problem = exc.reason if exc.rejected else f"the XML is not well-formed ({exc.reason})"
        yield RowError(
            line=exc.line,
            message=(
                f"{place(exc.line)}: {problem}, so the rest of the file was not read; correct "
                "the file and run again."
            ),
            rows=0,
        )
