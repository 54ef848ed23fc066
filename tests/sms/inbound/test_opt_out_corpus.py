"""Every reasonable way of saying stop, in English and French, and the messages that merely
contain the word: the labelled corpus (opt_out_corpus.csv) read by the rules."""

import csv
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sms.inbound.keyword_rules import KEYWORDS, OPT_OUT
from sms.inbound.keywords import read_reply
from sms.text.folding import normalise

CORPUS = Path(__file__).with_name("opt_out_corpus.csv")


def corpus() -> list[dict]:
    with CORPUS.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_the_corpus_is_big_enough_in_both_languages():
    rows = corpus()
    by_label = Counter(row["expected"] for row in rows)
    assert len(rows) >= 80
    assert by_label["none"] >= 30
    for language in ("en", "fr"):
        labels = Counter(row["expected"] for row in rows if row["language"] == language)
        assert labels["opt_out"] >= 10 and labels["none"] >= 10, language


def labelled_rows() -> list:
    """One case per corpus line, named by its label, language and line in the CSV (plain ASCII:
    ids quoting the text itself could not be selected again by node id in one process)."""
    return [
        pytest.param(row, id=f"{row['expected']}-{row['language']}-line{line}")
        for line, row in enumerate(corpus(), start=2)
    ]


@pytest.mark.parametrize("row", labelled_rows())
def test_each_message_reads_as_labelled(row):
    reading = read_reply(row["text"])
    assert (reading.intent if reading else "none") == row["expected"], row["text"]
    if reading is not None:
        assert reading.language == row["language"], row["text"]


@pytest.mark.parametrize(
    ("text", "normal"),
    [
        ("  “ＳＴＯＰ” 🛑 ", "stop"),
        ("ST\u200bOP", "stop"),
        ("SТОР", "stop"),  # Cyrillic Т, О, Р
        ("Don't text me!", "dont text me"),
        ("ARRÊTEZ de m’écrire", "arretez de mecrire"),
        ("S.T.O.P", "stop"),
    ],
)
def test_normalising_removes_what_hides_a_keyword(text, normal):
    assert normalise(text) == normal


def test_a_sentence_is_recorded_in_the_candidates_words_and_a_keyword_as_the_keyword():
    sentence = read_reply("  Please   stop texting me ")
    assert (sentence.intent, sentence.keyword, sentence.detail) == (
        OPT_OUT,
        None,
        "Please stop texting me",
    )
    assert sentence.rule == "keyword+filler:stop" or sentence.rule.startswith("phrase:")
    keyword = read_reply("“ＳＴＯＰ”")
    assert (keyword.keyword, keyword.detail, keyword.rule) == ("STOP", "STOP", "keyword:stop")


OPT_OUT_KEYWORDS = sorted(k for k, (intent, _) in KEYWORDS.items() if intent == OPT_OUT)
# What people (and filters' adversaries) put around a keyword.
NOISE = st.sampled_from(
    [" ", "  ", "\u200b", "\u2060", "\ufeff", ".", "!", "?", '"', "“", "”", "'", "🛑", "🙏", "*"]
)


@settings(max_examples=60, deadline=None)
@given(
    keyword=st.sampled_from(OPT_OUT_KEYWORDS),
    before=st.lists(NOISE, max_size=3),
    after=st.lists(NOISE, max_size=3),
    case=st.sampled_from([str.upper, str.lower, str.title]),
    wide=st.booleans(),
)
def test_a_keyword_wrapped_in_noise_is_still_an_opt_out(keyword, before, after, case, wide):
    word = case(keyword)
    if wide:  # full-width letters, as some keyboards type them
        word = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in word)
    reading = read_reply("".join(before) + word + "".join(after))
    assert reading is not None and reading.intent == OPT_OUT
