"""Data files: the word lists and pattern tables of the core, kept beside the module that
reads them (``<package>/_data/<name>``), never in code.

A data file holds one entry a line; blank lines and lines starting with ``#`` are
comments. A file may be cut into sections by header lines (``[name]``, or another
marker such as ``@name``).
"""

from __future__ import annotations

import importlib.resources

__all__ = ["data_lines", "data_sections"]


def data_lines(package: str, name: str, *, strip: bool = True) -> list[str]:
    """The entries of ``_data/<name>`` beside ``package``'s modules, in file order;
    stripped unless ``strip=False`` (a pattern whose spaces count)."""
    text = importlib.resources.files(package).joinpath(f"_data/{name}").read_text("utf-8")
    return [
        line.strip() if strip else line
        for line in text.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def data_sections(
    package: str, name: str, *, header: str = "[", strip: bool = True
) -> dict[str, list[str]]:
    """The entries of :func:`data_lines` grouped under their section header: a line
    starting with ``header`` names the section (``[name]`` or ``@name``); entries before
    the first header are under ``""``."""
    sections: dict[str, list[str]] = {}
    section = ""
    for line in data_lines(package, name, strip=strip):
        if line.startswith(header):
            section = line[len(header) :].strip().removesuffix("]").strip()
            continue
        sections.setdefault(section, []).append(line)
    return sections
