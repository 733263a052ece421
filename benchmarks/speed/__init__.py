"""The speed benchmark of the core, ``python -m benchmarks.core`` (private; the entry point,
what is measured and the JSON it writes are in ``benchmarks/core.py``).

One module per job: :mod:`.settings` the fixed workload and targets, :mod:`.data` the
synthetic memories and questions, :mod:`.measure` timing, percentiles, RSS and the results
table, :mod:`.startup` sections 1-3 (import, ready ``Memory``, embedder), :mod:`.add`
section 4 (add throughput), :mod:`.search` sections 5-6 (the growing store: search, add at
size, RSS and disk), :mod:`.server` section 8 (``chroma run``), :mod:`.mem0` section 9
(Mem0 OSS), :mod:`.environment` the machine and commit, :mod:`.cli` the arguments and the
run (section 7, the growth of search latency, is :func:`.measure.latency_growth`).
"""

__all__: list[str] = []
