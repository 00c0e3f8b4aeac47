"""HTML to lines that remember where they stood in the page: the HTML line model's input.

`render_dom(html)` walks the parsed page once (lxml, no recursion, so no depth limit of
ours) and cuts its visible text into lines the way a browser lays out blocks: a block
element (`<p>`, `<div>`, `<li>`, `<tr>`, ...) starts and ends a line, table cells of a row
share one line, and a paragraph-like element leaves a blank line around it. Every line
keeps the facts of its place in the page that tell boilerplate from content:

- `tag_mask`: which of `TAG_GROUPS` it sits in (any ancestor), plus `HIDDEN_BIT` for a
  hidden ancestor (`hidden`, `aria-hidden`, `display:none`) and `NOSCRIPT_BIT`;
- `class_mask`: which of `CLASS_GROUPS` its ancestors' class, id or role names match;
- `link_chars`: how many of its characters are link text;
- `signature`: the tags of its last `SIGNATURE_DEPTH` ancestors (`div>ul>li>a`): lines of
  one menu or one teaser list share it;
- `keys`: the class / id / role name tokens of its ancestors, nearest last;
- `ancestors`: ids of its ancestor elements, so lines can be grouped by container.

Nothing is fetched: lxml's HTML parser loads no DTD and no external entity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields

from lxml import etree

SKIP_TAGS = frozenset(
    "script style template head svg iframe object canvas math audio video map".split())
BLOCK_TAGS = frozenset(
    "address article aside blockquote body br caption center dd details dialog div dl dt "
    "fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr html legend li main "
    "menu nav ol option p pre section select summary table tbody tfoot thead tr ul button "
    "label textarea".split())
PARAGRAPH_TAGS = frozenset("p h1 h2 h3 h4 h5 h6 blockquote pre table hr article main section"
                           .split())  # a blank line before and after
CELL_TAGS = frozenset(("td", "th"))  # cells of a row share its line, a space apart
LINK_TAG = "a"

# Tag groups, one bit each in `tag_mask` (an ancestor of the line is one of the tags).
TAG_GROUPS: tuple[str, ...] = (
    "nav", "header", "footer", "aside", "form", "li", "ul ol menu dl",
    "table tr td th tbody thead tfoot", "h1", "h2 h3", "h4 h5 h6", "p", "article", "main",
    "section", "figure figcaption", "blockquote", "pre code", "button select option label "
    "input textarea", "time", "address", "dt dd", "strong b em i", "small sub sup", "span",
    "div", "summary details", "a", "noscript",
)
HIDDEN_BIT = len(TAG_GROUPS)
N_TAG_BITS = HIDDEN_BIT + 1
_TAG_BIT = {t: 1 << i for i, group in enumerate(TAG_GROUPS) for t in group.split()}

# Name groups, one bit each in `class_mask` (a regex over an ancestor's class, id and role).
CLASS_GROUPS: tuple[tuple[str, str], ...] = (
    ("nav", r"nav|menu|breadcrumb|pagination|pager|toc"),
    ("footer", r"foot|copyright|bottom"),
    ("header", r"head|masthead|topbar|top-bar"),
    ("side", r"side|widget|aside|rail"),
    ("comment", r"comment|reply|respond|discussion"),
    ("social", r"share|social|follow|sharing|twitter|facebook"),
    ("related", r"related|recommend|popular|trending|more|also|teaser|promo|upsell|similar"),
    ("ad", r"\bads?\b|advert|sponsor|banner|dfp|gpt"),
    ("cookie", r"cookie|consent|gdpr|privacy|notice"),
    ("content", r"content|article|post|entry|story|body|text|main|prose|rich|blog"),
    ("meta", r"author|byline|meta|date|time|tags?\b|categor|label"),
    ("form", r"login|signin|search|subscribe|newsletter|form|signup|modal|popup|overlay"),
    ("hidden", r"hidden|sr-only|screen-reader|visually-hidden|invisible|collapse"),
    ("title", r"title|headline|heading"),
    ("product", r"price|product|cart|buy|rating|review|stock|sku"),
)
N_CLASS_BITS = len(CLASS_GROUPS)
_CLASS_RES = tuple(re.compile(p) for _, p in CLASS_GROUPS)


def _compile_class_set():
    """All of CLASS_GROUPS in one RE2 set: one scan of a name finds every group it matches
    (the same groups as the regexes one by one, tested)."""
    try:
        import re2
    except ImportError:  # pragma: no cover - google-re2 is a dependency
        return None
    rset = re2.Set.SearchSet(re2.Options())
    for _, pattern in CLASS_GROUPS:
        rset.Add(pattern)
    rset.Compile()
    return rset


_class_set = _compile_class_set()

SIGNATURE_DEPTH = 4  # ancestors named in a line's signature
MAX_KEYS = 24  # class/id tokens kept per line (the nearest ancestors')
MAX_TOKENS_PER_NAME = 8  # tokens taken from one element's class + id
_NAME_CACHE_LIMIT = 50_000  # distinct class/id strings remembered between pages

_NAME_SPLIT = re.compile(r"[^a-z0-9]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden")
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True,
                           encoding="utf-8")
_name_cache: dict[str, tuple[int, tuple[str, ...]]] = {}


@dataclass(slots=True)
class DomPage:
    """A page's visible text as lines, each with the facts of its place in the DOM."""

    texts: list[str] = field(default_factory=list)
    blank_before: list[bool] = field(default_factory=list)
    tag_mask: list[int] = field(default_factory=list)
    class_mask: list[int] = field(default_factory=list)
    link_chars: list[int] = field(default_factory=list)
    depth: list[int] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)
    keys: list[tuple[str, ...]] = field(default_factory=list)
    ancestors: list[tuple[int, ...]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.texts)

    def slice(self, start: int, stop: int) -> DomPage:
        """Lines start..stop-1 as a page of their own."""
        return self.take([(start, stop)])

    def take(self, spans: list[tuple[int, int]]) -> DomPage:
        """The lines of each (start, stop) span, in order, as a page of their own."""
        return DomPage(*([x for a, b in spans for x in getattr(self, f.name)[a:b]]
                         for f in fields(self)))

    @property
    def text(self) -> str:
        """The lines joined; a blank line where `blank_before` is set (what
        `cleaner.text.split_lines` splits back into exactly these lines)."""
        out: list[str] = []
        for i, (t, b) in enumerate(zip(self.texts, self.blank_before, strict=True)):
            if i:
                out.append("\n\n" if b else "\n")
            out.append(t)
        return "".join(out)


