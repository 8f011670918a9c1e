"""PHP's serialize() format, as WordPress stores array meta values."""

from __future__ import annotations

import pytest

from tracksync.sources._php import PhpFormatError, looks_serialized, unserialize


def test_list_of_arrays_decoded() -> None:
    text = 'a:1:{i:0;a:2:{s:15:"tracking_number";s:4:"AB 1";s:12:"date_shipped";i:17;}}'
    assert unserialize(text) == [{"tracking_number": "AB 1", "date_shipped": 17}]


def test_length_counts_utf8_bytes() -> None:
    assert unserialize('s:5:"Café";') == "Café"


def test_scalars_decoded() -> None:
    assert unserialize('a:4:{i:0;N;i:1;b:1;i:2;d:1.5;i:3;s:3:"a;b";}') == [None, True, 1.5, "a;b"]


def test_sparse_keys_become_dict() -> None:
    assert unserialize('a:2:{i:0;s:1:"x";i:2;s:1:"y";}') == {"0": "x", "2": "y"}


@pytest.mark.parametrize(
    "text",
    [
        'O:8:"stdClass":0:{}',
        "a:1:{i:0;r:1;}",
        's:9:"short";',
        "a:2:{i:0;N;}",
        "i:1x;",
        "b:2;",
        'a:1:{i:0;s:1:"x";}trailing',
        "a:1:{" * 40 + "}" * 40,
    ],
)
def test_invalid_or_unsupported_rejected(text: str) -> None:
    with pytest.raises(PhpFormatError):
        unserialize(text)


def test_serialized_text_recognised() -> None:
    assert looks_serialized('a:1:{i:0;s:1:"x";}')
    assert not looks_serialized('[{"tracking_number": "1"}]')
