"""Alignment of rendered lines against gold text (labels for training)."""

from cleaner.model.align import align_lines

GOLD = """Rivers of the North

The northern rivers freeze every winter and thaw in spring, flooding the lowlands.

Fishermen wait for the ice to break before they take their boats out again.

History

The first settlers arrived in the valley more than three hundred years ago."""


def test_basic_content_vs_boilerplate():
    lines = [
        "Home",
        "News",
        "Rivers of the North",
        "The northern rivers freeze every winter and thaw in spring, flooding the lowlands.",
        "Share on Facebook",
        "Fishermen wait for the ice to break before they take their boats out again.",
        "History",
        "The first settlers arrived in the valley more than three hundred years ago.",
        "© 2024 River News. All rights reserved.",
    ]
    assert align_lines(lines, GOLD) == [False, False, True, True, False, True, True, True, False]


def test_out_of_order_lines_are_content():
    # the renderer put the last paragraph first (e.g. a floated block)
    lines = [
        "The first settlers arrived in the valley more than three hundred years ago.",
        "Login",
        "Fishermen wait for the ice to break before they take their boats out again.",
        "The northern rivers freeze every winter and thaw in spring, flooding the lowlands.",
    ]
    assert align_lines(lines, GOLD) == [True, False, True, True]


def test_short_nav_word_occurring_in_gold_elsewhere_is_not_content():
    gold = "Welcome to our garden.\n\nThe garden is open to visitors every day from nine until six in the evening."
    lines = [
        "Garden",  # nav item before any anchor; gold word 'garden' appears but only after 'our'
        "Shop",
        "The garden is open to visitors every day from nine until six in the evening.",
        "Garden",  # repeated nav after the article: no gold left after the last anchor
    ]
    labels = align_lines(lines, gold)
    assert labels[2] is True
    assert labels[1] is False
    assert labels[3] is False


def test_heading_between_anchors_and_partial_lines():
    lines = [
        "The northern rivers freeze every winter and thaw in spring, flooding the lowlands. Click here to subscribe to our newsletter today now",
        "Fishermen wait for the ice to break before they take their boats out again.",
    ]
    s = align_lines(lines, GOLD, return_scores=True)
    assert 0.4 < s[0] < 0.7  # about half of the tokens are from the gold
    assert s[1] == 1.0


def test_duplicate_line_matches_once():
    lines = [
        "Fishermen wait for the ice to break before they take their boats out again.",
        "Fishermen wait for the ice to break before they take their boats out again.",
    ]
    assert align_lines(lines, GOLD) == [True, False]


def test_empty_inputs():
    assert align_lines([], GOLD) == []
    assert align_lines(["Anything at all here"], "") == [False]
    assert align_lines(["---", "***"], GOLD) == [False, False]
