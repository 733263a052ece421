"""Relative dates resolved against the time a message was said.

"next Friday", "in 3 days", "last year", "on March 3rd": :func:`context`
finds the first date expression of a clause, :func:`backward` tells which way
a date without a year points from the day it was said (a rescheduled or coming
event ahead, past narration back) from what the date is attached to,
:func:`resolve` turns one match of :data:`DATE` into a :class:`When` (a day,
week, weekend, month or year), and :func:`annotate` writes the resolved dates
beside their expressions. Pure functions of the text and a reference day; the
words that give a date its direction are data (``_data/dates_cues.txt``).
"""

from __future__ import annotations

import calendar
import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta

from ..vocab import data_sections

__all__ = [
    "DATE",
    "MONTHS",
    "NUM",
    "WEEKDAYS",
    "Context",
    "When",
    "annotate",
    "backward",
    "context",
    "event_span",
    "has_date",
    "resolve",
    "undated",
]


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.I)


WEEKDAYS = "monday|tuesday|wednesday|thursday|friday|saturday|sunday"
MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
NUM = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


_AFTER_DAY = r"(?:at|and|or|but|so|then|too|with|instead|again)"
"""Words that may follow "on the 3rd" (which is not "on the 3rd floor")."""
_COUNT = r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|(?:a\s+)?couple\s+of)"
DATE = _rx(
    r"\b(?:(?P<prep>on|by|until|till|before|after|since|from)\s+)?(?:"
    r"(?P<rel>the\s+day\s+after\s+tomorrow|the\s+day\s+before\s+yesterday|today|tonight|"
    r"tomorrow|yesterday|last\s+night|this\s+(?:morning|afternoon|evening))"
    r"(?:\s+(?:morning|afternoon|evening|night))?"
    r"|(?P<dir>next|last|this|coming|past)\s+(?P<unit>week|weekend|month|year|" + WEEKDAYS + ")"
    r"|in\s+(?P<n>" + _COUNT + r")\s+(?P<u>day|week|month|year)s?"
    r"|(?P<n2>" + _COUNT + r")\s+(?P<u2>day|week|month|year)s?\s+ago"
    r"|(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+(?P<day>\d{1,2})"
    r"(?:st|nd|rd|th)?(?![\d:])(?:,?\s+(?P<yr>\d{4}))?"
    r"|(?:the\s+)?(?P<day2>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon2>" + MONTHS + r")"
    r"(?:,?\s+(?P<yr2>\d{4}))?"
    r"|(?P<mdir>in|this|next|last|early|late|mid|until|till)\s+(?P<mon3>" + MONTHS + r")(?!\s+\d)"
    r"|to\s+(?-i:(?=[A-Z]))(?P<mon4>" + MONTHS + r")(?!\s+\d)"
    r"|(?:(?<=\bon\s)|(?<=\bby\s)|(?<=\bto\s)|(?<=\bfor\s)|(?<=\buntil\s)|(?<=\btill\s))"
    r"the\s+(?P<day3>\d{1,2})(?:st|nd|rd|th)(?!-)(?!\s+(?!" + _AFTER_DAY + r"\b)[a-z])"
    r"|(?P<wd>" + WEEKDAYS + r"))\b"
)
"""A date expression; ``prep`` is the preposition before it, if one of a few."""
_PAST_GRAMMAR = r"\b(?:i|we)\s+(?:\w+ly\s+|just\s+|also\s+|finally\s+)?(?!need\b)\w+ed\b"
"""A first-person verb in -ed ("we finally booked"); "I need" is not one."""
_HAVE_GOT = _rx(r"(?:'ve|\bhave|\bhas|'s)\s+$")
"""Before "got", a present perfect that means "have" ("I've got a meeting on Friday")."""
_SINCE = {"since"}
"""Prepositions that put a date before the statement ("since March 3")."""
_COPULA = _rx(
    r"\b(?P<be>is|are|am|'s|'re|'m|was|were)\s+"
    r"(?:(?:now|still|actually|officially|finally|also|definitely|probably)\s+)?(?:on\s+)?$"
)
"""The date is what the subject "is on" ("the wedding is on March 11") or "was on"."""


