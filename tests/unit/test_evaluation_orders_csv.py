"""The normalised order CSV → contract events (what evaluate replays and import-orders appends)."""

from __future__ import annotations

import gzip

import pytest

from connector_agent.orders_csv import OrdersCsvError, read_events, read_orders
from online_models.events import payload_hash

HEADER = (
    "order_id,customer_id,created_at,product_id,product_name,category,quantity,unit_price,"
    "currency,status\n"
)
ROWS = (
    "1,c7,2026-01-02T10:00:00Z,A,Mug,,2,1.50,GBP,completed\n"
    "1,c7,2026-01-02T10:00:00Z,POST,Postage,non_product,1,5,GBP,completed\n"
    "C2,,2026-01-03T11:00:00Z,A,Mug,,-1,1.75,GBP,cancelled\n"
    "3,c8,2026-01-04T12:00:00Z,B,Bowl,kitchen,3,2.00,GBP,completed\n"
)


def write(path, text: str) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(text)


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "orders.csv.gz"
    write(path, HEADER + ROWS)
    return path


def test_orders_are_grouped_with_their_lines(csv_file):
    orders = [o.payload for o in read_orders(csv_file)]
    assert [o["id"] for o in orders] == ["1", "C2", "3"]
    assert orders[0]["customer_id"] == "c7" and orders[1]["customer_id"] is None
    assert orders[1]["status"] == "cancelled"
    assert orders[1]["line_items"][0]["quantity"] == -1  # the sign is kept
    assert orders[0]["line_items"][1]["category"] == "non_product"
    assert orders[0]["line_items"][0]["unit_price"] == "1.50"
    assert orders[0]["total"] == "8.00"


def test_events_keys_versions_and_first_sight_products(csv_file):
    events = list(read_events(csv_file))
    kinds = [(e.kind, e.key) for e in events]
    assert kinds == [
        ("product.upserted", "A"),
        ("product.upserted", "POST"),
        ("order.upserted", "import:1"),
        ("order.upserted", "import:C2"),
        ("product.upserted", "B"),
        ("order.upserted", "import:3"),
    ]
    order = events[2]
    assert order.version == payload_hash(order.payload)
    assert order.occurred_at == "2026-01-02T10:00:00Z"
    bowl = events[4].payload
    assert bowl["categories"] == [{"id": "kitchen", "name": "kitchen"}]
    assert bowl["status"] == "publish" and bowl["stock_status"] == "instock"
    assert bowl["price"] == "2.00"


def test_reading_twice_gives_identical_events(csv_file):
    assert list(read_events(csv_file)) == list(read_events(csv_file))


def test_limit_counts_orders(csv_file):
    events = list(read_events(csv_file, limit=2))
    assert [e.key for e in events if e.kind == "order.upserted"] == ["import:1", "import:C2"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("1,c,2026-01-02T10:00:00Z,A,Mug,,two,1.5,GBP,completed\n", "line 2: quantity"),
        ("1,c,2026-01-02T10:00:00Z,A,Mug,,0.5,1.5,GBP,completed\n", "line 2: quantity: not a w"),
        ("1,c,2026-01-02T10:00:00Z,A,Mug,,inf,1.5,GBP,completed\n", "line 2: quantity"),
        ("1,c,2026-01-02T10:00:00Z,A,Mug,,1,abc,GBP,completed\n", "line 2: unit_price"),
        ("1,c,2026-01-02T10:00:00Z,A,Mug,,1,NaN,GBP,completed\n", "line 2: unit_price"),
        ("1,c,2026-01-02T10:00:00Z,A,Mug,,1,-Infinity,GBP,completed\n", "line 2: unit_price"),
        ("1,c,2026-01-02 10:00,A,Mug,,1,1.5,GBP,completed\n", "line 2: created_at"),
        ("1,c,2026-01-02T10:00:00Z,A,Mug,,1,1.5,GBP,shipped\n", "line 2: status"),
    ],
)
def test_bad_rows_name_line_and_column(tmp_path, row, message):
    path = tmp_path / "bad.csv.gz"
    write(path, HEADER + row)
    with pytest.raises(OrdersCsvError, match=message):
        list(read_events(path))


