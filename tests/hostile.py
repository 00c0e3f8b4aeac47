"""A corpus of hostile inputs, generated at test time (the large ones are never committed).

`EXPECTED` says where each input must end up: ("kept" | "rejected" | "unreadable", reason).
"""

from __future__ import annotations

import codecs
import gzip
import json
import os
import random
from pathlib import Path

BODY = (
    "The harbour authority published its annual report on Thursday, showing that container "
    "traffic grew for the third year in a row while passenger ferries carried slightly fewer "
    "people than before. Officials said the new crane terminal would open next spring, and "
    "that the dredging of the northern channel had finished ahead of schedule and under budget. "
    "Local residents asked for more cycle paths along the waterfront and for quieter night "
    "shifts near the housing estates."
)
ES_BODY = (
    "El ayuntamiento presentó el jueves su informe anual, que muestra que el tráfico de "
    "mercancías creció por tercer año consecutivo mientras los transbordadores llevaron algo "
    "menos de pasajeros. Según los responsables, la nueva terminal abrirá la próxima primavera "
    "y el dragado del canal norte terminó antes de lo previsto y por debajo del presupuesto. "
    "Los vecinos pidieron más carriles para bicicletas junto al paseo marítimo."
)
JA_BODY = (
    "港湾局は木曜日に年次報告書を発表し、コンテナの取扱量が三年連続で増加した一方で、"
    "フェリーの乗客数はわずかに減少したことを明らかにした。関係者によると、新しいクレーン"
    "ターミナルは来年の春に開業する予定で、北側の航路のしゅんせつ工事は予定より早く、"
    "予算内で完了したという。地元の住民は、海沿いの自転車道の整備と、住宅地の近くでの"
    "夜間作業の静音化を求めている。"
)

EXPECTED: dict[str, tuple[str, str | None]] = {
    "empty.txt": ("rejected", "empty"),
    "whitespace.txt": ("rejected", "empty"),
    "binary.txt": ("rejected", "binary"),
    "binary.html": ("rejected", "binary"),
    "nul-bytes.txt": ("kept", None),
    "latin1.txt": ("kept", None),
    "cp1252.txt": ("kept", None),
    "shift-jis.txt": ("kept", None),
    "mojibake.txt": ("kept", None),
    "bom-utf8.txt": ("kept", None),
    "utf16.txt": ("kept", None),
    "truncated.txt.gz": ("rejected", "bad_gzip"),
    "not-gzip.txt.gz": ("rejected", "bad_gzip"),
    "bomb.txt.gz": ("rejected", "too_large"),
    "large-200mb.txt": ("rejected", "too_large"),
    "one-50mb-line.txt": ("rejected", "too_short"),
    "deep-nesting.html": ("kept", None),
    "malformed.html": ("kept", None),
    "all-script.html": ("rejected", "empty"),
    "xxe.html": ("kept", None),
    "unreadable.txt": ("unreadable", "permission"),
    "fifo.txt": ("unreadable", "bad_path"),
    "nested/loop": ("unreadable", "bad_path"),
    "outside-link.txt": ("unreadable", "bad_path"),
    "records.jsonl#1": ("kept", None),
    "records.jsonl#2": ("rejected", "bad_record"),
    "records.jsonl#3": ("rejected", "bad_record"),
    "records.jsonl#4": ("rejected", "bad_record"),
    "records.jsonl#5": ("rejected", "bad_record"),
    "records.jsonl#6": ("rejected", "bad_record"),
    "name with spaces.txt": ("kept", None),
    "new\nline.txt": ("kept", None),
    "bad-\\xff-name.txt": ("kept", None),
    "nested/deeper/ok.md": ("kept", None),
}

SMALL = {k for k in EXPECTED if k not in ("large-200mb.txt", "one-50mb-line.txt", "bomb.txt.gz")}


def article(i: int) -> str:
    return f"Report number {i}\n\n{BODY}\n\nIssue {i} of the series, paragraph two: {BODY}\n"


