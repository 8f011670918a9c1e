"""Read a CSV file one record at a time, with the line each record starts on.

Excel's habits are handled here: a ``sep=;`` first line, ``;`` or tab separators (from
European Excel and Excel's "Unicode Text"), CRLF line ends, quoted cells that span lines,
and empty columns after the last named one. A record that the ``csv`` module cannot read
(a field over its field size limit, or a NUL byte on Python 3.10) is reported as a row
error, and reading goes on after the record.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from typing import IO

import attrs

from ..errors import InvalidInputError
from ._records import RowError, place, shorten

__all__ = [
    "MAX_FIELD_LENGTH",
    "CsvRow",
    "CsvTable",
    "RowInvalid",
    "check_row",
    "compact_key",
    "plain_key",
]

#: Maximum length of a field that tracksync reads: 32,767 characters, the maximum an Excel
#: cell contains.
#: Longer fields are reported as row errors. The csv module's own limit (131,072
#: characters by default, see ``csv.field_size_limit``) stops longer ones while they are
#: being read, and is reported the same way.
MAX_FIELD_LENGTH = 32_767

_SEPARATOR_LINE = re.compile(r'^"?sep=(.)"?\s*$', re.IGNORECASE)
_DELIMITERS = (",", ";", "\t")


class RowInvalid(Exception):
    """A value of one row that cannot be used; the reader turns it into a RowError."""

    def __init__(
        self, column: str | None, value: str | None, message: str, *, rows: int = 1
    ) -> None:
        super().__init__(message)
        self.column = column
        self.value = value
        self.message = message
        self.rows = rows


def plain_key(name: str) -> str:
    """Return a header name in lower case without surrounding spaces or byte order mark."""
    return name.strip().lower().lstrip("\ufeff").strip()


def compact_key(name: str) -> str:
    """Return a header name with only its letters and digits, in lower case.

    ``Tracking Company``, ``tracking_company`` and ``TrackingCompany`` all become
    ``trackingcompany``.
    """
    return re.sub(r"[^0-9a-z]", "", name.lower())


@attrs.frozen
class CsvRow:
    """One record of a CSV file."""

    #: The line the record starts on, counting the header as line 1.
    line: int
    #: The values by column key; columns missing from a short row are absent.
    values: dict[str, str]
    #: The non-empty values beyond the header's columns, joined with the delimiter.
    extra: str | None = None


class _Lines:
    """The physical lines of a file, counted, with the lines and quotes of the record."""

    def __init__(self, file: IO[str]) -> None:
        self._file = file
        self._pushed: list[str] = []
        self.count = 0
        #: Lines and quote characters read since the current record started.
        self.record_lines = 0
        self.record_quotes = 0
        self.exhausted = False

    def start_record(self) -> None:
        self.record_lines = 0
        self.record_quotes = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if self._pushed:
            line = self._pushed.pop()
        else:
            line = self._file.readline()
            if not line:
                self.exhausted = True
                raise StopIteration
        self.count += 1
        self.record_lines += 1
        self.record_quotes += line.count('"')
        return line

    def push_back(self, line: str) -> None:
        self._pushed.append(line)
        self.count -= 1
        self.record_lines -= 1
        self.record_quotes -= line.count('"')


class CsvTable:
    """A CSV file's header, then its rows one at a time.

    Raises:
        InvalidInputError: the file is empty or its header repeats a column.
    """

    def __init__(self, file: IO[str], *, name: str, key: Callable[[str], str]) -> None:
        self.name = name
        self._lines = _Lines(file)
        self.delimiter = self._choose_delimiter()
        self._reader = csv.reader(self._lines, delimiter=self.delimiter)
        header = self._read_header()
        #: The header's names as written, without surrounding spaces.
        self.header = [column.strip().lstrip("\ufeff") for column in header]
        #: The header's names as the reader's ``key`` function gives them.
        self.columns = [key(column) for column in header]
        self.header_line = self._lines.count
        self._check_duplicates()

    def use_key(self, key: Callable[[str], str]) -> None:
        """Name the columns with another key function, such as :func:`compact_key`."""
        self.columns = [key(column) for column in self.header]
        self._check_duplicates()

    def _choose_delimiter(self) -> str:
        first = next(self._lines, None)
        if first is None:
            return ","
        declared = _SEPARATOR_LINE.match(first)
        if declared:
            # Excel writes and reads a first line "sep=;" that names the separator.
            return declared.group(1)
        self._lines.push_back(first)
        unquoted = re.sub(r'"[^"]*"', "", first)
        counts = {delimiter: unquoted.count(delimiter) for delimiter in _DELIMITERS}
        best = max(_DELIMITERS, key=lambda delimiter: counts[delimiter])
        return best if counts[best] > 0 else ","

    def _read_header(self) -> list[str]:
        for values in self._reader:
            if any(value.strip() for value in values):
                return values
        raise InvalidInputError(
            f"{self.name} is empty; it needs a header row and one row per package."
        )

    def _check_duplicates(self) -> None:
        seen: set[str] = set()
        repeated: set[str] = set()
        for column in self.columns:
            if column and column in seen:
                repeated.add(column)
            seen.add(column)
        if repeated:
            names = sorted(
                {
                    plain_key(raw)
                    for raw, column in zip(self.header, self.columns, strict=True)
                    if column in repeated
                }
            )
            raise InvalidInputError(
                f"{self.name} has the columns {names} more than once; keep one of each."
            )

    def rows(self) -> Iterator[CsvRow | RowError]:
        """Yield each non-blank record, or a RowError for one the csv module rejects."""
        while True:
            self._lines.start_record()
            start = self._lines.count + 1
            try:
                values = next(self._reader)
            except StopIteration:
                return
            except csv.Error as exc:
                self._skip_rest_of_record()
                yield self._unreadable(start, exc)
                continue
            if not any(value.strip() for value in values):
                continue
            if self._quote_left_open():
                yield self._unclosed_quote(start)
                continue
            yield self._as_row(start, values)

    def _as_row(self, line: int, values: list[str]) -> CsvRow:
        row = {
            column: value.strip()
            for column, value in zip(self.columns, values, strict=False)
            if column
        }
        surplus = [value for value in values[len(self.columns) :] if value.strip()]
        # Excel adds empty cells after the last column; only non-empty ones are extra.
        extra = self.delimiter.join(surplus) if surplus else None
        return CsvRow(line=line, values=row, extra=extra)

    def _skip_rest_of_record(self) -> None:
        """Skip the lines of a quoted value that was open when the csv module gave up."""
        while self._lines.record_quotes % 2 == 1:
            if next(self._lines, None) is None:
                return

    def _quote_left_open(self) -> bool:
        """Return whether the record ran to the end of the file inside a quoted value."""
        # A record of several lines that reaches the end of the file with an odd number
        # of quotes ended inside a quoted value.
        if self._lines.record_lines < 2 or not self._lines.exhausted:
            return False
        return self._lines.record_quotes % 2 == 1

    def _unreadable(self, line: int, exc: csv.Error) -> RowError:
        reason = str(exc)
        if "field larger than field limit" in reason:
            message = (
                f"{place(line)}: a field is longer than the {csv.field_size_limit():,} "
                "characters the csv module reads; check the quotes of this row, or put "
                "each value in its own cell."
            )
        else:
            message = f"{place(line)}: the row cannot be read as CSV ({reason}); correct it."
        return RowError(line=line, message=message)

    def _unclosed_quote(self, line: int) -> RowError:
        last = self._lines.count
        return RowError(
            line=line,
            message=(
                f"{place(line)}: a quoted value opened on this row is never closed, so lines "
                f"{line} to {last} were read as one row. Close the quote (a quote inside a "
                'quoted value is written "").'
            ),
        )


def check_row(row: CsvRow, *, delimiter: str) -> None:
    """Raise RowInvalid for a row with extra fields, a NUL character or an over-long field.

    Python 3.10's csv module rejects a NUL character itself; later versions read it.
    """
    if row.extra is not None:
        separators = {",": "commas", ";": "semicolons", "\t": "tabs"}.get(
            delimiter, repr(delimiter)
        )
        raise RowInvalid(
            None,
            row.extra,
            f"the row has more fields than the header; quote values that contain {separators}.",
        )
    for column, value in row.values.items():
        if "\0" in value:
            raise RowInvalid(
                column,
                shorten(value.replace("\0", "\\0"), 100),
                f"{column} contains a NUL character, which text files do not hold; save "
                "the file again as CSV UTF-8.",
            )
        if len(value) > MAX_FIELD_LENGTH:
            raise RowInvalid(
                column,
                shorten(value, 100),
                f"{column} is {len(value):,} characters long; tracksync reads at most "
                f"{MAX_FIELD_LENGTH:,}, the maximum length of an Excel cell. Check the quotes of "
                "this row.",
            )
