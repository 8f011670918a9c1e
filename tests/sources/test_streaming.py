"""Reading one order at a time: large JSON items, many items, and orders held."""

from __future__ import annotations

import io
import json
from pathlib import Path

from tracksync.sources import OrderRecord, open_orders, read_orders
from tracksync.sources._csv import read_layout
from tracksync.sources._records import CsvLayout
from tracksync.sources._tabular import CsvTable, plain_key

HEADER = "order_id,provider,payment_id,tracking_number,carrier\n"


def shipment(number: int, **fields: object) -> dict[str, object]:
    item: dict[str, object] = {
        "orderNumber": str(number),
        "trackingNumber": f"TN{number}",
        "carrierCode": "fedex",
        "paymentId": f"pi_{number}",
    }
    item.update(fields)
    return item


def test_item_larger_than_read_chunk(tmp_path: Path) -> None:
    path = tmp_path / "shipments.json"
    label = "A" * 300_000
    path.write_text(json.dumps({"shipments": [shipment(1, labelData=label), shipment(2)]}))
    result = read_orders(path)
    assert [order.id for order in result.orders] == ["1", "2"]
    assert result.errors == ()


def test_numbers_across_chunk_boundaries(tmp_path: Path) -> None:
    path = tmp_path / "shipments.json"
    items = [shipment(number, shipmentCost=number * 1.25) for number in range(1, 3000)]
    path.write_text(json.dumps(items))
    result = read_orders(path)
    assert len(result.orders) == 2999
    assert result.rows == 2999
    assert result.errors == ()


def test_item_lines_counted_across_chunks(tmp_path: Path) -> None:
    path = tmp_path / "shipments.json"
    items = [shipment(number) for number in range(1, 2001)]
    path.write_text(json.dumps({"shipments": items}, indent=2))
    lines = path.read_text().splitlines()
    expected = [index + 1 for index, line in enumerate(lines) if line == "    {"]
    records = [item for item in open_orders(path) if isinstance(item, OrderRecord)]
    assert [record.first_line for record in records] == expected


class CountingText(io.StringIO):
    """Text that counts the lines read from it."""

    lines_read = 0

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        line = super().readline(-1 if size is None else size)
        if line:
            self.lines_read += 1
        return line


def test_first_order_yielded_before_rest_read() -> None:
    rows = "".join(f"{n},stripe,pi_{n},TN{n},DHL\n" for n in range(1, 1001))
    text = CountingText(HEADER + rows)
    stream = read_layout(CsvTable(text, name="t", key=plain_key), CsvLayout.TRACKSYNC)
    first = next(stream)
    assert isinstance(first, OrderRecord)
    assert first.order.id == "1"
    assert text.lines_read <= 3