def build(root: Path, *, big: bool = True) -> Path:
    """Write the hostile corpus under root/hostile; returns that folder."""
    d = root / "hostile"
    (d / "nested" / "deeper").mkdir(parents=True)
    w = lambda name, data: (d / name).write_bytes(data)  # noqa: E731
    w("empty.txt", b"")
    w("whitespace.txt", b" \n\t\n   \r\n")
    rng = random.Random(7)
    w("binary.txt", bytes(rng.randrange(256) for _ in range(20000)))
    w("binary.html", b"\x89PNG\r\n\x1a\n" + bytes(rng.randrange(256) for _ in range(5000)))
    w("nul-bytes.txt", article(1).replace("harbour", "har\0bour").encode())
    w("latin1.txt", (article(2) + ES_BODY).encode("latin-1"))
    w("cp1252.txt", (article(3).replace("harbour authority", "\u201charbour authority\u201d")
                     + " Cost: 5\u20ac.")
      .encode("cp1252"))
    w("shift-jis.txt", (JA_BODY * 2).encode("shift_jis"))
    w("mojibake.txt", article(4).replace("The harbour", "The Café, naïve, “quoted” harbour")
      .encode("utf-8").decode("latin-1")
      .encode("utf-8"))
    w("bom-utf8.txt", codecs.BOM_UTF8 + article(5).encode())
    w("utf16.txt", article(6).encode("utf-16"))
    w("truncated.txt.gz", gzip.compress(article(7).encode() * 20)[:300])
    w("not-gzip.txt.gz", article(8).encode())
    w("deep-nesting.html",
      ("<html><body>" + "<div>" * 20000 + f"<p>{BODY}</p><p>{BODY} Again.</p>" + "</div>" * 20000
       + "</body></html>").encode())
    w("malformed.html",
      f"<html><head><title>Broken page</title><body><div><p>{BODY}<p>{ES_BODY}<div><table><tr><td>"
      f"<b>unclosed <i>tags".encode())
    w("all-script.html", b"<html><head><script>" + b"var x = 1;\n" * 2000 + b"</script></head>"
      b"<body><script>document.write('hello')</script></body></html>")
    w("xxe.html", (
        '<?xml version="1.0"?>\n<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
        '<!ENTITY web SYSTEM "http://127.0.0.1:9/x">]>\n'
        f"<html><body><article><p>&xxe; &web; {BODY}</p><p>{BODY}</p></article></body></html>"
    ).encode())
    w("unreadable.txt", article(9).encode())
    os.chmod(d / "unreadable.txt", 0)
    os.mkfifo(d / "fifo.txt")
    os.symlink(".", d / "nested" / "loop")  # a symlink loop
    outside = root / "outside.txt"
    outside.write_text(article(10))
    os.symlink(outside, d / "outside-link.txt")
    w("records.jsonl", "\n".join([
        json.dumps({"text": article(11), "source": "crawl"}),
        "{this is not json",
        json.dumps({"body": "no text field"}),
        json.dumps({"text": 42}),
        json.dumps(["a", "list"]),
        json.dumps({"html": None}),
    ]).encode() + b"\n")
    w("name with spaces.txt", article(12).encode())
    w("new\nline.txt", article(13).encode())
    (d / os.fsdecode(b"bad-\xff-name.txt")).write_bytes(article(14).encode())
    (d / "nested" / "deeper" / "ok.md").write_bytes(article(15).encode())
    if big:
        w("bomb.txt.gz", gzip.compress(b"\n" * (300 * 1024 * 1024), compresslevel=9))
        with open(d / "large-200mb.txt", "wb") as f:
            chunk = (article(16) * 50).encode()
            for _ in range(200 * 1024 * 1024 // len(chunk) + 1):
                f.write(chunk)
        with open(d / "one-50mb-line.txt", "wb") as f:
            f.write(b"x" * (50 * 1024 * 1024))
    return d