def _name_facts(name: str) -> tuple[int, tuple[str, ...]]:
    """The class-group bits and tokens of an element's class + id + role string."""
    hit = _name_cache.get(name)
    if hit is None:
        low = name.lower()
        mask = 0
        if _class_set is not None:
            groups = _class_set.Match(low) or ()  # None when no group matches
        else:  # pragma: no cover
            groups = [i for i, rx in enumerate(_CLASS_RES) if rx.search(low)]
        for i in groups:
            mask |= 1 << i
        toks = tuple(t for t in _NAME_SPLIT.split(low) if t and not t.isdigit())
        hit = (mask, toks[:MAX_TOKENS_PER_NAME])
        if len(_name_cache) >= _NAME_CACHE_LIMIT:
            _name_cache.clear()
        _name_cache[name] = hit
    return hit


_NAME_ATTRS = frozenset(("class", "id", "role"))
_HIDDEN_ATTRS = frozenset(("hidden", "aria-hidden", "style"))


def _hides(attr: str, value: str) -> bool:
    """Whether this attribute hides its element (`hidden`, `aria-hidden="true"`, or a style
    with `display:none` / `visibility:hidden`)."""
    if attr == "hidden":
        return True
    if attr == "aria-hidden":
        return value.strip().lower() == "true"
    return _HIDDEN_STYLE.search(value.lower()) is not None


def parse_html(html: str | bytes):
    """The page's root element, or None when there is nothing to parse."""
    data = html.encode("utf-8", "replace") if isinstance(html, str) else html
    try:
        return etree.fromstring(data, _PARSER)
    except (etree.LxmlError, ValueError):
        return None


