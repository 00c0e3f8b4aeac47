"""Heuristic boilerplate rules: one readable core, thresholds named at the top.

Each rule looks at a line, or at a line and its neighbours, and marks it removed with a
reason code, a score (the rule's confidence) and a short human-readable detail. The
language-specific words cover English, Spanish, German and French. No rule names a site.

Reason codes:
    copyright        copyright and rights-reserved lines
    social           follow / share / newsletter / subscribe prompts
    cookie           cookie and privacy notices
    nav              navigation: previous/next and their linked headlines, back to top,
                     skip to content, breadcrumbs, menus of short link words
    related          a "Trending / Related / Read more / You may also like ..." heading
    related_teaser   the teaser list that follows such a heading
    repeated         a later copy of a paragraph already seen in the same document (with the
                     model on, `filters.model.keep_best_copy` may keep a later copy instead)
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

import numpy as np

from cleaner.document import Document, Line
from cleaner.text import fold_key_hashes, word_count


# --- thresholds -------------------------------------------------------------------------
@dataclass(frozen=True)
class Thresholds:
    """Every number the rules use. Override any of them in the config file's [thresholds]."""

    max_copyright_words: int = 40  # a copyright notice is a short line, not a paragraph about law
    max_social_words: int = 20  # a follow/share prompt line
    max_social_segment_words: int = 10  # each "|"-separated part of a prompt line
    max_cookie_words: int = 90  # a cookie banner may be a long sentence or two
    max_privacy_link_words: int = 6  # "Privacy Policy" as a bare link line
    max_heading_words: int = 8  # "Trending News on X", "You may also like"
    max_teaser_words: int = 20  # a non-bulleted teaser headline
    max_teasers: int = 20  # at most this many lines follow a related heading as its list
    prose_words: int = 25  # a line at least this long, not bulleted, is body prose
    max_linked_headline_words: int = 20  # the headline after "Previous" / "Next"
    max_breadcrumb_segment_words: int = 6
    min_menu_segments: int = 4
    max_menu_segment_words: int = 3
    min_repeat_words: int = 6  # shorter repeated lines are headings or nav, not paragraphs
    max_rule_line_chars: int = 20_000  # longer lines that are already removed are not looked at

    score_pattern: float = 1.0  # the line itself matches a boilerplate pattern
    score_context: float = 0.9  # removed because of the line before it (teasers, linked headlines)
    score_repeat: float = 1.0


    @property
    def longest_rule_line(self) -> int:
        """Lines with more words than this match no line rule."""
        return int(max(self.max_copyright_words, self.max_social_words, self.max_cookie_words,
                       self.max_heading_words, self.max_linked_headline_words + 3,
                       self.max_teaser_words, self.max_privacy_link_words))


DEFAULT_THRESHOLDS = Thresholds()

# --- word lists ---------------------------------------------------------------------------
_BULLET = re.compile(r"^\s*(?:[•·▪▸►▶‣◦●○■□✓✔\-–—*+>»›]+|\d{1,2}[.)])\s*")
# The same marks for str.strip (folding has turned all white space into " ").
_MARKS_CHARS = " •·▪▸►▶‣◦●○■□#*+-–—«»‹›<>←→↑⬆^|:"
_MARKS_END_CHARS = _MARKS_CHARS + ".!"
_SEGMENT_SPLIT = re.compile(r"\s+[|·•]\s+|\s*\|\s*")

_COPYRIGHT = re.compile(
    r"^(?:©|\(c\)\s*\d{4}|&copy;|copyright\s*(?:©|\(c\)|\d{4}))"
    r"|all rights reserved|todos los derechos reservados|derechos reservados"
    r"|alle rechte vorbehalten|tous droits réservés|tous droits reserves"
    r"|todos os direitos reservados|tutti i diritti riservati"
)