def test_missing_columns_are_refused(tmp_path):
    path = tmp_path / "bad.csv.gz"
    write(path, "order_id,quantity\n1,2\n")
    with pytest.raises(OrdersCsvError, match="missing columns: customer_id"):
        list(read_orders(path))


def test_a_spreadsheet_export_reads_like_the_normalised_file(tmp_path):
    """A byte-order mark before the header and whole quantities written as decimals."""
    plain, excel = tmp_path / "plain.csv.gz", tmp_path / "excel.csv"
    write(plain, HEADER + "1,c,2026-01-02T10:00:00Z,A,Mug,,12,1.5,GBP,completed\n")
    excel.write_text("\ufeff" + HEADER + "1,c,2026-01-02T10:00:00Z,A,Mug,,12.0,1.5,GBP,completed\n",
                     encoding="utf-8")
    assert [o.payload for o in read_orders(excel)] == [o.payload for o in read_orders(plain)]



GOOD_ROW = "1,c,2026-01-02T10:00:00Z,A,Mug,,1,1.5,GBP,completed\n"


def _gzip(text: str, encoding: str = "utf-8") -> bytes:
    return gzip.compress(text.encode(encoding), mtime=0)


def _invalid_block_type(data: bytes) -> bytes:
    """The first deflate block (after the 10-byte gzip header) given the reserved type 3."""
    return data[:10] + b"\xff" + data[11:]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        # a short row: its missing fields were None, and Decimal(None) a TypeError
        (_gzip(HEADER + GOOD_ROW + "2,c,2026-01-02T10:00:00Z,A,Mug,,1\n"),
         "line 3: 7 fields, the header has 10"),
        # Latin-1 text far into the file (the decoder reads in chunks) and a binary file that
        # is not gzip: UnicodeDecodeError
        (_gzip(HEADER + GOOD_ROW * 600 + GOOD_ROW.replace("Mug", "Café"), "latin-1"),
         "line 602: not UTF-8 text (byte 0xe9)"),
        (HEADER.encode() + bytes(range(128, 256)) + b"\n", "line 2: not UTF-8 text (byte 0x80)"),
        # zlib.error
        (_invalid_block_type(_gzip(HEADER + GOOD_ROW)),
         "line 1: corrupt or truncated gzip data (Error -3"),
        # cut short: EOFError
        (_gzip(HEADER + "".join(GOOD_ROW.replace("1,", f"{i},", 1) for i in range(3000)))[:4000],
         "corrupt or truncated gzip data (Compressed"),
        # a field over the csv module's limit: _csv.Error
        (_gzip(HEADER + GOOD_ROW + GOOD_ROW.replace("Mug", "M" * 200_000)),
         "line 3: field larger than field limit"),
        # numbers that Decimal reads but a float cannot hold: inf in every sum
        (_gzip(HEADER + GOOD_ROW.replace(",1.5,", ",1e400,")), "line 2: unit_price: out of range"),
        (_gzip(HEADER + GOOD_ROW.replace(",1,1.5,", ",1e400,1.5,")),
         "line 2: quantity: out of range"),
        (_gzip(HEADER + GOOD_ROW.replace(",1,1.5,", ",1e200,1e200,")),
         "line 2: quantity × unit_price: out of range"),
    ],
    ids=["short-row", "latin-1", "binary", "corrupt-gzip", "truncated-gzip", "huge-field",
         "inf-price", "inf-quantity", "inf-amount"],
)
def test_an_unreadable_file_is_one_error_naming_the_line(tmp_path, content, message):
    """Each of these gave a traceback (or, for 1e400, an infinite price) instead of an
    OrdersCsvError, which evaluate and import-orders print as one line."""
    path = tmp_path / "bad.csv.gz"
    path.write_bytes(content)
    with pytest.raises(OrdersCsvError) as caught:
        list(read_orders(path))
    assert message in str(caught.value)
