"""The benchmark report: ``benchmarks/results/REPORT.md`` and its two PNG plots.

Built from the JSON the benchmarks write (``benchmarks/locomo.py``, ``benchmarks/core.py``,
``benchmarks/extraction_cost.py``), read defensively: a missing benchmark or a field that is
not there leaves its table out (with a note) instead of failing, and fields added later are
ignored or, for the speed JSON, shown as they come. :func:`build` is what
``python -m benchmarks all`` calls; the unit tests call it on small fixed inputs.

"Where we lose" is computed from the numbers, never written by hand: every metric on which a
baseline (or a published anchor) does better than one of our headline systems is listed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Our systems, as the LOCOMO JSON names them; every other system is a baseline.
HEADLINE = ("default", "ours-infer")  # compared with every baseline in "where we lose"
OURS = frozenset(
    {"similarity", "+keyword-turn-only", "+keyword", "+recency", "+reinforcement", "default"}
    | {"ours-infer", "observations"}
)
OURS_PREFIX = "custom"  # --weights systems of benchmarks/locomo.py
#: Anchors used when the LOCOMO JSON does not carry them (LOCOMO paper; Mem0 paper).
DRAGON_TURNS_R10 = 66.2
DRAGON_OBSERVATIONS_R10 = 61.3
FULL_CONTEXT_TOKENS = 26_000
KS = (5, 10, 25)
TARGET_P95_MS = 15.0  # issue 7: search p95 at 100k memories, embedded, 2 cores

RECALL_PNG = "recall_at_k.png"
LATENCY_PNG = "latency_vs_size.png"
REPORT_MD = "REPORT.md"


@dataclass
class Meta:
    """What ran, where and when (the report's header)."""

    command: str
    quick: bool
    date: str
    commit: str
    machine: Mapping[str, Any]
    steps: Sequence[Mapping[str, Any]] = field(default_factory=list)  # name, seconds, status, note
    notes: Sequence[str] = ()  # e.g. the load average, other processes sharing the CPUs


def is_ours(name: str) -> bool:
    return name in OURS or name.startswith(OURS_PREFIX)


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _f(value: Any, digits: int = 1) -> str:
    v = _num(value)
    return "-" if v is None else f"{v:,.{digits}f}"


def _recall(system: Mapping[str, Any], group: str = "all") -> dict[int, float]:
    """``{k: recall}`` of one system for one category group (``"all"`` by default)."""
    raw = (system.get("recall") or {}).get(group) or {}
    values = raw.get("recall") or {}
    out: dict[int, float] = {}
    for k, v in values.items():
        if (n := _num(v)) is not None and str(k).isdigit():
            out[int(k)] = n
    return out


def _systems(locomo: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [s for s in locomo.get("systems") or [] if isinstance(s, Mapping) and "name" in s]


def _anchors(locomo: Mapping[str, Any]) -> tuple[float, float, float]:
    """DRAGON R@10 (turns), DRAGON R@10 (observations), full-context tokens."""
    turns = _num(((locomo.get("anchor") or {}).get("recall") or {}).get("10"))
    obs = tokens = None
    for name, value in (locomo.get("anchors") or {}).items():
        if "observation" in name and isinstance(value, Mapping):
            obs = _num(value.get("10"))
        elif "token" in name:
            tokens = _num(value)
    return (
        turns if turns is not None else DRAGON_TURNS_R10,
        obs if obs is not None else DRAGON_OBSERVATIONS_R10,
        tokens if tokens is not None else FULL_CONTEXT_TOKENS,
    )


# --- LOCOMO -------------------------------------------------------------------------------


def locomo_tables(locomo: Mapping[str, Any]) -> str:
    """Overall recall@5/10/25, tokens and latency per system (with the anchors), then
    recall@10 per category."""
    dragon, dragon_obs, full_tokens = _anchors(locomo)
    lines = [
        "| system | ours? | questions | R@5 | R@10 | R@25 | tokens top-10 "
        "| tokens / conversation | search p50 ms | p95 ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in _systems(locomo):
        r = _recall(s)
        lat = s.get("latency_ms") or {}
        conv = (s.get("tokens_per_conversation") or {}).get("mean")
        error = f" (error: {s['error']})" if s.get("error") else ""
        lines.append(
            f"| {s['name']}{error} | {'yes' if is_ours(s['name']) else 'baseline'} "
            f"| {s.get('questions', '-')} | "
            + " | ".join(_f(r.get(k)) for k in KS)
            + f" | {_f(s.get('tokens_top10_mean'), 0)} | {_f(conv, 0)} "
            f"| {_f(lat.get('p50'))} | {_f(lat.get('p95'))} |"
        )
    lines += [
        f"| *anchor: DRAGON, LOCOMO paper (turns)* | - | - | - | {dragon:.1f} "
        "| - | - | - | - | - |",
        f"| *anchor: DRAGON, LOCOMO paper (observations)* | - | - | - | {dragon_obs:.1f} "
        "| - | - | - | - | - |",
        f"| *anchor: full context, Mem0 paper* | - | - | 100 | 100 | 100 | - "
        f"| ~{full_tokens:,.0f} | - | - |",
    ]
    groups = _category_groups(locomo)
    if groups:
        lines += [
            "",
            "Recall@10 per category (questions per category in the first table's runs):",
            "",
            "| system | " + " | ".join(groups) + " |",
            "|---|" + "---:|" * len(groups),
        ]
        for s in _systems(locomo):
            cells = []
            for g in groups:
                group = (s.get("recall") or {}).get(g) or {}
                r10 = _recall(s, g).get(10)
                cells.append("-" if r10 is None else f"{r10:.1f} (n={group.get('n', '?')})")
            lines.append(f"| {s['name']} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _category_groups(locomo: Mapping[str, Any]) -> list[str]:
    seen: dict[str, None] = {}
    for s in _systems(locomo):
        for g in s.get("recall") or {}:
            if g != "all":
                seen.setdefault(g, None)
    return list(seen)


def _pair_losses(
    ours: Mapping[str, Any], base: Mapping[str, Any], groups: Sequence[str]
) -> list[str]:
    """The metrics on which ``base`` does better than ``ours`` (higher recall, fewer
    tokens, lower latency)."""
    wins: list[str] = []
    mine, theirs = _recall(ours), _recall(base)
    for k in KS:
        a, b = mine.get(k), theirs.get(k)
        if a is not None and b is not None and b > a:
            wins.append(f"R@{k} {b:.1f} vs {a:.1f}")
    for g in groups:
        a, b = _recall(ours, g).get(10), _recall(base, g).get(10)
        if a is not None and b is not None and b > a:
            wins.append(f"R@10 on {g} {b:.1f} vs {a:.1f}")
    a, b = _num(ours.get("tokens_top10_mean")), _num(base.get("tokens_top10_mean"))
    if a is not None and b is not None and b < a:
        wins.append(f"fewer context tokens {b:.0f} vs {a:.0f}")
    elif wins and a is not None and b is not None and b > a:
        wins.append(f"but at {b:,.0f} context tokens vs {a:,.0f}")
    for p in ("p50", "p95"):
        a = _num((ours.get("latency_ms") or {}).get(p))
        b = _num((base.get("latency_ms") or {}).get(p))
        if a is not None and b and b < a:  # 0: no search at all (full context)
            wins.append(f"faster search {p} {b:.1f} vs {a:.1f} ms")
    return wins


def locomo_losses(locomo: Mapping[str, Any]) -> list[str]:
    """Where a baseline or an anchor beats one of our headline systems, from the numbers."""
    systems = {s["name"]: s for s in _systems(locomo) if not s.get("error")}
    groups = _category_groups(locomo)
    dragon, dragon_obs, _ = _anchors(locomo)
    out: list[str] = []
    for name in HEADLINE:
        ours = systems.get(name)
        if ours is None:
            continue
        for base in systems.values():
            if is_ours(base["name"]):
                continue
            wins = _pair_losses(ours, base, groups)
            if wins:
                n_ours, n_base = ours.get("questions"), base.get("questions")
                same = "" if n_ours == n_base else f" (on {n_base} vs {n_ours} questions)"
                out.append(f"LOCOMO: {base['name']} beats {name} on " + "; ".join(wins) + same)
        r10 = _recall(ours).get(10)
        anchor = dragon_obs if name == "ours-infer" else dragon
        label = "observations" if name == "ours-infer" else "turns"
        if r10 is not None and r10 < anchor:
            out.append(
                f"LOCOMO: {name} R@10 {r10:.1f} is below the DRAGON anchor ({label}) {anchor:.1f}"
            )
    return out


# --- speed --------------------------------------------------------------------------------


def speed_table(speed: Mapping[str, Any]) -> str:
    """The rows of ``benchmarks/core.py --out`` as they come (section, metric, value, ...)."""
    lines = [
        "| section | metric | measured | target | result | notes |",
        "|---|---|---:|---|---|---|",
    ]
    for row in speed.get("rows") or []:
        if not isinstance(row, Mapping):
            continue
        value, unit = _num(row.get("value")), str(row.get("unit") or "")
        if value is None:
            shown = "n/a"
        elif abs(value) >= 100 or unit in ("/s", "B", "MiB"):
            shown = f"{value:,.0f} {unit}"
        else:
            shown = f"{value:.3g} {unit}"
        passed = row.get("passed")
        verdict = "" if passed is None else ("PASS" if passed else "**MISS**")
        cells = (row.get("section"), row.get("metric"), shown.strip(), row.get("target"))
        note = str(row.get("note") or "").replace("|", "/")
        lines.append(
            "| "
            + " | ".join(str(c or "").replace("|", "/") for c in cells)
            + f" | {verdict} | {note} |"
        )
    return "\n".join(lines)


def speed_losses(speed: Mapping[str, Any]) -> list[str]:
    """Every speed target the run missed (``passed`` false in the rows), and every
    comparison where Mem0 OSS is faster than us (``mem0_comparison`` ratio below 1)."""
    out = []
    for size, metrics in (speed.get("mem0_comparison") or {}).items():
        for metric, ratio in (metrics or {}).items():
            r = _num(ratio)
            if r is not None and r < 1:
                out.append(f"speed: Mem0 OSS is faster than us at n={size}: {metric} = {r:.2f}")
    for row in speed.get("rows") or []:
        if isinstance(row, Mapping) and row.get("passed") is False:
            out.append(
                f"speed: {row.get('section')} {row.get('metric')}: "
                f"{_f(row.get('value'), 2)} {row.get('unit', '')} misses target {row.get('target')}"
            )
    return out


def search_series(data: Any, prefix: str = "") -> Iterator[tuple[str, int, float, float]]:
    """``(label, size, p50, p95)`` of every search latency the speed JSON holds: each
    ``search_summary`` mapping ``{size: {name: {"p50", "p95"}}}`` found at any depth (labelled
    by its path, so a later server or Mem0 section shows up as its own series). Only
    end-to-end series (names starting with "search" or naming mem0/server) are kept."""
    if isinstance(data, Mapping):
        for key, value in data.items():
            if key == "search_summary" and isinstance(value, Mapping):
                for size, parts in value.items():
                    if not (str(size).isdigit() and isinstance(parts, Mapping)):
                        continue
                    for name, stats in parts.items():
                        low = str(name).lower()
                        if not (low.startswith("search") or "mem0" in low or "server" in low):
                            continue
                        if isinstance(stats, Mapping):
                            p50, p95 = _num(stats.get("p50")), _num(stats.get("p95"))
                            if p50 is not None and p95 is not None:
                                yield f"{prefix}{name}", int(size), p50, p95
            elif key == "sizes" and isinstance(value, Mapping):  # server / mem0 sections
                for size, entry in value.items():
                    stats = entry.get("search") if isinstance(entry, Mapping) else None
                    if str(size).isdigit() and isinstance(stats, Mapping):
                        p50, p95 = _num(stats.get("p50")), _num(stats.get("p95"))
                        top_k = entry.get("top_k")
                        label = f"{prefix}search" + (f", limit {top_k}" if top_k else "")
                        if p50 is not None and p95 is not None:
                            yield label, int(size), p50, p95
            else:
                yield from search_series(value, f"{prefix}{key}: ")


# --- cost ---------------------------------------------------------------------------------


def cost_section(cost: Mapping[str, Any]) -> str:
    """The per-turn table of ``benchmarks/extraction_cost.py`` (its own formatter)."""
    from .extraction_cost import cost_table
    from .extraction_cost import speed_table as offline_speed_table

    parts = [cost_table(cost["cost"], str(cost.get("mem0ai_version", "?")))]
    try:
        cpus = int((cost.get("machine") or {}).get("cpus_available") or 0)
        parts.append(offline_speed_table(cost["rule_throughput"], cost["add_latency"], cpus))
    except (KeyError, TypeError, ValueError):
        pass
    return "\n\n".join(parts)


def cost_losses(cost: Mapping[str, Any]) -> list[str]:
    """Every per-turn measure where a Mem0 pipeline costs less than ours (ratio below 1)."""
    out = []
    summary = cost.get("cost") or {}
    for key, label in (
        ("ratio_mem0_classic_to_ours", "mem0 classic"),
        ("ratio_mem0_v3_to_ours", "mem0 v3"),
    ):
        for metric, ratio in (summary.get(key) or {}).items():
            r = _num(ratio)
            if r is not None and r < 1:
                out.append(f"cost: {label} needs {r:.2f}x our {metric.replace('_', ' ')}")
    latency = cost.get("add_latency") or {}
    if latency.get("pass") is False:
        p95 = _num((latency.get("ms") or {}).get("p95"))
        out.append(
            f"cost: add() without LLM p95 {_f(p95)} ms misses target "
            f"<= {_f(latency.get('target_p95_ms'), 0)} ms"
        )
    return out


# --- plots --------------------------------------------------------------------------------


def plot_recall(locomo: Mapping[str, Any] | None, path: Path) -> None:
    """Recall@k (k = 5, 10, 25) per system, with the DRAGON anchor at k = 10."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5))
    for s in _systems(locomo or {}):
        r = _recall(s)
        ks = [k for k in KS if k in r]
        if ks and not s.get("error"):
            style = "-" if is_ours(s["name"]) else "--"
            ax.plot(ks, [r[k] for k in ks], style, marker="o", label=s["name"])
    dragon, dragon_obs, _ = _anchors(locomo or {})
    ax.scatter([10], [dragon], marker="*", s=150, color="black", label="DRAGON (turns)", zorder=3)
    ax.scatter([10], [dragon_obs], marker="*", s=150, color="grey", label="DRAGON (obs.)")
    ax.set(xlabel="k (memories retrieved)", ylabel="evidence recall@k (%)", xticks=list(KS))
    ax.set_ylim(0, 105)
    ax.set_title("LOCOMO evidence recall@k (solid: ours, dashed: baselines)")
    if locomo is None:
        ax.text(0.5, 0.5, "LOCOMO did not run", transform=ax.transAxes, ha="center")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_latency(speed: Mapping[str, Any] | None, path: Path) -> None:
    """Search latency p50 (solid) and p95 (dashed) against the number of memories."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series: dict[str, list[tuple[int, float, float]]] = {}
    for label, size, p50, p95 in search_series(speed or {}):
        series.setdefault(label, []).append((size, p50, p95))
    fig, ax = plt.subplots(figsize=(8, 5))
    sizes: set[int] = set()
    for i, (label, points) in enumerate(sorted(series.items())):
        points.sort()
        xs = [p[0] for p in points]
        sizes.update(xs)
        color = f"C{i % 10}"
        ax.plot(xs, [p[1] for p in points], "-o", color=color, label=f"{label} p50")
        ax.plot(xs, [p[2] for p in points], "--s", color=color, label=f"{label} p95")
    if len(sizes) > 1 and max(sizes) >= 10 * min(sizes):
        ax.set_xscale("log")
    if sizes:
        ax.set_xticks(sorted(sizes), [f"{x:,}" for x in sorted(sizes)])
        ax.minorticks_off()
    if series:
        ax.axhline(TARGET_P95_MS, color="red", linestyle=":", label="target p95 (100k memories)")
    else:
        ax.text(0.5, 0.5, "no search latency measured", transform=ax.transAxes, ha="center")
    ax.set(xlabel="memories in the store", ylabel="search latency (ms)")
    top = max((p[2] for points in series.values() for p in points), default=TARGET_P95_MS)
    ax.set_ylim(0, 1.2 * max(top, TARGET_P95_MS))
    ax.set_title("Search latency against memory count")
    ax.grid(alpha=0.3)
    if series:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


# --- the report ---------------------------------------------------------------------------


def _header(meta: Meta) -> list[str]:
    m = meta.machine
    lines = ["# Benchmark report", ""]
    if meta.quick:
        lines += [
            "> **Quick run** (`--quick`): LOCOMO conversations 0-1 with a subset of systems, a "
            "small speed workload, the cost of the first 150 turns of conversation 0. The "
            "numbers check that the harness works; they are not the published figures "
            "(run `python -m benchmarks all`).",
            "",
        ]
    lines += [
        f"- command: `{meta.command}`",
        f"- date: {meta.date}",
        f"- commit: {meta.commit}",
        f"- machine: {m.get('processor', '?')}, {m.get('cpus_available', '?')} CPUs available, "
        f"{m.get('platform', '?')}; Python {m.get('python', '?')}, chromadb "
        f"{m.get('chromadb', '?')}, onnxruntime {m.get('onnxruntime', '?')}",
    ]
    lines += [f"- {n}" for n in meta.notes]
    for step in meta.steps:
        note = f" ({step['note']})" if step.get("note") else ""
        took = "" if step.get("seconds") is None else f", {_f(step.get('seconds'), 0)} s"
        lines.append(f"- step {step['name']}: {step['status']}{took}{note}")
    return lines


def markdown(
    meta: Meta,
    locomo: Mapping[str, Any] | None,
    speed: Mapping[str, Any] | None,
    cost: Mapping[str, Any] | None,
) -> str:
    """The whole REPORT.md text."""
    lines = _header(meta)
    losses: list[str] = []
    lines += ["", "## Where we lose", "", "<!-- losses -->"]
    lines += ["", "## LOCOMO retrieval quality", ""]
    if locomo:
        losses += locomo_losses(locomo)
        lines += [
            f"Conversations {locomo.get('conversations', '?')}, {locomo.get('questions', '?')} "
            "questions; evidence recall in percent (mean over questions); tokens "
            "(cl100k_base) of the top-10 memory texts; search latency with the query "
            f"embedding. Details: `{Path(str(locomo.get('_path', 'locomo.json'))).name}` and "
            "the `.md` beside it.",
            "",
        ]
        lines += [f"- {n}" for n in locomo.get("baseline_notes") or []]
        lines += ["", locomo_tables(locomo), "", f"![recall@k]({RECALL_PNG})"]
    else:
        lines.append("Not measured in this run (see the steps above).")
    lines += ["", "## Speed", ""]
    if speed:
        losses += speed_losses(speed)
        args = speed.get("arguments") or {}
        lines += [
            "`benchmarks/core.py` on synthetic memories; arguments: "
            + ", ".join(f"{k}={v}" for k, v in args.items() if v is not None),
            "",
            speed_table(speed),
            "",
            f"![latency vs size]({LATENCY_PNG})",
        ]
    else:
        lines.append("Not measured in this run (see the steps above).")
    lines += ["", "## Cost per turn", ""]
    if cost:
        losses += cost_losses(cost)
        try:
            lines.append(cost_section(cost))
        except (KeyError, TypeError, ValueError) as e:
            lines.append(f"The cost JSON has an unexpected shape ({type(e).__name__}: {e}).")
    else:
        lines.append("Not measured in this run (see the steps above).")
    at = lines.index("<!-- losses -->")
    lines[at : at + 1] = [f"- {x}" for x in losses] or ["- nothing measured here beats us"]
    return "\n".join(lines) + "\n"


def build(
    out_dir: Path,
    meta: Meta,
    locomo: Mapping[str, Any] | None,
    speed: Mapping[str, Any] | None,
    cost: Mapping[str, Any] | None,
) -> list[Path]:
    """Write REPORT.md and both PNGs into ``out_dir``; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    report, recall, latency = out_dir / REPORT_MD, out_dir / RECALL_PNG, out_dir / LATENCY_PNG
    plot_recall(locomo, recall)
    plot_latency(speed, latency)
    report.write_text(markdown(meta, locomo, speed, cost), encoding="utf-8")
    return [report, recall, latency]
