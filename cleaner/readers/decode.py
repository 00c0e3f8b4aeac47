"""Bytes to text: gzip, BOMs, UTF-8 first, then the detected encoding; binary is refused.

The original bytes are never modified. What was done to get text (encoding detected,
mojibake repaired, NUL bytes dropped) is recorded in the document's notes.
"""

from __future__ import annotations

import codecs
import io
import re
import zlib

from charset_normalizer import from_bytes

SNIFF_BYTES = 8192
MAX_CONTROL_RATIO = 0.10  # more control characters than this in the sniffed head: binary
TIE_CHAOS = 0.01  # charset-normalizer "chaos" scores this close count as a tie
PREFERRED_LEGACY = ("cp1252", "latin_1", "iso8859_15")
_MOJIBAKE_HINTS = ("Ã", "â€", "Â")
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")


class DecodeProblem(Exception):
    """The bytes cannot become text; `reason` is a reason code for the rejected row."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def gunzip(data: bytes, limit: int) -> bytes:
    """Decompress gzip data, refusing more than `limit` bytes of output (gzip bombs)."""
    out = io.BytesIO()
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    chunk_in = io.BytesIO(data)
    try:
        while True:
            buf = d.unconsumed_tail or chunk_in.read(65536)
            if not buf:
                break
            out.write(d.decompress(buf, 1 << 20))
            if out.tell() > limit:
                raise DecodeProblem(
                    "too_large", f"expands to more than {limit} bytes when decompressed"
                )
            if d.eof:
                rest = d.unused_data
                if rest.strip(b"\0"):
                    d = zlib.decompressobj(16 + zlib.MAX_WBITS)  # concatenated members
                    chunk_in = io.BytesIO(rest + chunk_in.read())
                    continue
                break
    except zlib.error as e:
        raise DecodeProblem("bad_gzip", f"corrupt gzip data: {e}") from None
    if not d.eof:
        raise DecodeProblem("bad_gzip", "truncated gzip file")
    return out.getvalue()


def is_gzip(data: bytes) -> bool:
    return data[:2] == b"\x1f\x8b"


def decode(data: bytes) -> tuple[str, str, list[str]]:
    """Decode bytes to text. Returns (text, encoding, notes); raises DecodeProblem."""
    notes: list[str] = []
    if data.startswith(codecs.BOM_UTF8):
        text, enc = data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, enc = data.decode("utf-16", errors="replace"), "utf-16"
    else:
        try:
            text, enc = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text, enc = _detect(data)
            notes.append(f"decoded as {enc} (not valid UTF-8)")
    # valid UTF-8 holds a NUL character exactly when it holds a zero byte (found 10x faster)
    if b"\x00" in data if enc == "utf-8" else "\x00" in text:
        text = text.replace("\x00", "")
        notes.append("NUL characters dropped")
    if _looks_binary(text):
        raise DecodeProblem("binary", "binary data, not text")
    if any(h in text for h in _MOJIBAKE_HINTS):
        fixed = repair_mojibake(text)
        if fixed != text:
            text = fixed
            notes.append("mojibake repaired (text had been decoded twice)")
    return text, enc, notes


def repair_mojibake(text: str) -> str:
    """ftfy's `fix_encoding`, given only the pieces of the text that hold a non-ASCII
    character, joined by the separator they were cut at: an ASCII piece can be neither
    mojibake nor a clue to it, and ftfy's cost is a regex search over all it is given.
    HTML is cut at each '<' (text between tags), plain text at each line break; every
    kept piece has the separator on both sides, as it had in the text. The answer is
    ftfy's own: the same on all 28 suspect WCXB pages, in 2.1 s instead of 4.5 s (0.48x;
    cut at line breaks alone it was 0.68x, measured beside a running benchmark)."""
    import ftfy  # imported lazily: only mojibake suspects pay for it

    sep = "<" if text.count("<") > text.count("\n") else "\n"
    pieces = text.split(sep)
    where = [i for i, piece in enumerate(pieces) if not piece.isascii()]
    if not where:
        return text
    lead, trail = where[0] > 0, where[-1] < len(pieces) - 1
    part = sep * lead + sep.join(pieces[i] for i in where) + sep * trail
    fixed = ftfy.fix_encoding(part)
    if fixed == part:
        return text
    new_pieces = fixed.split(sep)
    new_pieces = new_pieces[lead:len(new_pieces) - trail]
    if len(new_pieces) != len(where):  # never seen: a repair that makes or drops a separator
        return ftfy.fix_encoding(text)
    for i, piece in zip(where, new_pieces, strict=True):
        pieces[i] = piece
    return sep.join(pieces)


def _detect(data: bytes) -> tuple[str, str]:
    head = data[: SNIFF_BYTES * 8]
    if head.count(b"\x00") > len(head) * MAX_CONTROL_RATIO:
        raise DecodeProblem("binary", "binary data, not text")
    matches = list(from_bytes(head))
    if not matches:
        raise DecodeProblem("binary", "binary data: no text encoding fits")
    # Several single-byte encodings often fit equally well; then prefer Windows-1252, the
    # web's most common legacy encoding (and what browsers use for "latin-1").
    best_chaos = min(m.chaos for m in matches)
    tied = [m.encoding for m in matches if m.chaos <= best_chaos + TIE_CHAOS]
    enc = next((e for e in PREFERRED_LEGACY if e in tied), tied[0])
    try:
        text = data.decode(enc, errors="replace")
    except LookupError:
        return data.decode("latin-1"), "latin-1"
    for alt in PREFERRED_LEGACY:  # the same text under a more common name: use that name
        try:
            if alt != enc and data.decode(alt) == text:
                return text, alt
        except UnicodeDecodeError:
            continue
    return text, enc


def _looks_binary(text: str) -> bool:
    head = text[:SNIFF_BYTES]
    if not head:
        return False
    return len(_CONTROL_RE.findall(head)) > len(head) * MAX_CONTROL_RATIO