_SOCIAL_SEGMENT = re.compile(
    r"^(?:"
    # English
    r"follow us|follow (?:\w+ )?on (?:twitter|x|facebook|instagram|linkedin|youtube|tiktok"
    r"|google news|threads|bluesky|mastodon|pinterest|whatsapp|telegram)"
    r"|like us on|connect with us|find us on|join us on|stay (?:connected|in touch|updated)"
    r"|share (?:this|on|via|the|article|story|post)\b|share$|tweet(?: this)?$|email this|print this"
    r"|click to (?:share|print|email)"
    r"|(?:sign up|subscribe|register)(?: now| today| free| here)?(?: to| for)?"
    r"(?: our| the)?(?: free)?(?: daily| weekly)?(?: email)? newsletters?"
    r"|subscribe(?: now| today| here)?$|subscribe to (?:our|the|us)"
    r"|get (?:our|the) (?:\w+ )?newsletter|newsletter$"
    r"|join our (?:mailing list|newsletter|community)"
    # Spanish
    r"|s[ií]guenos|sigue(?:nos)? en|suscr[ií]bete|suscr[ií]base|comparte|compartir"
    r"|recibe (?:nuestro|el) bolet[ií]n|bolet[ií]n$|[uú]nete a"
    # German
    r"|folgen sie uns|folge uns|folgt uns|teilen$|jetzt teilen|artikel teilen|auf \w+ teilen"
    r"|newsletter abonnieren|abonnieren sie|jetzt abonnieren|zum newsletter|melden sie sich"
    r"(?: jetzt)? (?:für|zu) (?:unserem|unseren|den|dem) newsletter"
    # French
    r"|suivez[- ]nous|abonnez[- ]vous|partager|partagez|inscrivez[- ]vous (?:à|a) (?:notre|la)"
    r" newsletter|recevez (?:notre|la) newsletter|rejoignez[- ]nous"
    r")"
)

_COOKIE = re.compile(
    r"we use cookies|this (?:web)?site uses cookies|our (?:web)?site uses cookies"
    r"|by (?:continuing|using|browsing)(?: to (?:use|browse))? (?:this|our) (?:web)?site,? you"
    r" (?:agree|consent|accept)|accept (?:all )?cookies|cookie (?:settings|preferences|policy"
    r"|consent|notice)|manage (?:cookies|cookie|consent)|we value your privacy"
    r"|do not sell my personal information"
    r"|(?:utilizamos|usamos|este sitio(?: web)? utiliza|esta web utiliza) cookies"
    r"|aceptar(?: todas las)? cookies|configuraci[oó]n de cookies|pol[ií]tica de cookies"
    r"|wir verwenden cookies|wir nutzen cookies|diese (?:web)?seite (?:verwendet|nutzt) cookies"
    r"|diese website (?:verwendet|nutzt) cookies|cookies akzeptieren|cookie-einstellungen"
    r"|nous utilisons des cookies|ce site(?: web)? utilise des cookies|accepter (?:tous )?les"
    r" cookies|param[eè]tres des cookies|g[ée]rer les cookies|politique (?:de|relative aux)"
    r" cookies"
)
_PRIVACY_LINK = re.compile(
    r"^(?:privacy(?: policy| notice| settings)?|terms(?: of (?:use|service))?(?: and|&)?"
    r"|pol[ií]tica de privacidad|aviso legal|datenschutz(?:erkl[äa]rung)?|impressum"
    r"|politique de confidentialit[ée]|mentions l[ée]gales|accept all|alle akzeptieren"
    r"|tout accepter|aceptar todo)"
)

