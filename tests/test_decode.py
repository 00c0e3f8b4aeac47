"""Mojibake repair: only non-ASCII pieces go to ftfy, and the answer is ftfy's own."""

from __future__ import annotations

import ftfy
import ftfy.bad_codecs  # registers sloppy-windows-1252

from cleaner.readers.decode import decode, repair_mojibake

ARTICLE = "Le café de la gare, naïve et “célèbre”, ferme à midi.\n"


def _mojibake(s: str) -> str:
    return s.encode("utf-8").decode("sloppy-windows-1252")  # decoded twice, as browsers do


def test_repair_gives_ftfy_answer_on_whole_and_partial_mojibake() -> None:
    ascii_lines = "<div class='x'>\nPlain ASCII line with <b>markup</b>.\n\n"
    cases = [
        ascii_lines + _mojibake(ARTICLE) + ascii_lines,  # all non-ASCII text double-decoded
        _mojibake(ARTICLE) + ARTICLE.replace("café", "Москва") + ascii_lines,  # mixed
        "Ã\n" + ascii_lines,  # a hint that is no mojibake
        "<p>" + _mojibake("café") + "</p><p>plain</p><p class=a>" + ARTICLE + "</p>\n",  # HTML
        "<ul><li>" + _mojibake("naïve") + "<b>x</b>" + "Â</li></ul>",  # cut inside a run
    ]
    for text in cases:
        assert repair_mojibake(text) == ftfy.fix_encoding(text)
    assert repair_mojibake(cases[0]) == ascii_lines + ARTICLE + ascii_lines


def test_decode_notes_a_repair_and_leaves_clean_text_alone() -> None:
    text, enc, notes = decode((_mojibake(ARTICLE) + "ok\n").encode("utf-8"))
    assert (text, enc) == (ARTICLE + "ok\n", "utf-8")
    assert notes == ["mojibake repaired (text had been decoded twice)"]
    assert decode(ARTICLE.encode("utf-8")) == (ARTICLE, "utf-8", [])


def test_a_file_that_grew_after_its_size_was_taken_is_read_whole(tmp_path, monkeypatch) -> None:
    """A file is read up to the size it had when it was looked at, plus what it gained
    since (up to the limit), so a file that grows is not cut at its old size."""
    from cleaner.readers.discover import Source
    from cleaner.readers.files import FileReader, Task

    path = tmp_path / "growing.txt"
    path.write_text("first line of the file\nsecond line, written later\n", encoding="utf-8")
    monkeypatch.setattr(Source, "size", lambda self: 10)
    (doc,) = FileReader(max_doc_bytes=1000).read(Task(Source(path, "growing.txt", "text")))
    assert doc.raw_text.endswith("second line, written later\n")
