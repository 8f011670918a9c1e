"""Choose the text encoding of an input file before it is read.

UTF-8 is read with or without a byte order mark, and UTF-16 when the file starts with its
byte order mark (Excel's "Unicode Text"). A file that is not valid UTF-8 is read as
Windows-1252, the encoding Excel on Windows writes CSV files in, or as Latin-1 when it
contains one of the five bytes that Windows-1252 leaves undefined. The choice is logged as a
warning that names the file and the first byte that is not UTF-8.
"""

from __future__ import annotations

import codecs
import logging
import re
from pathlib import Path
from typing import IO, BinaryIO

import attrs

from ..errors import InvalidInputError

__all__ = ["Decoding", "choose_encoding", "open_binary", "open_text"]

logger = logging.getLogger("tracksync.sources")

_CHUNK_SIZE = 1 << 20

#: Bytes that Windows-1252 does not define; a file containing one is read as Latin-1.
_UNDEFINED_IN_CP1252 = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


@attrs.frozen
class Decoding:
    """The encoding to open a file with, and the warning to show about it."""

    #: A Python codec name, such as ``utf-8-sig`` or ``cp1252``.
    encoding: str
    warning: str | None = None
    #: Whether the file starts with a byte order mark.
    has_bom: bool = False


def choose_encoding(path: Path) -> Decoding:
    """Scan the file once and choose its encoding; warn when it is not UTF-8.

    Raises:
        InvalidInputError: the file cannot be read.
    """
    try:
        with path.open("rb") as file:
            head = file.read(4)
            if head.startswith(codecs.BOM_UTF8):
                return _scan_utf8(file, path, start=len(codecs.BOM_UTF8), has_bom=True)
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                return Decoding("utf-16", has_bom=True)
            return _scan_utf8(file, path, start=0, has_bom=False)
    except OSError as exc:
        raise InvalidInputError(f"Cannot read {path}: {exc.strerror or exc}.") from exc


def _scan_utf8(file: BinaryIO, path: Path, *, start: int, has_bom: bool) -> Decoding:
    file.seek(start)
    decoder = codecs.getincrementaldecoder("utf-8")()
    newlines = 0
    while True:
        chunk = file.read(_CHUNK_SIZE)
        try:
            decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            # exc.object is the chunk behind at most three bytes of an unfinished
            # character from the previous chunk, and those hold no newline.
            line = newlines + exc.object[: exc.start].count(b"\n") + 1
            return _not_utf8(file, path, start=start, line=line, byte=exc.object[exc.start])
        if not chunk:
            return Decoding("utf-8-sig" if has_bom else "utf-8", has_bom=has_bom)
        newlines += chunk.count(b"\n")


def _not_utf8(file: BinaryIO, path: Path, *, start: int, line: int, byte: int) -> Decoding:
    encoding, label = "cp1252", "Windows-1252, the encoding Excel uses on Windows"
    file.seek(start)
    while chunk := file.read(_CHUNK_SIZE):
        if _UNDEFINED_IN_CP1252.search(chunk):
            encoding, label = "latin-1", "Latin-1"
            break
    warning = (
        f"{path} is not UTF-8: line {line} contains the byte 0x{byte:02X}, so tracksync "
        f"reads the file as {label}. Save the file as UTF-8 to be sure of its characters."
    )
    logger.warning("%s", warning)
    return Decoding(encoding, warning=warning)


def open_text(path: Path, decoding: Decoding) -> IO[str]:
    try:
        return path.open(encoding=decoding.encoding, errors="replace", newline="")
    except OSError as exc:
        raise InvalidInputError(f"Cannot read {path}: {exc.strerror or exc}.") from exc


def open_binary(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except OSError as exc:
        raise InvalidInputError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