_RELATED_HEADING = re.compile(
    r"^(?:"
    r"trending|related|popular|recommended|more from\b|more (?:stories|news|articles|posts|videos)"
    r"|read more|read next|read also|also read|you (?:may|might) also (?:like|enjoy|be interested)"
    r"|you may be interested|most (?:read|popular|viewed|shared)|top stories|don'?t miss"
    r"|see also|further reading|latest (?:news|stories|posts|articles)|editor'?s picks"
    r"|(?:noticias|art[ií]culos|notas|entradas) relacionad[oa]s|relacionad[oa]s"
    r"|(?:tambi[eé]n )?te (?:puede|podr[ií]a) interesar|lo m[aá]s (?:le[ií]do|visto|popular)"
    r"|m[aá]s (?:noticias|le[ií]d[oa]s|populares|vistas)|m[aá]s de\b|leer m[aá]s"
    r"|lee (?:tambi[eé]n|m[aá]s)|tendencias|recomendad[oa]s|te recomendamos|[uú]ltimas noticias"
    r"|das k[öo]nnte (?:sie|dich) auch interessieren"
    r"|(?:weitere|[äa]hnliche|verwandte|empfohlene|beliebte) (?:artikel|beitr[äa]ge|nachrichten"
    r"|themen)|mehr (?:zum thema|aus|von|lesen|artikel|nachrichten)|meistgelesen|meist gelesen"
    r"|weiterlesen|auch interessant|im trend|lesen sie auch|empfehlungen"
    r"|(?:articles?|sujets) (?:similaires|connexes|li[ée]s|recommand[ée]s)|(?:[àa] )?lire aussi"
    r"|lire la suite|vous (?:aimerez|pourriez) aussi|vous aimerez|les plus (?:lus|populaires"
    r"|partag[ée]s)|tendances|plus d'articles|sur le m[êe]me sujet|populaires|recommand[ée]s"
    r"|dans la m[êe]me rubrique"
    r")"
)
# Link lines that stand alone ("Read more") and are removed without needing a list after them.
_READ_MORE = re.compile(
    r"^(?:read more|continue reading|read the full (?:story|article)|leer m[aá]s|seguir leyendo"
    r"|weiterlesen|mehr lesen|lire la suite|en savoir plus)$"
)

_PREV_NEXT = re.compile(
    r"^(?:previous|prev|next|older|newer|(?:previous|next|older|newer) (?:post|article|story"
    r"|entry|page|posts|articles|stories|entries)"
    r"|anterior|siguiente|(?:entrada|art[ií]culo|noticia|p[aá]gina) (?:anterior|siguiente)"
    r"|zur[üu]ck|weiter|vorherige[rsn]?|n[äa]chste[rsn]?|(?:vorherige[rsn]?|n[äa]chste[rsn]?)"
    r" (?:artikel|beitrag|seite|post)"
    r"|pr[ée]c[ée]dent(?:e)?|suivant(?:e)?"
    r"|(?:article|page) (?:pr[ée]c[ée]dent(?:e)?|suivant(?:e)?))$"
)
_PREV_NEXT_INLINE = re.compile(
    r"^(?:previous|next|older|newer) (?:post|article|story|entry)\s*[:»›>\-–]"
    r"|^(?:entrada|art[ií]culo|noticia) (?:anterior|siguiente)\s*[:»›>\-–]"
    r"|^(?:vorherige[rsn]?|n[äa]chste[rsn]?) (?:artikel|beitrag)\s*[:»›>\-–]"
    r"|^article (?:pr[ée]c[ée]dent|suivant)\s*[:»›>\-–]"
)
_NAV_LINE = re.compile(
    r"^(?:scroll to top|back to top|go to top|to top|top of page|return to top|skip to (?:main )?"
    r"(?:content|navigation|footer)|jump to (?:main )?(?:content|navigation)|toggle navigation"
    r"|main menu|menu|open menu|close menu|search|home|load more|show more|view all|see all"
    r"|page \d+ of \d+|volver arriba|ir arriba|subir|ir al contenido(?: principal)?"
    r"|saltar al contenido(?: principal)?|inicio|men[uú]|buscar|cargar m[aá]s|ver m[aá]s|ver todo"
    r"|nach oben|zum inhalt(?: springen)?|springe zum inhalt|zum hauptinhalt springen|startseite"
    r"|suche|mehr laden|alle anzeigen|retour en haut(?: de (?:la )?page)?|haut de page"
    r"|aller au contenu(?: principal)?|passer au contenu|accueil|rechercher|voir plus|voir tout"
    r"|charger plus)$"
)
_BREADCRUMB_SPLIT = re.compile(r"\s+(?:>|»|›|/|→)\s+")
_BREADCRUMB_CHARS = re.compile(r"[>»›/→]")
# Candidate lines, over the whole document (one key a line) at once: the patterns anchored
# at the start of a line, any line with a separator, and (by plain substring) the words that
# the unanchored copyright and cookie phrases need.
_CANDIDATE_START = re.compile(
    "(?m)^(?:" + "|".join(f"(?:{p.pattern.removeprefix('^')})" for p in (
        _PRIVACY_LINK, _SOCIAL_SEGMENT, _READ_MORE, _PREV_NEXT, _PREV_NEXT_INLINE, _NAV_LINE,
        _RELATED_HEADING)) + r"|©|\(c\)|&copy;|copyright)|[>»›/→|·•]"
)
_ANYWHERE_HINTS = ("reserv", "réserv", "vorbehalten", "riservati", "cookie", "privacy",
                   "personal information")