def render_dom(html: str | bytes) -> DomPage | None:
    """The page's lines with their DOM facts; None when the page cannot be parsed."""
    root = parse_html(html)
    if root is None:
        return None
    body = root.find("body")
    page = DomPage()
    _walk(body if body is not None else root, page)
    return page


def _walk(top, page: DomPage) -> None:
    """One pass over the tree (`etree.iterwalk`), appending lines to `page`. Written as one
    loop over local state: it runs twice per element, thousands of times a page."""
    texts, blanks = page.texts, page.blank_before
    parts: list[str] = []  # text pieces of the line being built
    line_tags = line_classes = line_links = 0
    line_start: tuple | None = None  # (signature, keys, depth, ancestors) at its first text
    pending_blank = False
    # one entry per open element: (tag, tag bits, class bits, keys, element id)
    stack: list[tuple[str, int, int, tuple[str, ...], int]] = []
    top_entry = ("", 0, 0, (), 0)  # stack[-1], or this when the stack is empty
    links = 0  # open <a> elements
    n = 0
    hidden_bit = 1 << HIDDEN_BIT

    def flush() -> None:
        """End the line being built (if it has any text)."""
        nonlocal line_start, pending_blank
        text = " ".join("".join(parts).split())
        if text:
            sig, keys, depth, anc = line_start
            texts.append(text)
            blanks.append(pending_blank)
            page.tag_mask.append(line_tags)
            page.class_mask.append(line_classes)
            page.link_chars.append(min(line_links, len(text)))
            page.depth.append(depth)
            page.signature.append(sig)
            page.keys.append(keys)
            page.ancestors.append(anc)
            pending_blank = False
        parts.clear()
        line_start = None

    walker = etree.iterwalk(top, events=("start", "end"))
    skipped = None  # a skipped element: its end event comes next
    for event, el in walker:
        tag = el.tag
        if event == "start":
            if tag in SKIP_TAGS:
                walker.skip_subtree()
                skipped = el
                continue
            if not isinstance(tag, str):  # an entity or other non-element node
                continue
            if tag in BLOCK_TAGS:
                if line_start is not None:
                    flush()
                if texts and tag in PARAGRAPH_TAGS:
                    pending_blank = True
            _, bits, cbits, keys, _ = top_entry
            bits |= _TAG_BIT.get(tag, 0)
            items = el.items()
            if items:
                name = []
                for k, v in items:
                    if k in _NAME_ATTRS:
                        name.append(v)
                    elif k in _HIDDEN_ATTRS and _hides(k, v):
                        bits |= hidden_bit
                if name:
                    m, toks = _name_facts(" ".join(name))
                    cbits |= m
                    if toks:
                        keys = (keys + toks)[-MAX_KEYS:]
            n += 1
            top_entry = (tag, bits, cbits, keys, n)
            stack.append(top_entry)
            if tag == LINK_TAG:
                links += 1
            s = el.text
        else:
            if el is skipped:
                skipped = None
            elif isinstance(tag, str):
                if tag == LINK_TAG:
                    links -= 1
                stack.pop()
                top_entry = stack[-1] if stack else ("", 0, 0, (), 0)
                if tag in BLOCK_TAGS:
                    if line_start is not None:
                        flush()
                    if texts and tag in PARAGRAPH_TAGS:
                        pending_blank = True
                elif tag in CELL_TAGS and line_start is not None:
                    parts.append(" ")
            s = el.tail
        # the element's text (start) or tail (end) joins the line being built
        if s:
            if line_start is None:
                if s.isspace():
                    continue
                line_start = (">".join([e[0] for e in stack[-SIGNATURE_DEPTH:]]), top_entry[3],
                              len(stack), tuple([e[4] for e in stack]))
                line_tags = line_classes = line_links = 0
            parts.append(s)
            line_tags |= top_entry[1]
            line_classes |= top_entry[2]
            if links:
                line_links += len(s.strip())
    if line_start is not None:
        flush()
