"""The rule table: one anchored regular expression and one handler each, tried by first word.

The patterns are data (``_data/rules_patterns.txt``, format in its header); this module
names the handlers they call and reads the table once, on first use.
"""

from __future__ import annotations

import functools
import re

from .dates import Context as _Ctx
from .rules_activity import (
    _been_doing,
    _can,
    _exercise,
    _goal,
    _good_at,
    _habit,
    _learning,
    _plan,
    _plan_my,
    _routine,
    _speaks,
    _started,
    _uses,
)
from .rules_identity import (
    _address,
    _age,
    _allergy,
    _avoids,
    _birthday,
    _condition,
    _diet,
    _education,
    _employer,
    _favorite,
    _Handler,
    _hometown,
    _injury,
    _location,
    _medication,
    _moving,
    _name,
    _occupation,
    _occupation_state,
    _pet,
    _preference,
    _quit_job,
    _relationship,
    _relative_named,
    _relative_says,
    _switch,
)
from .rules_phrases import _alt, _Fact
from .rules_vocab import _ADV, _I, _IM, _IM1, _MOD, lines, mapping

_HANDLERS: tuple[_Handler, ...] = (
    _quit_job, _name, _age, _birthday, _allergy, _condition, _injury, _medication, _diet,
    _avoids, _preference, _favorite, _relative_named, _relative_says, _pet, _hometown,
    _location, _address, _moving, _employer, _occupation, _occupation_state, _relationship,
    _education, _switch, _learning, _can, _speaks, _good_at, _been_doing, _exercise,
    _started, _goal, _plan_my, _plan, _habit, _uses, _routine,
)  # fmt: skip
_FRAGMENTS = {"ADV": _ADV, "I": _I, "IM": _IM, "IM1": _IM1, "MOD": _MOD}
_PLACEHOLDER = re.compile(r"<<([\w+]+)>>")


def _vocabulary(names: str) -> str:
    """``<<kin+contacts>>`` -> one alternation of the entries of those data files."""
    entries: list[str] = []
    for name in names.split("+"):
        listed = lines(name)
        entries.extend(mapping(name) if listed and " -> " in listed[0] else listed)
    return _alt("|".join(entries))


def _expand(m: re.Match[str]) -> str:
    name = m.group(1)
    return _FRAGMENTS.get(name) or _vocabulary(name)


@functools.cache
def rules() -> tuple[tuple[frozenset[str], re.Pattern[str], _Handler], ...]:
    """(first words, pattern, handler) of each rule of ``_data/rules_patterns.txt``, in order."""
    by_name = {fn.__name__.lstrip("_"): fn for fn in _HANDLERS}
    table: list[tuple[frozenset[str], re.Pattern[str], _Handler]] = []
    for block in re.split(r"^@ ", "\n".join(lines("patterns")), flags=re.M)[1:]:
        header, *body = block.split("\n")
        name, *first = header.split()
        pattern = _PLACEHOLDER.sub(_expand, "".join(body))
        table.append((frozenset(first), re.compile(pattern, re.I), by_name[name]))
    return tuple(table)


@functools.cache
def _by_first_word(word: str) -> tuple[tuple[re.Pattern[str], _Handler], ...]:
    """The rules that can match a clause, by its first word ("I'm" -> ``i``)."""
    word = word if word in {"i", "we", "my", "call", "one"} else ""
    return tuple((rx, fn) for first, rx, fn in rules() if word in first or "*" in first)


_WORD = re.compile(r"[a-z]+")


def _keyed(clause: str, ctx: _Ctx) -> list[_Fact]:
    first = _WORD.match(clause.lower())
    word = first.group(0) if first else ""
    word = "i" if word == "im" else word
    for rx, handler in _by_first_word(word):
        m = rx.match(clause)
        if m:
            facts = handler(m, ctx)
            if facts:
                return facts
    return []