_ANYWHERE = re.compile("|".join(map(re.escape, _ANYWHERE_HINTS)))
# The same candidates for RE2, which is several times faster here. RE2's \w, \d and \s are
# ASCII, so \w becomes "any character but a space", \d "any number" and \s a space (a key's
# only white space; no match may run into the next line): the pattern matches wherever the
# rules' patterns can (a superset is safe: the rules themselves decide), and RE2's ASCII \b
# still follows the ASCII letters that every \b here comes after.
_RE2_SOURCE = (_CANDIDATE_START.pattern.replace("\\w", "[^ \\n]").replace("\\d", "\\pN")
               .replace("\\s", " ") + "|" + _ANYWHERE.pattern)
try:
    import re2

    _CANDIDATES_RE2 = re2.compile(_RE2_SOURCE.encode("utf-8"))
except ImportError:  # pragma: no cover - google-re2 is a dependency
    _CANDIDATES_RE2 = None
_BULLET_FIRST = frozenset("•·▪▸►▶‣◦●○■□✓✔-–—*+>»›")  # the marks `_BULLET` starts with
_MENU_CHARS = re.compile(r"[|·•]")
_END_PUNCT = re.compile(r"[.!?…]\s*[\"'”’»)]*$")


@dataclass(slots=True)
class _View:
    """What the rules look at for one line."""

    line: Line
    key: str  # folded, bullets and arrows stripped
    words: int
    bullet: bool
    prose: bool  # long, not bulleted: body text


def _looked_at(line: Line, t: Thresholds) -> bool:
    """False for a line already removed and too long to matter (e.g. a 50 MB long_line)."""
    return line.reason is None or len(line.text) <= t.max_rule_line_chars


class _Views:
    """What the rules look at, for every line of a document: each line's key and word
    count, made for the whole document at once (folding and keying in one pass; each line
    looked at gets its key's hash, `Line.key_hash`, on the way), and a line's `_View`, made
    when a rule asks for it. Most lines match no rule and no rule looks at them, so most
    lines never get a view."""

    __slots__ = ("_made", "_skipped", "hashes", "keys", "lines", "t", "words")

    def __init__(self, lines: list[Line], t: Thresholds) -> None:
        self.lines, self.t = lines, t
        ok = [_looked_at(ln, t) for ln in lines]
        looked = lines if all(ok) else [ln for ln, o in zip(lines, ok, strict=True) if o]
        words = [ln.words for ln in looked]
        longest = t.longest_rule_line
        # a key: the folded line without its marks; longer lines match no line rule, and
        # their key stays empty
        keys, hashes = fold_key_hashes([ln.text for ln in looked], _MARKS_CHARS,
                                       _MARKS_END_CHARS, [w <= longest for w in words])
        for line, key_hash in zip(looked, hashes.tolist(), strict=True):
            line._key_hash = key_hash
        self._skipped: set[int] = {i for i, o in enumerate(ok) if not o}
        if self._skipped:  # lines not looked at still hold their place, with no key
            n = len(lines)
            at = [i for i, o in enumerate(ok) if o]
            all_keys, all_words = [""] * n, [t.max_rule_line_chars] * n
            for k, i in enumerate(at):
                all_keys[i], all_words[i] = keys[k], words[k]
            all_hashes = np.zeros(n, dtype=np.uint64)
            all_hashes[at] = hashes
            for i in self._skipped:
                all_hashes[i] = lines[i].key_hash
            keys, words, hashes = all_keys, all_words, all_hashes
        self.hashes: np.ndarray = hashes  # every line's `Line.key_hash`
        self.keys: list[str] = keys
        self.words: list[int] = words
        self._made: dict[int, _View] = {}

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, i: int) -> _View:
        v = self._made.get(i)
        if v is None:
            v = self._made[i] = self._view(i)
        return v

    def _view(self, i: int) -> _View:
        line, key, words = self.lines[i], self.keys[i], self.words[i]
        if i in self._skipped:
            return _View(line, "", words, False, True)
        text = line.text
        first = text[0]  # a bullet starts with a mark or a digit
        if first.isspace():
            first = text.lstrip()[:1]
        bullet = (first in _BULLET_FIRST or first.isdigit()) and bool(_BULLET.match(text))
        return _View(line, key, words, bullet, words >= self.t.prose_words and not bullet)

    def span(self, start: int, stop: int) -> list[_View]:
        """The views of lines start..stop-1 (clipped to the document)."""
        return [self[i] for i in range(start, min(stop, len(self.lines)))]