def _sections(name: str) -> dict[str, list[str]]:
    """The sections of a data file beside this module: ``[name]`` headers, then one
    lowercase word or phrase a line; ``#`` starts a comment line."""
    return data_sections(__package__, name)


def _words(phrases: list[str]) -> str:
    alts = sorted((r"\s+".join(map(re.escape, p.split())) for p in phrases), key=len, reverse=True)
    return r"\b(?:" + "|".join(alts) + r")\b"


@dataclass(frozen=True)
class _Cues:
    past: re.Pattern[str]
    future: re.Pattern[str]
    scheduled: re.Pattern[str]


@functools.cache
def _cues() -> _Cues:
    """Patterns built from ``_data/dates_cues.txt`` (read once, on first use)."""
    words = _sections("dates_cues.txt")
    return _Cues(
        past=_rx(_words(words["past"]) + "|" + _PAST_GRAMMAR),
        future=_rx(_words(words["future"])),
        scheduled=_rx(
            _words(words["scheduled"]) + r"(?:[\s,]+[\w'-]+){0,6}?\s+(?:to|for|until|till)\s+$"
        ),
    )


@dataclass(frozen=True)
class When:
    kind: str
    start: date
    end: date
    label: str


def _weekday(ref: date, wd: int, step: int) -> date:
    if step > 0:
        return ref + timedelta((wd - ref.weekday()) % 7 or 7)
    return ref - timedelta((ref.weekday() - wd) % 7 or 7)


def _month(year: int, month: int) -> When:
    last = calendar.monthrange(year, month)[1]
    return When("month", date(year, month, 1), date(year, month, last), f"{year:04d}-{month:02d}")


def _shift_month(ref: date, months: int) -> When:
    y, m = divmod(ref.month - 1 + months, 12)
    return _month(ref.year + y, m + 1)


def _day(d: date) -> When:
    return When("day", d, d, d.isoformat())


def _week(monday: date, kind: str = "week") -> When:
    if kind == "weekend":
        sat = monday + timedelta(5)
        return When("weekend", sat, sat + timedelta(1), f"weekend of {sat.isoformat()}")
    return When("week", monday, monday + timedelta(6), f"week of {monday.isoformat()}")


def _year(y: int) -> When:
    return When("year", date(y, 1, 1), date(y, 12, 31), str(y))


def _month_day(ref: date, month: int, day: int, year: str | None, past: bool) -> When | None:
    try:
        d = date(int(year) if year else ref.year, month, day)
        if not year and past and d > ref:
            d = d.replace(year=d.year - 1)
        elif not year and not past and d < ref:
            d = d.replace(year=d.year + 1)
    except ValueError:
        return None
    return _day(d)


def _day_of_month(ref: date, day: int, past: bool) -> When | None:
    """Day ``day`` of a month ("on the 3rd"): the latest such day on or before ``ref``
    if ``past``, else the next one on or after it (months without that day are skipped)."""
    year, month = ref.year, ref.month
    for _ in range(13):
        try:
            d = date(year, month, day)
        except ValueError:
            d = None
        if d is not None and (d <= ref if past else d >= ref):
            return _day(d)
        year, month = divmod(year * 12 + month - 1 + (-1 if past else 1), 12)
        month += 1
    return None


def _named_month(ref: date, month: int, mdir: str, past: bool) -> When:
    """A month named without a year ("in June", "next March", "until May"): this
    year's, or the nearest one ahead ("next" or not ``past``) or back ("last" or ``past``)."""
    if mdir == "next" or (mdir != "last" and not past):
        strict = mdir == "next"
        year = ref.year + (month < ref.month or (strict and month == ref.month))
    else:
        strict = mdir == "last"
        year = ref.year - (month > ref.month or (strict and month == ref.month))
    return _month(year, month)


