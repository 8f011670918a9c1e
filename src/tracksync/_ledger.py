"""The ledger: what tracksync last applied to each provider, kept on the shop's side.

PayPal's tracking endpoints take no idempotency key, and a crash between sending a write and
recording its answer is where duplicates come from. The ledger records every write before
it is sent (PENDING) and after its answer (APPLIED, FAILED or WAITING), with a fingerprint
of what was sent, so that:

- a shipment whose fingerprint matches an APPLIED entry costs no API call on the next run;
- a PENDING entry found on the next run is verified by reading the provider before
  anything is sent again.
"""

from __future__ import annotations

import datetime
import enum
import hashlib
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Protocol

import attrs

from ._models import Address, PaymentRef, Shipment

__all__ = [
    "EntryState",
    "States",
    "Ledger",
    "LedgerEntry",
    "MemoryLedger",
    "SQLiteLedger",
    "fingerprint",
]


class EntryState(enum.Enum):
    """Where one shipment's tracker stands on one payment."""

    #: The write was about to be sent; its outcome is unknown until the provider is read.
    PENDING = "pending"
    #: The provider holds the tracker as the fingerprint describes.
    APPLIED = "applied"
    #: The last write failed; ``error`` says why.
    FAILED = "failed"
    #: The payment cannot take trackers yet (capture pending); tried again every run.
    WAITING = "waiting"


@attrs.frozen(kw_only=True)
class LedgerEntry:
    """The ledger's record of one shipment on one payment."""

    provider: str
    account: str | None
    payment_id: str
    tracking_number: str
    order_id: str
    #: :func:`fingerprint` of the shipment as last sent or confirmed.
    fingerprint: str
    state: EntryState
    tracker_id: str | None = None
    error: str | None = None
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @property
    def key(self) -> tuple[str, str | None, str, str]:
        """The entry's identity: provider, account, payment id and tracking number."""
        return (self.provider, self.account, self.payment_id, self.tracking_number)