def _candidates(keys: list[str]) -> list[int]:
    """Indices of the lines that some rule could match, found in one pass over the whole
    document's keys: most lines match none, and skip the rules altogether. RE2 runs a
    pattern that matches wherever the rules' could (`_CANDIDATES_RE2`) over the UTF-8 keys;
    without RE2, Python's `re` runs the rules' own patterns."""
    if _CANDIDATES_RE2 is None:
        return _candidates_re(keys)
    data = "\n".join(keys).encode("utf-8", "surrogatepass")
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)  # line i ends at ends[i]
    at = [m.start() for m in _CANDIDATES_RE2.finditer(data)]
    return np.unique(np.searchsorted(ends, at)).tolist() if at else []


def _candidates_re(keys: list[str]) -> list[int]:
    joined = "\n".join(keys)
    starts = list(itertools.accumulate((len(k) + 1 for k in keys[:-1]), initial=0))
    found = set()
    search, pos, n = _CANDIDATE_START.search, 0, len(keys)
    while (m := search(joined, pos)) is not None:  # one match a line is enough
        i = bisect.bisect_right(starts, m.start()) - 1
        found.add(i)
        if i + 1 >= n:
            break
        pos = starts[i + 1]
    # the phrases that may stand anywhere in a line
    found.update(bisect.bisect_right(starts, m.start()) - 1
                 for m in _ANYWHERE.finditer(joined))
    return sorted(found)