def resolve(m: re.Match[str], ref: date, past: bool) -> When | None:
    """The date a relative expression means, said on ``ref``; ``past`` says which way a
    date without a year points (see :func:`backward`)."""
    g = {k: (v.lower() if v else None) for k, v in m.groupdict().items()}
    days = WEEKDAYS.split("|")
    months = MONTHS.split("|")
    monday = ref - timedelta(ref.weekday())
    if g["rel"]:
        rel = " ".join(g["rel"].split())
        offsets = {"tomorrow": 1, "yesterday": -1, "last night": -1}
        offsets |= {"the day after tomorrow": 2, "the day before yesterday": -2}
        return _day(ref + timedelta(offsets.get(rel, 0)))
    if g["unit"] and g["dir"]:
        step = {"next": 1, "coming": 1, "last": -1, "past": -1, "this": 0}[g["dir"]]
        unit = g["unit"]
        if unit in days:
            return _day(_weekday(ref, days.index(unit), step or (-1 if past else 1)))
        if unit in ("week", "weekend"):
            return _week(monday + timedelta(7 * step), unit)
        return _shift_month(ref, step) if unit == "month" else _year(ref.year + step)
    if g["u"] or g["u2"]:
        n = NUM.get(" ".join((g["n"] or g["n2"] or "").split()))
        count = n if n is not None else int(g["n"] or g["n2"] or 0)
        sign, unit = (1, g["u"]) if g["u"] else (-1, g["u2"])
        if unit == "day":
            return _day(ref + timedelta(sign * count))
        if unit == "week":
            return _week(monday + timedelta(7 * sign * count))
        return (
            _shift_month(ref, sign * count) if unit == "month" else _year(ref.year + sign * count)
        )
    if g["mon"] and g["day"]:
        month = [x[:3] for x in months].index(g["mon"][:3]) + 1
        return _month_day(ref, month, int(g["day"]), g["yr"], past)
    if g["mon2"] and g["day2"]:
        return _month_day(ref, months.index(g["mon2"]) + 1, int(g["day2"]), g["yr2"], past)
    if g["day3"]:
        return _day_of_month(ref, int(g["day3"]), past)
    if g["mon4"]:
        return _named_month(ref, months.index(g["mon4"]) + 1, "to", past)
    if g["mon3"] and g["mdir"]:
        return _named_month(ref, months.index(g["mon3"]) + 1, g["mdir"], past)
    if g["wd"]:
        return _day(_weekday(ref, days.index(g["wd"]), -1 if past else 1))
    return None


@dataclass(frozen=True)
class Context:
    """What a clause's rules may need: the reference day, its tense and first date."""

    ref: date
    past: bool
    """True if the first date points back from ``ref`` (see :func:`backward`); without
    a date, if the clause has a past word and no future one."""
    when: str = ""
    """`` on 2024-05-17`` for the clause's first date expression, ``""`` if none."""
    future: bool = False
    day: date | None = None


_DATE_HINTS = (
    "day", "tomorrow", "tonight", "night", "morning", "afternoon", "evening", "week", "month",
    "year", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
)  # fmt: skip


_DATE_HINT = re.compile("|".join(_DATE_HINTS) + r"|\d(?:st|nd|rd|th)\b", re.I)


def has_date(text: str) -> bool:
    """A cheap test that lets most clauses skip the date regex."""
    return _DATE_HINT.search(text) is not None


def _preposition(m: re.Match[str]) -> str:
    """The word that introduces the date expression ``m`` ("on", "until", "to"), or ""."""
    mdir = (m.group("mdir") or "").lower()
    word = m.group("prep") or (mdir if mdir in {"until", "till"} else "")
    return (word or ("to" if m.group("mon4") else "")).lower()


def _attached(text: str, m: re.Match[str]) -> bool | None:
    """The direction the words right before the date ``m`` give it: True (past) for
    "since March 3" and "was on June 3"; False (ahead) for a date an event was moved,
    postponed or scheduled to ("got pushed back to March 11", "rescheduled for Friday")
    and for what something "is on" ("the wedding is on March 11"); None otherwise."""
    prep = _preposition(m)
    if prep in _SINCE:
        return True
    lead = text[: m.start()] + (f"{m.group('prep')} " if m.group("prep") else "")
    if prep and not m.group("prep"):
        lead += f"{prep} "
    if _cues().scheduled.search(lead):
        return False
    be = _COPULA.search(lead)
    return None if be is None else be.group("be").lower() in {"was", "were"}


