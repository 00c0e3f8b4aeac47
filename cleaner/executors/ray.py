"""Run the per-document stage on Ray Data: a local Ray, or a cluster.

`ray.init()` connects to the cluster named by `RAY_ADDRESS` (or `--ray-address`), else
starts a local Ray. Order is preserved, and dedup and writing stay on the driver, so the
output is identical to the local engine's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

BATCH = 16  # groups of tasks (`job.group_tasks`) a Ray Data batch


class RayExecutor:
    """Maps one function over batches of items on Ray Data, in order. A context manager,
    like `LocalExecutor`."""

    name = "ray"

    def __init__(self, fn: Callable[[Any], Any], workers: int = 0,
                 address: str | None = None) -> None:
        self.fn = fn
        self.workers = workers
        self.address = address
        self._started = False

    def __enter__(self) -> RayExecutor:
        import ray

        if not ray.is_initialized():
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                      "configure_logging": False}
            if self.address:
                kwargs["address"] = self.address
            elif self.workers:
                kwargs["num_cpus"] = self.workers
            ray.init(**kwargs)
            self._started = True
        ctx = ray.data.DataContext.get_current()
        ctx.execution_options.preserve_order = True
        ctx.enable_progress_bars = False
        return self

    def __exit__(self, *exc: object) -> None:
        if self._started:
            import ray

            ray.shutdown()
            self._started = False

    def map(self, items: list[Any]) -> Iterator[Any]:
        import ray

        fn = self.fn

        def run_batch(batch: dict[str, Any]) -> dict[str, Any]:
            return {"out": [fn(t) for t in batch["task"]]}

        ds = ray.data.from_items([{"task": t} for t in items])
        ds = ds.map_batches(run_batch, batch_size=BATCH, batch_format="numpy")
        for row in ds.iter_rows():
            yield row["out"]
