"""render_dom: HTML to lines with their DOM facts, and the features built from them."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.extractors import dom
from cleaner.extractors.dom import HIDDEN_BIT, render_dom
from cleaner.model.dom_features import (
    DOM_NAMES,
    N_DOM,
    dom_features,
    group_means,
    key_logit,
    line_keys,
)
from cleaner.text import split_lines

PAGE = """<html><head><title>T</title><style>p{color:red}</style>
<script>var x = "<p>not text</p>";</script></head>
<body>
<nav class="main-menu"><ul><li><a href="/">Home</a></li><li><a href="/b">Blog</a></li></ul></nav>
<div id="content" class="post-body">
<h1>The river in winter</h1>
<p>The <a href="/r">river</a> froze early this year, and the village <b>walked</b> across it.</p>
<p>Farmers waited for the thaw.</p>
<table><tr><td>Week</td><td>Monday</td></tr><tr><td>1</td><td>Rest</td></tr></table>
<noscript><p>Text for readers without scripts.</p></noscript>
<div style="display: none">Hidden promo</div>
</div>
<footer class="site-footer"><p>&copy; 2025 Example</p></footer>
</body></html>"""


def _bit(group: str) -> int:
    return 1 << dom.TAG_GROUPS.index(group)


def test_lines_follow_the_layout():
    page = render_dom(PAGE)
    assert page.texts == [
        "Home", "Blog", "The river in winter",
        "The river froze early this year, and the village walked across it.",
        "Farmers waited for the thaw.", "Week Monday", "1 Rest",
        "Text for readers without scripts.", "Hidden promo", "© 2025 Example",
    ]
    # paragraph-like elements (h1, p, table) have a blank line around them; list items do not
    assert page.blank_before[:6] == [False, False, True, True, True, True]
    assert page.blank_before[6] is False  # the table's second row
    # the text splits back into exactly these lines, with these blank lines
    lines = split_lines(page.text)
    assert [ln.text for ln in lines] == page.texts
    assert [ln.blank_before for ln in lines] == page.blank_before


def test_lines_keep_their_place_in_the_page():
    page = render_dom(PAGE)
    i = {t: k for k, t in enumerate(page.texts)}
    home, para, hidden = i["Home"], i["The river froze early this year, and the village walked "
                                       "across it."], i["Hidden promo"]
    assert page.tag_mask[home] & _bit("nav") and page.tag_mask[home] & _bit("li")
    assert not page.tag_mask[para] & _bit("nav") and page.tag_mask[para] & _bit("p")
    assert page.link_chars[home] == 4 and page.link_chars[para] == len("river")
    nav_bit = 1 << [k for k, _ in dom.CLASS_GROUPS].index("nav")
    content_bit = 1 << [k for k, _ in dom.CLASS_GROUPS].index("content")
    assert page.class_mask[home] & nav_bit and page.class_mask[para] & content_bit
    assert page.tag_mask[hidden] & (1 << HIDDEN_BIT)
    assert not page.tag_mask[para] & (1 << HIDDEN_BIT)
    assert page.tag_mask[i["Text for readers without scripts."]] & _bit("noscript")
    assert page.signature[home] == "nav>ul>li>a"
    assert page.signature[i["Home"]] == page.signature[i["Blog"]]
    assert page.keys[para] == ("content", "post", "body")
    assert page.keys[home] == ("main", "menu")
    # both paragraphs sit in the same container
    assert page.ancestors[para][:-1] == page.ancestors[i["Farmers waited for the thaw."]][:-1]
    assert page.depth[para] == len(page.ancestors[para])


@pytest.mark.parametrize("html", ["", "   ", "<!-- only a comment -->"])
def test_nothing_to_lay_out(html):
    page = render_dom(html)
    assert page is None or len(page) == 0


def test_deep_nesting_and_odd_markup_do_not_break_it():
    deep = "<div>" * 5000 + "deep text" + "</div>" * 5000
    page = render_dom(deep)
    assert page is not None  # lxml caps the depth; whatever it kept is laid out
    assert render_dom("<p>a<p>b</td></table><li>c") is not None
    assert render_dom(b"\xff\xfe<p>bytes</p>") is not None


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["p", "div", "li", "span", "a", "td", "br", "h2"]),
                          st.text(alphabet=st.characters(blacklist_categories=("Cs",)),
                                  max_size=30)), max_size=20))
def test_text_splits_back_into_the_lines(parts):
    from html import escape

    html = "<body>" + "".join(f"<{t}>{escape(x)}</{t}>" for t, x in parts) + "</body>"
    page = render_dom(html)
    assert page is not None
    lines = split_lines(page.text)
    assert [ln.text for ln in lines] == page.texts
    assert [ln.blank_before for ln in lines] == page.blank_before
    assert all(t and t == " ".join(t.split()) for t in page.texts)


def test_class_set_finds_the_same_groups_as_the_regexes():
    names = ["main-nav", "site-footer", "entry-content", "sr-only", "ad-slot", "adventure",
             "cookie-banner", "post__author", "x", "related-posts share-bar", "tags"]
    for name in names:
        dom._name_cache.clear()
        mask, _ = dom._name_facts(name)
        want = sum(1 << i for i, rx in enumerate(dom._CLASS_RES) if rx.search(name))
        assert mask == want, name


def test_slice_is_a_page_of_those_lines():
    page = render_dom(PAGE)
    part = page.slice(2, 5)
    assert part.texts == page.texts[2:5] and part.ancestors == page.ancestors[2:5]


def test_dom_features_shape_and_main_container():
    page = render_dom(PAGE + "")
    X = dom_features(page)
    assert X.shape == (len(page), N_DOM) and np.isfinite(X).all()
    col = {k: j for j, k in enumerate(DOM_NAMES)}
    i = {t: k for k, t in enumerate(page.texts)}
    para = i["The river froze early this year, and the village walked across it."]
    assert X[i["Home"], col["link_frac"]] == 1.0
    assert X[i["Home"], col["in_nav"]] == 1.0 and X[para, col["in_nav"]] == 0.0
    assert X[i["Home"], col["sig_log_lines"]] == pytest.approx(np.log1p(2))
    # the one long prose line makes its paragraph the main container
    assert X[para, col["in_main"]] == 1.0 and X[i["Home"], col["in_main"]] == 0.0
    assert X[i["Home"], col["main_depth_below"]] == -1


def test_group_means_average_over_containers():
    page = render_dom("<body><ul><li>a</li><li>b</li></ul><div><p>c</p></div></body>")
    p1 = np.array([0.2, 0.4, 0.9])
    G = group_means(page, p1, np.ones(3))
    # level 2 up from "a" and "b" is the <ul>: the mean of the two
    assert G[0, 1] == pytest.approx(0.3) and G[1, 1] == pytest.approx(0.3)
    assert G[2, 0] == pytest.approx(0.9)


def test_key_logit_sums_the_weights_of_the_line_keys():
    page = render_dom(PAGE)
    weights = {"k:menu": -2.0, "k:content": 1.5, "s:nav>ul>li>a": -1.0}
    logit = key_logit(page, weights, 0.25)
    for j in range(len(page)):
        want = 0.25 + sum(weights.get(k, 0.0) for k in line_keys(page, j))
        assert logit[j] == pytest.approx(want)
    assert logit[page.texts.index("Home")] == pytest.approx(0.25 - 3.0)
