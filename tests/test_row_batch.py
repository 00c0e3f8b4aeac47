"""How a worker's output crosses to the sequential stage: groups of tasks, one Arrow table
of rows a group (`RowBatch`), dedup's verdicts written back into it, and shard writers that
cut the tables into shards of exactly `shard_rows` rows."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from cleaner.document import Document
from cleaner.job import group_tasks
from cleaner.readers.discover import Source
from cleaner.readers.files import Task, Unreadable
from cleaner.text import split_lines
from cleaner.writers.schema import SCHEMA, RowBatch, to_row
from cleaner.writers.shards import ParquetWriter


def _doc(i: int, text: str = "A line of text.\nAnother line here.") -> Document:
    return Document(id=f"d{i}", source_path=f"f{i}.txt", source_sha256="", source_bytes=10,
                    format="text", raw_text=text, lines=split_lines(text))


def _rows(n: int) -> list[dict]:
    return [to_row(_doc(i), "0", "h") for i in range(n)]


def test_group_tasks_counts_a_jsonl_task_by_its_records_and_keeps_order() -> None:
    src = Source(Path("a.jsonl"), "a.jsonl", "jsonl")
    big = Task(src, records=tuple((n, "{}") for n in range(5)))
    files = [Task(Source(Path(f"{i}.txt"), f"{i}.txt", "text")) for i in range(4)]
    bad = Unreadable("x.txt", "unreadable", "gone")
    tasks = [files[0], big, files[1], bad, files[2], files[3]]
    groups = group_tasks(tasks, 3)
    assert [t for g in groups for t in g] == tasks  # the same tasks, in order
    # files[0] + big (1 + 5 >= 3) | files[1] + bad + files[2] (3) | files[3]
    assert [len(g) for g in groups] == [2, 3, 1]
    assert group_tasks([], 3) == []


def test_row_batch_writes_dedup_rejections_into_the_table() -> None:
    rows = _rows(3)
    batch = RowBatch(rows, [(b"k0", None), (b"k1", None), (None, None)])
    assert batch.table.num_rows == 3 and batch.table.schema == SCHEMA
    assert [r.id for r in batch.rows] == ["d0", "d1", "d2"]
    assert batch.rows[0].exact_key == b"k0" and batch.rows[2].exact_key is None
    assert batch.rows[1].text == rows[1]["text"]  # read from the table when asked
    assert batch.final_table() is batch.table  # nothing rejected: the table as it came

    batch.rows[1].reject("duplicate", "same text as d0", duplicate_of="d0")
    batch.rows[1].reject("near_duplicate", "ignored: already rejected")
    final = batch.final_table().to_pylist()
    assert [r["status"] for r in final] == ["kept", "rejected", "kept"]
    assert final[1]["reject_reason"] == "duplicate"
    assert final[1]["reject_detail"] == "same text as d0"
    assert final[1]["duplicate_of"] == "d0"
    # everything else is the row as the worker made it
    assert {k: v for k, v in final[1].items() if k not in (
        "status", "reject_reason", "reject_detail", "duplicate_of")} == \
        {k: v for k, v in rows[1].items() if k not in (
            "status", "reject_reason", "reject_detail", "duplicate_of")}
    assert len(batch.removed_words) == 3


def test_shard_writer_cuts_tables_into_shards_of_exactly_shard_rows(tmp_path: Path) -> None:
    rows = _rows(7)
    w = ParquetWriter(tmp_path, shard_rows=3, prefix="00000")
    for i, j in ((0, 2), (2, 6), (6, 7)):  # tables of 2, 4 and 1 rows
        w.write(pa.Table.from_pylist(rows[i:j], schema=SCHEMA), "train")
    w.write(SCHEMA.empty_table(), "rejected")  # an empty table writes nothing
    shards = w.close()
    assert [(s.split, s.rows) for s in shards] == [("train", 3), ("train", 3), ("train", 1)]
    back = [r["id"] for s in shards for r in pq.read_table(tmp_path / s.path).to_pylist()]
    assert back == [r["id"] for r in rows]