def fingerprint(
    payment: PaymentRef,
    shipment: Shipment,
    *,
    recipient_name: str | None = None,
    ship_to: Address | None = None,
) -> str:
    """Return a stable hash of everything that decides what a payment's tracker holds.

    The recipient is included because Stripe writes it with every tracking update. Text
    fields go in through ``repr``, which quotes every string and escapes the quotes inside
    it, so no two different shipments give the same text. One f-string, with no JSON,
    keeps this cheap for the million-order runs the ledger is meant for.
    """
    items = shipment.items
    listed = repr([(item.name, item.quantity, item.sku) for item in items]) if items else ""
    address = (
        ""
        if ship_to is None
        else repr(
            (
                ship_to.line1,
                ship_to.line2,
                ship_to.city,
                ship_to.state,
                ship_to.postal_code,
                ship_to.country,
            )
        )
    )
    text = (
        f"{payment.provider!r}|{payment.account!r}|{payment.payment_id!r}|"
        f"{payment.paypal_order_id!r}|{shipment.tracking_number!r}|{shipment.carrier!r}|"
        f"{shipment.status._value_}|{shipment.shipped_on}|{shipment.notify_buyer}|{listed}|"
        f"{recipient_name!r}|{address}"
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Ledger(Protocol):
    """Storage for ledger entries; :class:`SQLiteLedger` and :class:`MemoryLedger` implement it."""

    def entries_for_payment(self, payment: PaymentRef) -> list[LedgerEntry]:
        """Return every entry of the payment, in no particular order."""
        ...

    def entries_for_payments(
        self, payments: Iterable[PaymentRef]
    ) -> dict[PaymentRef, list[LedgerEntry]]:
        """Return the entries of many payments at once; payments without entries are left out."""
        ...

    def states_for_payments(self, payments: Iterable[PaymentRef]) -> dict[PaymentRef, States]:
        """Return each payment's entries as tracking number to (state, fingerprint), fast.

        Planning needs only these two fields to decide whether to read a payment, so this
        skips building whole entries. Payments without entries are left out.
        """
        ...

    def record(self, entries: Sequence[LedgerEntry]) -> None:
        """Insert or update the entries, durably, before returning.

        An updated entry keeps its creation time, and its tracker id when the update has none.
        """
        ...

    def entries(self) -> Iterator[LedgerEntry]:
        """Yield every entry, for summaries."""
        ...

    def close(self) -> None:
        """Release the storage."""
        ...


def now() -> datetime.datetime:
    """Return the current time in UTC, as the ledger stores it."""
    return datetime.datetime.now(datetime.timezone.utc)


_STATES = {state.value: state for state in EntryState}

#: A payment's entries as the planner needs them: tracking number to (state, fingerprint).
States = dict[str, tuple[EntryState, str]]


def _payment_key(payment: PaymentRef) -> tuple[str, str | None, str]:
    return (payment.provider, payment.account, payment.payment_id)


class MemoryLedger:
    """A ledger kept in memory, for tests and one-off scripts."""

    def __init__(self) -> None:
        self._by_payment: dict[tuple[str, str | None, str], dict[str, LedgerEntry]] = {}
        self._lock = threading.Lock()

    def entries_for_payment(self, payment: PaymentRef) -> list[LedgerEntry]:
        """Return every entry of the payment."""
        with self._lock:
            return list(self._by_payment.get(_payment_key(payment), {}).values())

    def entries_for_payments(
        self, payments: Iterable[PaymentRef]
    ) -> dict[PaymentRef, list[LedgerEntry]]:
        """Return the entries of many payments; payments without entries are left out."""
        found: dict[PaymentRef, list[LedgerEntry]] = {}
        with self._lock:
            for payment in payments:
                entries = self._by_payment.get(_payment_key(payment))
                if entries:
                    found[payment] = list(entries.values())
        return found

    def states_for_payments(self, payments: Iterable[PaymentRef]) -> dict[PaymentRef, States]:
        """Return each payment's tracking numbers with their state and fingerprint."""
        return {
            payment: {entry.tracking_number: (entry.state, entry.fingerprint) for entry in entries}
            for payment, entries in self.entries_for_payments(payments).items()
        }

    def record(self, entries: Sequence[LedgerEntry]) -> None:
        """Insert or update the entries, keeping each one's creation time and tracker id."""
        with self._lock:
            for entry in entries:
                held = self._by_payment.setdefault(entry.key[:3], {})
                known = held.get(entry.tracking_number)
                if known is not None:
                    entry = attrs.evolve(
                        entry,
                        created_at=known.created_at,
                        tracker_id=entry.tracker_id or known.tracker_id,
                    )
                held[entry.tracking_number] = entry

    def entries(self) -> Iterator[LedgerEntry]:
        """Yield every entry."""
        with self._lock:
            snapshot = [entry for held in self._by_payment.values() for entry in held.values()]
        return iter(snapshot)

    def close(self) -> None:
        """Do nothing: there is no storage to release."""


_SCHEMA_VERSION = 1

#: Payment ids per query in entries_for_payments, well under SQLite's 999 parameters.
_QUERY_BATCH = 500

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ledger_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger_entries (
    provider TEXT NOT NULL,
    account TEXT NOT NULL,
    payment_id TEXT NOT NULL,
    tracking_number TEXT NOT NULL,
    order_id TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    state TEXT NOT NULL,
    tracker_id TEXT,
    error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (provider, account, payment_id, tracking_number)
) WITHOUT ROWID;
"""


_UPSERT = """
INSERT INTO ledger_entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (provider, account, payment_id, tracking_number) DO UPDATE SET
    order_id = excluded.order_id,
    fingerprint = excluded.fingerprint,
    state = excluded.state,
    tracker_id = COALESCE(excluded.tracker_id, ledger_entries.tracker_id),
    error = excluded.error,
    updated_at = excluded.updated_at
"""


class SQLiteLedger:
    """A ledger in one SQLite file, in WAL mode, safe to share between threads.

    Every :meth:`record` call is committed before it returns, so an entry marked PENDING
    survives a crash of the process that sent the write.

    Raises:
        ConfigurationError: the file exists but is not a tracksync ledger of a known version.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(self.path, check_same_thread=False)
        try:
            self._prepare()
        except BaseException:
            self._connection.close()
            raise

    def _prepare(self) -> None:
        from .errors import ConfigurationError

        with self._lock, self._connection:
            try:
                self._connection.execute("PRAGMA journal_mode=WAL")
                self._connection.executescript(_SCHEMA)
                row = self._connection.execute(
                    "SELECT value FROM ledger_meta WHERE key = 'schema_version'"
                ).fetchone()
            except sqlite3.DatabaseError as exc:
                raise ConfigurationError(
                    f"{self.path} is not a tracksync ledger ({exc}); give another --ledger path."
                ) from exc
            if row is None:
                self._connection.execute(
                    "INSERT INTO ledger_meta (key, value) VALUES ('schema_version', ?)",
                    (str(_SCHEMA_VERSION),),
                )
            elif row[0] != str(_SCHEMA_VERSION):
                raise ConfigurationError(
                    f"The ledger {self.path} has schema version {row[0]}, and this tracksync "
                    f"reads version {_SCHEMA_VERSION}; upgrade tracksync or use another ledger."
                )

    def entries_for_payment(self, payment: PaymentRef) -> list[LedgerEntry]:
        """Return every entry of the payment."""
        with self._lock:
            rows = self._connection.execute(
                "SELECT * FROM ledger_entries"
                " WHERE provider = ? AND account = ? AND payment_id = ?",
                (payment.provider, payment.account or "", payment.payment_id),
            ).fetchall()
        return [_entry_from_row(row) for row in rows]

    def entries_for_payments(
        self, payments: Iterable[PaymentRef]
    ) -> dict[PaymentRef, list[LedgerEntry]]:
        """Return the entries of many payments, reading them a few hundred at a time."""
        found: dict[PaymentRef, list[LedgerEntry]] = {}
        for payment, row in self._rows_for_payments(payments, "*"):
            found.setdefault(payment, []).append(_entry_from_row(row))
        return found

    def states_for_payments(self, payments: Iterable[PaymentRef]) -> dict[PaymentRef, States]:
        """Return each payment's tracking numbers with their state and fingerprint.

        Written out rather than through ``_rows_for_payments``: it runs once per payment of
        a large unchanged input, and the generator's overhead showed in the benchmark.
        """
        found: dict[PaymentRef, States] = {}
        for (provider, account), by_id in _group_payments(payments).items():
            ids = list(by_id)
            states_by_id: dict[str, States] = {}
            for start in range(0, len(ids), _QUERY_BATCH):
                batch = ids[start : start + _QUERY_BATCH]
                query = (
                    "SELECT payment_id, tracking_number, state, fingerprint FROM ledger_entries"
                    " WHERE provider = ? AND account = ?"
                    f" AND payment_id IN ({', '.join('?' * len(batch))})"
                )
                with self._lock:
                    rows = self._connection.execute(query, [provider, account, *batch]).fetchall()
                for payment_id, tracking_number, state, entry_fingerprint in rows:
                    states = states_by_id.get(payment_id)
                    if states is None:
                        states = states_by_id[payment_id] = {}
                    states[tracking_number] = (_STATES[state], entry_fingerprint)
            # Payments listed twice with the same id share one mapping, which callers only read.
            for payment_id, states in states_by_id.items():
                for payment in by_id[payment_id]:
                    found[payment] = states
        return found

    def _rows_for_payments(
        self, payments: Iterable[PaymentRef], columns: str
    ) -> Iterator[tuple[PaymentRef, tuple[object, ...]]]:
        """Yield the rows of the payments, each with the payment it belongs to.

        Rows are read per provider and account, a few hundred payment ids per query, so
        SQLite looks them up through the primary key.
        """
        for (provider, account), by_id in _group_payments(payments).items():
            ids = sorted(by_id)
            for start in range(0, len(ids), _QUERY_BATCH):
                batch = ids[start : start + _QUERY_BATCH]
                marks = ", ".join("?" * len(batch))
                query = (
                    f"SELECT {columns} FROM ledger_entries"
                    f" WHERE provider = ? AND account = ? AND payment_id IN ({marks})"
                )
                with self._lock:
                    rows = self._connection.execute(query, [provider, account, *batch]).fetchall()
                for row in rows:
                    for payment in by_id[str(row[2])]:
                        yield payment, tuple(row)

    def record(self, entries: Sequence[LedgerEntry]) -> None:
        """Insert or update the entries in one committed transaction.

        An updated entry keeps its creation time, and its tracker id when the update has none.
        """
        if not entries:
            return
        with self._lock, self._connection:
            self._connection.executemany(_UPSERT, [_row_from_entry(entry) for entry in entries])

    def entries(self) -> Iterator[LedgerEntry]:
        """Yield every entry, oldest update first."""
        with self._lock:
            rows = self._connection.execute(
                "SELECT * FROM ledger_entries ORDER BY updated_at"
            ).fetchall()
        return (_entry_from_row(row) for row in rows)

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._connection.close()

    def __enter__(self) -> SQLiteLedger:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _group_payments(
    payments: Iterable[PaymentRef],
) -> dict[tuple[str, str], dict[str, list[PaymentRef]]]:
    """Group payments by provider and account (as stored, "" for none), then by id."""
    grouped: dict[tuple[str, str], dict[str, list[PaymentRef]]] = {}
    for payment in payments:
        owner = (payment.provider, payment.account or "")
        grouped.setdefault(owner, {}).setdefault(payment.payment_id, []).append(payment)
    return grouped


def _row_from_entry(entry: LedgerEntry) -> tuple[str | None, ...]:
    return (
        entry.provider,
        entry.account or "",
        entry.payment_id,
        entry.tracking_number,
        entry.order_id,
        entry.fingerprint,
        entry.state.value,
        entry.tracker_id,
        entry.error,
        entry.created_at.isoformat(),
        entry.updated_at.isoformat(),
    )


def _entry_from_row(row: Iterable[object]) -> LedgerEntry:
    values = [str(value) if value is not None else None for value in row]
    (
        provider,
        account,
        payment_id,
        tracking_number,
        order_id,
        entry_fingerprint,
        state,
        tracker_id,
        error,
        created_at,
        updated_at,
    ) = values
    assert provider and payment_id and tracking_number and state and created_at and updated_at
    assert order_id is not None and entry_fingerprint is not None
    return LedgerEntry(
        provider=provider,
        account=account or None,
        payment_id=payment_id,
        tracking_number=tracking_number,
        order_id=order_id,
        fingerprint=entry_fingerprint,
        state=EntryState(state),
        tracker_id=tracker_id,
        error=error,
        created_at=datetime.datetime.fromisoformat(created_at),
        updated_at=datetime.datetime.fromisoformat(updated_at),
    )