class BoilerplateRules:
    """Marks boilerplate lines of a document. Call `apply(doc)`."""

    name = "rules"

    def __init__(self, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> None:
        self.t = thresholds

    def apply(self, doc: Document) -> None:
        views = _Views(doc.lines, self.t)
        candidates = _candidates(views.keys) if views.lines else []
        for i in candidates:
            self._line_rules(views[i])
        self._context_rules(views, candidates)
        self._repeats(views)

    # one line at a time ---------------------------------------------------------------
    def _line_rules(self, v: _View) -> None:
        t = self.t
        key, n = v.key, v.words
        if not key or v.line.removed:
            return
        if n <= t.max_copyright_words and _COPYRIGHT.search(key):
            v.line.remove("copyright", t.score_pattern, "copyright / rights-reserved notice")
        elif n <= t.max_cookie_words and _COOKIE.search(key):
            v.line.remove("cookie", t.score_pattern, "cookie or privacy notice")
        elif n <= t.max_privacy_link_words and _PRIVACY_LINK.match(key) and not _END_PUNCT.search(
            v.line.text
        ):
            v.line.remove("cookie", t.score_pattern, "privacy / legal link")
        elif n <= t.max_social_words and _is_social(key, t):
            v.line.remove("social", t.score_pattern, "follow / share / newsletter prompt")
        elif _READ_MORE.match(key):
            v.line.remove("related", t.score_pattern, "'read more' link")
        elif _PREV_NEXT.match(key) or (
            n <= t.max_linked_headline_words + 3 and _PREV_NEXT_INLINE.match(key)
        ):
            v.line.remove("nav", t.score_pattern, "previous / next link")
        elif _NAV_LINE.match(key):
            v.line.remove("nav", t.score_pattern, "navigation link")
        elif _is_breadcrumb(key, t):
            v.line.remove("nav", t.score_pattern, "breadcrumb")
        elif _is_menu(key, t):
            v.line.remove("nav", t.score_pattern, "menu of short links")

    # a line and its neighbours --------------------------------------------------------
    def _context_rules(self, views: _Views, candidates: list[int]) -> None:
        t = self.t
        for i in candidates:
            v = views[i]
            if _PREV_NEXT.match(v.key):
                self._linked_headline(views, i)
            elif (
                v.words <= t.max_heading_words
                and _RELATED_HEADING.match(v.key)
                and not _END_PUNCT.search(v.line.text)
            ):
                self._related_block(views, i)

    def _linked_headline(self, views: _Views, i: int) -> None:
        """The headline that a Previous / Next link points to is the next line that is not
        itself a Previous / Next link."""
        t = self.t
        j = i + 1
        while j < len(views) and _PREV_NEXT.match(views.keys[j]):
            j += 1
        if j < len(views):
            nxt = views[j]
            if 0 < nxt.words <= t.max_linked_headline_words and not nxt.prose:
                nxt.line.remove("nav", t.score_context, "headline linked by previous / next")

    def _related_block(self, views: _Views, i: int) -> None:
        """A related heading is boilerplate when a teaser list follows it (or nothing does);
        when body prose follows, it is a section heading ("Related work") and stays."""
        t = self.t
        items: list[_View] = []
        bulleted = None
        for v in views.span(i + 1, i + 1 + t.max_teasers):
            if bulleted is None:
                bulleted = v.bullet
            if bulleted and not v.bullet and not v.line.removed:
                break
            if not bulleted and (v.prose or v.words > t.max_teaser_words):
                break
            items.append(v)
        if not items and i + 1 < len(views):
            return  # prose follows: a real section heading
        views[i].line.remove("related", t.score_pattern, "related / trending heading")
        for v in items:
            v.line.remove("related_teaser", t.score_context, "teaser under a related heading")

    # repeated paragraphs --------------------------------------------------------------
    def _repeats(self, views: _Views) -> None:
        """Every later copy of a line of at least `min_repeat_words` words (by key hash)
        repeats the first copy: found for the whole document at once (np.unique gives each
        key's first line), so only the repeats cost a step of Python."""
        t = self.t
        at = np.flatnonzero(np.asarray(views.words, dtype=np.int64) >= t.min_repeat_words)
        if len(at) < 2:
            return
        lines = views.lines
        _, first, inverse = np.unique(views.hashes[at], return_index=True, return_inverse=True)
        first_at = at[first[inverse.reshape(-1)]]
        for i, j in zip(at.tolist(), first_at.tolist(), strict=True):
            if i != j:
                lines[i].remove("repeated", t.score_repeat, f"repeats line {lines[j].number}")


def _is_social(key: str, t: Thresholds) -> bool:
    if not _SOCIAL_SEGMENT.match(key):  # the first segment must be a prompt anyway
        return False
    segments = [s.strip() for s in _SEGMENT_SPLIT.split(key) if s.strip()]
    return bool(segments) and all(
        word_count(s) <= t.max_social_segment_words and _SOCIAL_SEGMENT.match(s) for s in segments
    )


def _is_breadcrumb(key: str, t: Thresholds) -> bool:
    if not _BREADCRUMB_CHARS.search(key):
        return False
    parts = _BREADCRUMB_SPLIT.split(key)
    if len(parts) < 3 and not (len(parts) == 2 and _NAV_LINE.match(parts[0])):
        return False
    return all(0 < word_count(p) <= t.max_breadcrumb_segment_words for p in parts) and not any(
        _END_PUNCT.search(p) for p in parts[:-1]
    )


def _is_menu(key: str, t: Thresholds) -> bool:
    if not _MENU_CHARS.search(key):
        return False
    parts = [p for p in _SEGMENT_SPLIT.split(key) if p.strip()]
    return len(parts) >= t.min_menu_segments and all(
        0 < word_count(p) <= t.max_menu_segment_words for p in parts
    )
