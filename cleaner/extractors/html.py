"""HTML to text. Two ways, chosen by `HtmlExtractor(mode)`:

- ``"dom"`` (the default with the model on): the page's visible text laid out as lines
  (`cleaner.extractors.dom.render_dom`), each keeping its place in the DOM; the HTML line
  model (`cleaner.filters.model`) then removes the boilerplate lines, each with its reason
  and score, so the provenance shows every line of the page;
- ``"trafilatura"``: trafilatura's main text (one paragraph a line), jusText when it finds
  nothing. The line rules clean it further.

Either way a page that cannot be parsed falls back along trafilatura -> jusText -> the
page's whole visible text. No parser fetches anything: trafilatura, jusText and
`render_dom` parse with lxml, which does not resolve external entities or load DTDs from
the network for HTML input.
"""

from __future__ import annotations

import logging
import re
from html import unescape
from html.parser import HTMLParser

from cleaner.document import Document
from cleaner.extractors.dom import render_dom

HTML_MODES = ("dom", "trafilatura")

_LANG_ATTR = re.compile(r"<html[^>]*\blang=[\"']?([a-zA-Z]{2})", re.I)
_JUSTEXT_LANG = {
    "en": "English", "es": "Spanish", "de": "German", "fr": "French", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "ru": "Russian", "sv": "Swedish",
}

# trafilatura logs every page it finds too small; that is an outcome, not an error.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


class HtmlExtractor:
    """Sets a document's `raw_text` (and title, url, date) from its HTML. Call `apply(doc)`."""

    name = "html"

    def __init__(self, mode: str = "trafilatura", favor_recall: bool = False) -> None:
        if mode not in HTML_MODES:
            raise ValueError(f"mode must be one of {HTML_MODES}, not {mode!r}")
        self.mode = mode
        self.favor_recall = favor_recall

    def apply(self, doc: Document) -> None:
        html = doc.html
        if html is None:
            return
        doc.html = None  # the page is not needed past this point
        # trafilatura's own metadata (htmldate and more) doubles its time: read the head.
        for key, value in page_facts(html).items():
            if getattr(doc, key) is None:
                setattr(doc, key, value)
        fallback = ""
        if self.mode == "dom":
            page = render_dom(html)
            if page is not None and len(page):
                doc.raw_text = page.text
                doc.dom = page
                doc.extractor = "dom"
                return
            fallback = "the page could not be laid out, and "
        doc.raw_text = self._main_text(doc, html, fallback)

    def _main_text(self, doc: Document, html: str, fallback: str) -> str:
        """trafilatura, else jusText, else the whole visible text; a note says which when it
        is not the usual one (`fallback` says why the usual one was not used)."""
        text = self._trafilatura(html)
        doc.extractor = "trafilatura"
        if text.strip():
            if fallback:
                doc.notes.append(f"main text by trafilatura ({fallback.removesuffix(', and ')})")
            return text
        doc.extractor = "justext"
        text = self._justext(html)
        if text.strip():
            doc.notes.append(f"main text by jusText ({fallback}trafilatura found none)")
            return text
        # A page lxml cannot parse (e.g. nested past its depth limit): take the whole
        # visible text; the line rules and the model then clean it like a .txt.
        text = visible_text(html)
        doc.extractor = "page"
        if text.strip():
            doc.notes.append(f"whole-page text ({fallback}trafilatura and jusText found none)")
        return text

    def _trafilatura(self, html: str) -> str:
        import trafilatura

        try:
            text = trafilatura.extract(
                html, include_comments=False, include_tables=True,
                favor_recall=self.favor_recall,
            )
        except Exception:  # a parser failure on hostile markup is "found nothing"
            text = None
        return text or ""

    @staticmethod
    def _justext(html: str) -> str:
        import justext

        m = _LANG_ATTR.search(html[:4096])
        lang = _JUSTEXT_LANG.get(m.group(1).lower(), "English") if m else "English"
        try:
            paragraphs = justext.justext(html.encode("utf-8"), justext.get_stoplist(lang))
        except Exception:
            return ""
        return "\n".join(p.text for p in paragraphs if not p.is_boilerplate)


_BLOCK = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer form h1 h2 h3 h4 "
    "h5 h6 header hr li main nav ol p pre section table td th tr ul".split()
)
_HIDDEN = frozenset("script style noscript template head svg".split())


class _TextParser(HTMLParser):
    """Visible text of a page, a block element a line; no tree is built, so no depth limit."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The page's visible text, one block a line, whitespace tidied."""
    parser = _TextParser()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser is lenient; this is a last resort
        return ""
    lines = (" ".join(ln.split()) for ln in "".join(parser.parts).split("\n"))
    return "\n".join(ln for ln in lines if ln)


_HEAD_LIMIT = 200_000  # page facts are looked for in the first characters only
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_META = re.compile(r"<(?:meta|link)\b[^>]*>", re.I)
_ATTR = re.compile(r"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_URL_KEYS = ("canonical", "og:url")
_DATE_KEYS = ("article:published_time", "datepublished", "date", "dc.date", "pubdate",
              "publish-date", "og:published_time", "article:modified_time")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def page_facts(html: str) -> dict[str, str]:
    """Title, URL and date from a page's head: <title>, the canonical link or og:url, and
    the usual published-date meta tags (the date as YYYY-MM-DD)."""
    head = html[:_HEAD_LIMIT]
    facts: dict[str, str] = {}
    m = _TITLE.search(head)
    if m:
        title = " ".join(unescape(re.sub(r"<[^>]+>", "", m.group(1))).split())
        if title:
            facts["title"] = title
    urls: dict[str, str] = {}
    dates: dict[str, str] = {}
    for tag in _META.findall(head):
        attrs = {k.lower(): unescape(a or b or c) for k, a, b, c in _ATTR.findall(tag)}
        key = (attrs.get("rel") or attrs.get("property") or attrs.get("name")
               or attrs.get("itemprop") or "").lower()
        value = attrs.get("href") or attrs.get("content") or ""
        if key in _URL_KEYS and value.startswith(("http://", "https://")):
            urls.setdefault(key, value)
        elif key in _DATE_KEYS and (d := _DATE.search(value)):
            dates.setdefault(key, d.group())
    url = next((urls[k] for k in _URL_KEYS if k in urls), None)
    date = next((dates[k] for k in _DATE_KEYS if k in dates), None)
    if url:
        facts["url"] = url
    if date:
        facts["date"] = date
    return facts
