"""Ranking and decay: pure functions of a memory, the query's signals and the time.

Search score (:func:`score`): the weighted mean of five signals, each in ``[0, 1]``:

* ``similarity``: cosine similarity of the query and memory vectors (clamped at 0);
* ``keyword``: BM25 over memory text (:mod:`.keywords`), so names, numbers and
  rare words count even when the embedding misses them;
* ``recency``: ``0.5 ** (age / recency_half_life_days)``, age counted from when
  the fact was stated;
* ``importance``: the memory's importance (0.5 unless feedback changed it);
* ``reinforcement``: ``uses / (uses + reinforcement_saturation)``, uses being
  retrievals and confirmations (diminishing returns).

Decay (:func:`retention`): a memory's strength is ``0.5 ** (idle / half_life)``.
``idle`` counts days since it was last stated, confirmed, retrieved or, for a
dated fact, due (a future exam does not fade before its day). ``half_life``
comes from the memory's decay class (:func:`decay_class`: its category, or
``transient`` for current states such as "this week"), grows with use
(``x (1 + ln(1 + uses))``) and with importance (``x (0.5 + importance)``).
Below ``archive_threshold`` the memory leaves default search and
``consolidate()`` archives it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from ..config import DecayConfig, RankingConfig
from ..models import MemoryRecord, ScoreExplanation, ScorePart
from .keywords import KeywordScore

__all__ = [
    "Decay",
    "decay_class",
    "due_at",
    "explain",
    "half_life",
    "recency",
    "reinforcement",
    "retention",
    "score",
]

_DAY = 86_400.0
_TRANSIENT = re.compile(
    r"\b(?:today|tonight|this\s+(?:morning|afternoon|evening|week|weekend)|right\s+now|"
    r"at\s+the\s+moment)\b",
    re.I,
)


def _days(delta: timedelta) -> float:
    return delta.total_seconds() / _DAY


def recency(record: MemoryRecord, now: datetime, half_life_days: float) -> float:
    """``0.5 ** (days since the fact was stated / half_life_days)``; 1 for future times."""
    age = max(0.0, _days(now - record.said_at))
    return float(0.5 ** (age / half_life_days))


def reinforcement(uses: int, saturation: float) -> float:
    """``uses / (uses + saturation)``: 0 unused, 0.5 at ``saturation`` uses, towards 1."""
    return uses / (uses + saturation) if uses > 0 else 0.0


def decay_class(record: MemoryRecord) -> str:
    """The key of :attr:`DecayConfig.half_lives` a memory decays by: ``episode`` for an
    episode (whatever it says: it is a record of a turn, not a claim about now)."""
    if record.kind == "episode":
        return "episode"
    if _TRANSIENT.search(record.text):
        return "transient"
    return record.category or "default"


def half_life(record: MemoryRecord, decay: DecayConfig, cls: str | None = None) -> float | None:
    """Days for the memory's strength to halve, or None if it never decays (``cls``: its
    :func:`decay_class`, when the caller has it already)."""
    cls = cls or decay_class(record)
    base = decay.half_lives.get(cls, decay.half_lives.get("default"))
    if base is None:
        return None
    return base * (1.0 + math.log1p(record.access_count)) * (0.5 + record.importance)


def due_at(record: MemoryRecord) -> datetime | None:
    """End of the last day a dated fact is about (UTC), or None."""
    if record.event_end is None:
        return None
    return datetime.combine(record.event_end, time.max, tzinfo=UTC)


def _last_live(record: MemoryRecord) -> datetime:
    """The latest of: stated, retrieved or confirmed, due."""
    times = [record.said_at]
    if record.last_accessed_at is not None:
        times.append(record.last_accessed_at)
    due = due_at(record)
    if due is not None:
        times.append(due)
    return max(times)


@dataclass(frozen=True)
class Decay:
    """A memory's decay state at one time."""

    retention: float
    half_life_days: float | None
    decay_class: str
    idle_days: float


def retention(record: MemoryRecord, now: datetime, decay: DecayConfig) -> Decay:
    """How much of the memory's strength is left at ``now`` (1 = fresh)."""
    idle = max(0.0, _days(now - _last_live(record)))
    cls = decay_class(record)
    days = half_life(record, decay, cls)
    value = 1.0 if days is None or not decay.enabled else float(0.5 ** (idle / days))
    return Decay(value, days, cls, idle)


def _signals(
    record: MemoryRecord,
    similarity: float,
    keyword: KeywordScore | None,
    now: datetime,
    ranking: RankingConfig,
) -> tuple[dict[str, float], dict[str, float]]:
    values = {
        "similarity": min(1.0, max(0.0, similarity)),
        "keyword": keyword.value if keyword else 0.0,
        "recency": recency(record, now, ranking.recency_half_life_days),
        "importance": record.importance,
        "reinforcement": reinforcement(record.access_count, ranking.reinforcement_saturation),
    }
    weights = {
        "similarity": ranking.similarity_weight,
        "keyword": ranking.keyword_weight,
        "recency": ranking.recency_weight,
        "importance": ranking.importance_weight,
        "reinforcement": ranking.reinforcement_weight,
    }
    return values, weights


def score(
    record: MemoryRecord,
    *,
    similarity: float,
    keyword: KeywordScore | None,
    now: datetime,
    ranking: RankingConfig,
) -> float:
    """The search score of one memory: the weighted mean of its signals, in ``[0, 1]``."""
    values, weights = _signals(record, similarity, keyword, now, ranking)
    total = sum(weights.values())
    value = sum(weights[k] * values[k] for k in values) / total
    if record.past(now):
        value *= ranking.past_factor
    return min(1.0, max(0.0, value))


def explain(
    record: MemoryRecord,
    *,
    similarity: float,
    keyword: KeywordScore | None,
    now: datetime,
    ranking: RankingConfig,
    decay: DecayConfig,
) -> ScoreExplanation:
    """The parts of :func:`score` and the memory's decay state."""
    values, weights = _signals(record, similarity, keyword, now, ranking)
    total = sum(weights.values())
    state = retention(record, now, decay)
    return ScoreExplanation(
        parts={
            name: ScorePart(
                value=values[name],
                weight=weights[name],
                contribution=weights[name] * values[name] / total,
            )
            for name in values
        },
        retention=state.retention,
        half_life_days=state.half_life_days,
        decay_class=state.decay_class,
        age_days=max(0.0, _days(now - record.said_at)),
        idle_days=state.idle_days,
        matched_terms=list(keyword.matched) if keyword else [],
    )
