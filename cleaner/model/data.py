"""Loading evaluation/training pairs, the page-level domain split and HTML renderers.

A *pair* is ``<id>.html[.gz]`` + ``<id>.txt`` (gold main text) in one folder, with an
optional ``meta.jsonl`` (fields ``id``, ``url``, ``page_type`` ...).

Split: pages are assigned to ``test`` (held out, 20 %) or ``train`` (80 %) by a stable hash
of the URL host: ``int(sha1(host).hexdigest()[:8], 16) % 100 < 20`` -> test.  Inside train, a
validation part (used for tuning thresholds / hyper-parameters) is carved out the same way
with a different salt.  Pages without a URL use their id as "host".

Renderers (HTML -> whole-page text):
  * ``inscriptis``: ``inscriptis.get_text`` (the evaluation renderer, as the baselines use);
  * ``lxml``: own renderer - text of the lxml tree with a newline at every block element
    (like a scraper's ``get_text("\\n")`` restricted to block boundaries);
  * ``lxml_all``: newline around *every* element (fragmented, like naive scrapers).
Training uses the union so the model does not learn one renderer's quirks.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_SUBDIR = Path("..") / "shared" / "data" / "wcxb-dev"


def default_data_dir() -> Path | None:
    """CLEANER_WCXB_DIR or <repo>/../shared/data/wcxb-dev, if it exists."""
    env = os.environ.get("CLEANER_WCXB_DIR")
    if env:
        p = Path(env)
        return p if p.is_dir() else None
    repo = Path(__file__).resolve().parents[2]
    p = (repo / DEFAULT_SUBDIR).resolve()
    return p if p.is_dir() else None


@dataclass
class Page:
    id: str
    html_path: Path
    gold_path: Path
    url: str = ""
    page_type: str = "unknown"
    meta: dict = field(default_factory=dict)

    @property
    def host(self) -> str:
        if self.url:
            try:
                h = urlsplit(self.url).hostname or ""
            except ValueError:
                h = ""
            if h:
                return h.lower().removeprefix("www.")
        return self.id

    def read_html(self) -> str:
        raw = self.html_path.read_bytes()
        if self.html_path.suffix == ".gz":
            raw = gzip.decompress(raw)
        return decode_html(raw)

    def read_gold(self) -> str:
        return self.gold_path.read_text(encoding="utf-8", errors="replace")


_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)


def decode_html(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    m = _CHARSET_RE.search(raw[:4096])
    if m:
        try:
            return raw.decode(m.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return raw.decode("cp1252", errors="replace")


def host_bucket(host: str, salt: str = "") -> int:
    return int(hashlib.sha1((salt + host).encode("utf-8")).hexdigest()[:8], 16) % 100


def split_of(page: Page) -> str:
    """'test' (20 % of hosts), else 'val' (~15 % of the remaining hosts) or 'train'."""
    if host_bucket(page.host) < 20:
        return "test"
    if host_bucket(page.host, salt="val:") < 15:
        return "val"
    return "train"


def load_pages(data_dir: str | Path, split: str = "all") -> list[Page]:
    """Pairs in ``data_dir``. split: all | test | train (train+val) | fit (train w/o val) | val."""
    d = Path(data_dir)
    meta: dict[str, dict] = {}
    mp = d / "meta.jsonl"
    if mp.exists():
        with mp.open(encoding="utf-8") as fh:
            for line in fh:
                line = line.strip()
                if line:
                    rec = json.loads(line)
                    meta[str(rec.get("id"))] = rec
    pages = []
    for gold in sorted(d.glob("*.txt")):
        pid = gold.name[:-4]
        html = None
        for ext in (".html.gz", ".html", ".htm", ".htm.gz"):
            cand = d / (pid + ext)
            if cand.exists():
                html = cand
                break
        if html is None:
            continue
        m = meta.get(pid, {})
        pages.append(
            Page(pid, html, gold, m.get("url", "") or "", m.get("page_type") or "unknown", m)
        )
    if split == "all":
        return pages
    out = []
    for p in pages:
        s = split_of(p)
        if (
            split == s
            or (split == "train" and s in ("train", "val"))
            or (split == "fit" and s == "train")
        ):
            out.append(p)
    if split not in ("test", "train", "val", "fit"):
        raise ValueError(f"unknown split {split!r}")
    return out


# ---------------------------------------------------------------- renderers


def render_inscriptis(html: str) -> str:
    import inscriptis

    try:
        return inscriptis.get_text(html) or ""
    except Exception:
        return ""


_SKIP_TAGS = {
    "script",
    "style",
    "noscript",
    "template",
    "head",
    "svg",
    "iframe",
    "object",
    "canvas",
}
_BLOCK_TAGS = {
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "html",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "option",
    "select",
    "button",
    "label",
    "caption",
}


def _render_lxml(html: str, every: bool) -> str:
    from lxml import html as lhtml

    try:
        tree = lhtml.document_fromstring(html.encode("utf-8", "replace"))
    except Exception:
        return ""
    parts: list[str] = []

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if tag in _SKIP_TAGS or not tag:
            if el.tail:
                parts.append(el.tail)
            return
        brk = every or tag in _BLOCK_TAGS
        mark = "\x01" if tag in _PARA_TAGS else "\x00"
        if brk:
            parts.append(mark)
        if el.text:
            parts.append(el.text)
        for ch in el:
            walk(ch)
        if brk:
            parts.append(mark)
        elif tag in ("td", "th"):
            parts.append(" ")
        if el.tail:
            parts.append(el.tail)

    try:
        body = tree.find("body")
        walk(body if body is not None else tree)
    except Exception:
        return ""
    text = "".join(parts)
    text = re.sub(r"[ \t\r\f\v\xa0]+", " ", text)
    text = re.sub(
        r"[\x00\x01\n][\x00\x01\n ]*", lambda m: "\n\n" if "\x01" in m.group(0) else "\n", text
    )
    text = re.sub(r" *\n *", "\n", text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def render_lxml(html: str) -> str:
    return _render_lxml(html, every=False)


def render_lxml_all(html: str) -> str:
    return _render_lxml(html, every=True)


_PARA_TAGS = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "table",
    "hr",
    "article",
    "main",
    "section",
}

RENDERERS = {"inscriptis": render_inscriptis, "lxml": render_lxml, "lxml_all": render_lxml_all}


def text_to_lines(text: str, indent: bool = False) -> tuple[list[str], list[bool]]:
    """Non-blank stripped lines and blank_before flags (the LineModel.score input); with
    ``indent``, each line keeps its leading whitespace (a model that reads indentation)."""
    lines: list[str] = []
    blank: list[bool] = []
    prev_blank = False
    for raw in text.splitlines():
        s = raw.strip()
        if not s:
            prev_blank = True
            continue
        lines.append(raw.rstrip() if indent else s)
        blank.append(prev_blank)
        prev_blank = False
    return lines, blank


# ---------------------------------------------------------------- cache


class RenderCache:
    """JSON-per-page cache of expensive renders/extractions under a work dir (never the repo)."""

    def __init__(self, root: str | Path | None = None):
        root = root or os.environ.get("CLEANER_MODEL_WORK", "/tmp/modelwork")
        self.root = Path(root) / "cache"
        self.root.mkdir(parents=True, exist_ok=True)

    def get(self, page: Page, kind: str, fn) -> str:
        st = page.html_path.stat()
        ident = f"{page.html_path.resolve()}|{st.st_size}|{st.st_mtime_ns}"
        key = hashlib.sha1(ident.encode()).hexdigest()[:16]
        p = self.root / kind / f"{key}.txt"
        if p.exists():
            return p.read_text(encoding="utf-8")
        out = fn(page) or ""
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp = p.with_suffix(".tmp")
        tmp.write_text(out, encoding="utf-8")
        tmp.replace(p)
        return out


def trafilatura_extract(html: str, **kw) -> str:
    import trafilatura

    try:
        return trafilatura.extract(html, **kw) or ""
    except Exception:
        return ""


def justext_lines(text: str) -> str:
    """jusText baseline on plain text: each non-blank line becomes a <p>, English stoplist."""
    import html as _html

    import justext

    lines, _ = text_to_lines(text)
    if not lines:
        return ""
    doc = "<html><body>" + "".join(f"<p>{_html.escape(s)}</p>" for s in lines) + "</body></html>"
    try:
        paras = justext.justext(doc.encode("utf-8"), justext.get_stoplist("English"))
    except Exception:
        return ""
    return "\n".join(p.text for p in paras if not p.is_boilerplate)


CACHED_KINDS = {
    "render_inscriptis": lambda p: render_inscriptis(p.read_html()),
    "render_lxml": lambda p: render_lxml(p.read_html()),
    "render_lxml_all": lambda p: render_lxml_all(p.read_html()),
    "traf_default": lambda p: trafilatura_extract(p.read_html()),
    "traf_recall": lambda p: trafilatura_extract(p.read_html(), favor_recall=True),
    "traf_precision": lambda p: trafilatura_extract(p.read_html(), favor_precision=True),
}


def cached(page: Page, kind: str, cache: RenderCache | None = None) -> str:
    cache = cache or RenderCache()
    return cache.get(page, kind, CACHED_KINDS[kind])
