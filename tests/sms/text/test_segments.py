"""GSM-7 / UCS-2 detection and segment counting, against the vectors shared with the UI counter."""

import json
from pathlib import Path

import pytest

from sms.text.segments import GSM7, GSM7_BASIC, GSM7_EXTENSION, UCS2, measure

VECTORS = json.loads((Path(__file__).parent / "segment_vectors.json").read_text("utf-8"))["vectors"]


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_it_measures_each_shared_vector(vector):
    expected = {key: vector[key] for key in measure("").as_dict()}
    assert measure(vector["body"]).as_dict() == expected


def test_the_gsm_alphabet_has_its_128_basic_and_10_extension_characters():
    # 128 code points minus the escape character; the extension table used by SMS.
    assert len(GSM7_BASIC) == 127
    assert len(GSM7_EXTENSION) == 10
    assert not GSM7_BASIC & GSM7_EXTENSION


@pytest.mark.parametrize("length", [1, 159, 160, 161, 305, 306, 307, 459, 460, 1600])
def test_gsm_segments_follow_160_then_153(length):
    info = measure("x" * length)
    assert info.encoding == GSM7
    assert info.segments == (1 if length <= 160 else -(-length // 153))


@pytest.mark.parametrize("length", [1, 69, 70, 71, 134, 135, 1600])
def test_ucs2_segments_follow_70_then_67(length):
    info = measure("ж" * length)
    assert info.encoding == UCS2
    assert info.segments == (1 if length <= 70 else -(-length // 67))
