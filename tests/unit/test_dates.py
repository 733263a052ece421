"""Which way a date without a year points from the day it was said.

A rescheduled or coming event ("got moved to March 11", "the wedding is on Saturday")
resolves to the next such day on or after the statement; past narration ("we met on
June 3") to the latest one on or before it; an explicit year is never changed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from mem0_integrations import Memory
from mem0_integrations.core.extract.dates import (
    DATE,
    annotate,
    backward,
    context,
    event_span,
    has_date,
)
from mem0_integrations.core.extract.rules import RuleExtractor
from mem0_integrations.core.models import Message

from .conftest import FakeClock

# A Tuesday. Friday is 2026-12-04 ahead, 2026-11-27 back.
SAID = date(2026, 12, 1)


def first_day(text: str, ref: date = SAID) -> date:
    span = event_span(text, ref)
    assert span is not None, text
    return span[0]


def extract(text: str, ref: date = SAID) -> list[str]:
    at = datetime(ref.year, ref.month, ref.day, 12, tzinfo=UTC)
    msg = Message.model_validate({"role": "user", "content": text, "created_at": at})
    return [c.text for c in RuleExtractor().extract([msg], now=at)]


def test_the_issue_a_moved_appointment_said_in_december_is_next_march(
    memory: Memory, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    memory.add("My dentist appointment got moved to March 11.", user_id="u")
    texts = [r.text for r in memory.get_all(user_id="u")]
    assert any("(2027-03-11)" in t for t in texts), texts
    assert not any("2026-03-11" in t for t in texts), texts


@pytest.mark.parametrize(
    ("said", "day"),
    [
        ("my dentist appt got pushed back to march 11 lol", date(2027, 3, 11)),
        ("The meeting was rescheduled for Jan 5.", date(2027, 1, 5)),
        ("they moved my surgery up to feb 2nd", date(2027, 2, 2)),
        ("ugh my appointment got moved to Friday", date(2026, 12, 4)),
        ("ok so the party got postponed till saturday", date(2026, 12, 5)),
        ("The meeting got bumped to this Friday.", date(2026, 12, 4)),
        ("I was going to call her but the review was delayed to Monday", date(2026, 12, 7)),
        ("We booked a table for Nov 28.", date(2027, 11, 28)),
        ("The wedding is on March 11!", date(2027, 3, 11)),
        ("the wedding is on saturday!!", date(2026, 12, 5)),
        ("my flight on the 3rd", date(2026, 12, 3)),
        ("my flight's on the 30th", date(2026, 12, 30)),
        ("I'm flying to Rome on June 3, finally got the tickets", date(2027, 6, 3)),
        ("im flying to rome on june 3 finally got tix", date(2027, 6, 3)),
        ("I've got a dentist appointment on Friday", date(2026, 12, 4)),
        ("we'll meet on Friday", date(2026, 12, 4)),
        ("I have a call next Friday", date(2026, 12, 4)),
        ("My sister is coming on the coming Sunday", date(2026, 12, 6)),
        ("i met him at work and we're seeing each other on nov 30", date(2027, 11, 30)),
    ],
)
def test_a_rescheduled_or_coming_event_is_the_next_such_day(said: str, day: date) -> None:
    assert first_day(said) == day


@pytest.mark.parametrize(
    ("said", "day"),
    [
        ("I went to Paris on March 11.", date(2026, 3, 11)),
        ("we met on june 3 at a friend's bbq", date(2026, 6, 3)),
        ("I'm so glad we met on June 3", date(2026, 6, 3)),
        ("On Dec 20 I flew home", date(2025, 12, 20)),
        ("Our anniversary party was on Dec 20.", date(2025, 12, 20)),
        ("I took my driving test on the 2nd.", date(2026, 11, 2)),
        ("I had a great time at the wedding on Saturday.", date(2026, 11, 28)),
        ("It's been raining since Tuesday.", date(2026, 11, 24)),
        ("I've been vegan since Dec 5", date(2025, 12, 5)),
        ("We moved to Berlin on Dec 11.", date(2025, 12, 11)),
        ("I'm thinking about the trip we took on Dec 9", date(2025, 12, 9)),
    ],
)
def test_past_narration_stays_in_the_past(said: str, day: date) -> None:
    assert first_day(said) == day


@pytest.mark.parametrize(
    ("said", "day"),
    [
        ("The launch got moved to March 11, 2026.", date(2026, 3, 11)),
        ("I went to Rome on June 3, 2027.", date(2027, 6, 3)),
        ("my flight is on 3 June 2025", date(2025, 6, 3)),
    ],
)
def test_an_explicit_year_is_never_changed(said: str, day: date) -> None:
    assert first_day(said) == day


def test_the_statement_day_itself_counts_as_ahead() -> None:
    march_11 = date(2026, 3, 11)
    assert first_day("My appointment got moved to March 11.", march_11) == march_11
    assert first_day("my flight is on the 11th", march_11) == march_11


def test_a_day_of_the_month_skips_months_without_it() -> None:
    assert first_day("my rent is due on the 31st", date(2027, 2, 10)) == date(2027, 3, 31)
    assert first_day("I paid the rent on the 31st", SAID) == date(2026, 10, 31)


@pytest.mark.parametrize(
    ("said", "start", "end"),
    [
        ("The conference got moved to March.", date(2027, 3, 1), date(2027, 3, 31)),
        ("the recital got pushed till june", date(2027, 6, 1), date(2027, 6, 30)),
        ("We stayed in Lisbon until June.", date(2026, 6, 1), date(2026, 6, 30)),
    ],
)
def test_a_month_alone_after_to_or_until(said: str, start: date, end: date) -> None:
    assert event_span(said, SAID) == (start, end)


@pytest.mark.parametrize(
    "said",
    ["I live on the 3rd floor", "We finished 2nd in the league", "I was on the 1st-year team"],
)
def test_an_ordinal_that_is_not_a_day_is_no_date(said: str) -> None:
    assert event_span(said, SAID) is None


def test_has_date_sees_a_bare_day_of_the_month() -> None:
    assert has_date("see you on the 3rd")
    assert not has_date("see you there")


def test_each_date_of_a_sentence_gets_its_own_direction() -> None:
    said = "We met on Saturday and I'm seeing her again on Friday."
    assert annotate(said, context(said, SAID)) == (
        "We met on Saturday (2026-11-28) and I'm seeing her again on Friday (2026-12-04)."
    )
    said = "I was supposed to fly on Friday but it got pushed to Sunday"
    ahead = [backward(said, m) for m in DATE.finditer(said)]
    assert ahead == [True, False]


def test_context_of_a_rescheduled_event_is_ahead() -> None:
    ctx = context("My appointment got moved to March 11", SAID)
    assert (ctx.past, ctx.future, ctx.when, ctx.day) == (
        False,
        True,
        " on 2027-03-11",
        date(2027, 3, 11),
    )
    ctx = context("My appointment was on March 11", SAID)
    assert (ctx.past, ctx.future, ctx.when) == (True, False, " on 2026-03-11")


def test_backward_falls_back_to_the_default_without_any_tense_word() -> None:
    said = "the big game on Friday"
    (m,) = DATE.finditer(said)
    assert backward(said, m) is False
    assert backward(said, m, default=True) is True


def test_the_rule_extractor_writes_the_resolved_days() -> None:
    assert extract("my dentist appt got pushed back to march 11") == [
        "My dentist appt got pushed back to march 11 (2027-03-11)"
    ]
    assert extract("My driving test is on the 2nd.") == ["Driving test on 2026-12-02"]
    assert extract("I took my driving test on the 2nd.") == [
        "I took my driving test on the 2nd (2026-11-02)."
    ]