def _tense_marks(text: str) -> list[tuple[int, int, bool]]:
    """(start, end, past) of each word that gives ``text`` a tense."""
    cues = _cues()
    marks = [(x.start(), x.end(), False) for x in cues.future.finditer(text)]
    for x in cues.past.finditer(text):
        have_got = x.group().lower() == "got" and _HAVE_GOT.search(text, 0, x.start())
        marks.append((x.start(), x.end(), not have_got))
    return marks


def _nearest_tense(text: str, m: re.Match[str]) -> bool | None:
    """Past (True) or not, by the nearest tense word before the date ``m``, else the
    first one after it ("On June 3 I flew home"); None if ``text`` has none."""
    marks = _tense_marks(text)
    before = [k for k in marks if k[1] <= m.start()]
    if before:
        return max(before, key=lambda k: (k[1], -k[0]))[2]
    after = [k for k in marks if k[0] >= m.end()]
    return min(after)[2] if after else None


def backward(text: str, m: re.Match[str], default: bool = False) -> bool:
    """True if the date expression ``m`` of ``text`` points back from the day it was said
    (its latest such day on or before it), False if ahead (the next such day on or after).

    Decided by what the date is attached to, not by the clause as a whole: the words
    right before it (:func:`_attached`), else the nearest verb or tense word
    (:func:`_nearest_tense`), else ``default``. Explicit years, "next", "last" and
    counted offsets do not depend on it.
    """
    direction = _attached(text, m)
    if direction is None:
        direction = _nearest_tense(text, m)
    return default if direction is None else direction


def _clause_past(text: str) -> bool:
    cues = _cues()
    return bool(cues.past.search(text)) and not cues.future.search(text)


def context(clause: str, ref: date) -> Context:
    if not has_date(clause):
        return Context(ref, False)
    for m in DATE.finditer(clause):
        past = backward(clause, m)
        w = resolve(m, ref, past)
        if w is None:
            continue
        prep = _preposition(m)
        if prep not in {"by", "until", "till", "before", "after", "since"}:
            prep = {"day": "on", "week": "in the", "weekend": "on the"}.get(w.kind, "in")
        day = w.start if w.kind == "day" else None
        return Context(ref, past, f" {prep} {w.label}", not past and w.end >= ref, day)
    return Context(ref, _clause_past(clause))


def undated(text: str) -> str:
    return " ".join(DATE.sub(" ", text).split()) if has_date(text) else text


def annotate(text: str, ctx: Context) -> str:
    """``text`` with each date expression followed by its resolved date in brackets."""
    if not has_date(text):
        return text
    out, pos = [], 0
    for m in DATE.finditer(text):
        w = resolve(m, ctx.ref, backward(text, m, ctx.past))
        if w is None:
            continue
        end = m.end() + 2 if text.startswith("'s", m.end()) else m.end()
        out += [text[pos:end], f" ({w.label})"]
        pos = end
    return "".join(out) + text[pos:]


_LABEL = re.compile(
    r"\b(?:(?P<kind>weekend|week)\s+of\s+)?(?P<y>(?:19|20)\d\d)-(?P<m>0[1-9]|1[0-2])"
    r"(?:-(?P<d>[0-3]\d))?\b"
    r"|(?:\(|\b(?:in|since|of|from|year)\s+)(?P<year>(?:19|20)\d\d)\b(?![-/:])",
    re.I,
)


def event_span(text: str, ref: date) -> tuple[date, date] | None:
    """The first and last day ``text`` is about, or None if it names no date.

    Resolved dates the extractors write (``2026-11-27``, ``week of 2026-11-16``,
    ``2026-11``, ``(2025)``) are read first; otherwise the first date expression
    ("next Friday", "last year", "on March 3rd") is resolved against ``ref``,
    the day the text was said, in the direction :func:`backward` gives it.
    """
    m = _LABEL.search(text)
    if m is not None:
        try:
            if m.group("year"):
                w = _year(int(m.group("year")))
            elif m.group("d"):
                day = date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
                kind = (m.group("kind") or "").lower()
                w = _week(day - timedelta(day.weekday()), kind) if kind else _day(day)
            else:
                w = _month(int(m.group("y")), int(m.group("m")))
            return w.start, w.end
        except ValueError:
            pass
    if not has_date(text):
        return None
    for match in DATE.finditer(text):
        when = resolve(match, ref, backward(text, match))
        if when is not None:
            return when.start, when.end
    return None
