"""The clauses of a policy text, and the notation the ``policy`` markers use for them.

A policy text is Markdown with ``## N. title {#sN}`` sections and ``### 가. title {#sN-ga}``
clauses. A marker names a section (``policy("9")``) or one of its clauses (``policy("9 가")``,
``policy("9가")``); both normalise to the keys used here, ``"9"`` and ``"9 가"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

POLICY_TEXT = Path(__file__).resolve().parents[2] / "privacy" / "texts" / "1.0.md"
NOT_APPLICABLE = "해당 없음"

_SECTION = re.compile(r"^## (\d+)\. (.+?)\s*\{#s\d+\}\s*$")
_CLAUSE = re.compile(r"^### ([가-힣])\. (.+?)\s*\{#s\d+-\w+\}\s*$")
_MARKER = re.compile(r"^§?\s*(\d+)\s*([가-힣])?$")
_ARTICLE = re.compile(r"^(PIPA §\d+|시행령 §\d+|고시 제\d+조|장애인차별금지법 제\d+조)$")


@dataclass(frozen=True)
class Clause:
    key: str
    title: str
    text: str


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    text: str
    clauses: tuple[Clause, ...]

    @property
    def not_applicable(self) -> bool:
        return not self.clauses and self.text == NOT_APPLICABLE

    @property
    def units(self) -> tuple[str, ...]:
        """What must be proven: each clause, or the section itself when it has none."""
        return tuple(clause.key for clause in self.clauses) or (self.key,)


def parse(text: str) -> tuple[Section, ...]:
    """The sections of a policy text in order, each with its own text and its clauses."""
    sections: list[Section] = []
    current: dict | None = None
    lines: list[str] = []

    def flush_clause_or_text() -> None:
        body = "\n".join(lines).strip()
        if current is None:
            return
        if current["clauses"]:
            key, title = current["clauses"][-1]
            current["clauses"][-1] = Clause(key=key, title=title, text=body)
        else:
            current["text"] = body

    def flush_section() -> None:
        if current is not None:
            sections.append(
                Section(
                    key=current["key"],
                    title=current["title"],
                    text=current["text"],
                    clauses=tuple(current["clauses"]),
                )
            )

    for line in text.splitlines():
        if match := _SECTION.match(line):
            flush_clause_or_text()
            flush_section()
            current = {"key": match[1], "title": match[2], "text": "", "clauses": []}
            lines = []
        elif (match := _CLAUSE.match(line)) and current is not None:
            flush_clause_or_text()
            current["clauses"].append((f"{current['key']} {match[1]}", match[2]))
            lines = []
        else:
            lines.append(line)
    flush_clause_or_text()
    flush_section()
    return tuple(sections)


def load(path: Path = POLICY_TEXT) -> tuple[Section, ...]:
    return parse(path.read_text(encoding="utf-8"))


def known_keys(sections: tuple[Section, ...]) -> set[str]:
    return {section.key for section in sections} | {
        clause.key for section in sections for clause in section.clauses
    }


def policy_key(value: object, known: set[str]) -> str:
    """The key a ``policy`` marker argument names; ``ValueError`` when it names nothing."""
    match = _MARKER.match(str(value).strip())
    key = f"{match[1]} {match[2]}" if match and match[2] else match[1] if match else None
    if key not in known:
        raise ValueError(
            f"policy({value!r}) names no section or clause of the policy in force "
            f"(write policy('9') for a section, policy('9 가') for a clause)"
        )
    return key


def law_article(value: object) -> str:
    """A ``law`` marker's article as written; ``ValueError`` when its format is unknown."""
    article = str(value).strip()
    if not _ARTICLE.match(article):
        raise ValueError(
            f"law({value!r}) is not an article this report can cite "
            f"(write law('PIPA §34'), law('시행령 §40'), law('고시 제8조') "
            f"or law('장애인차별금지법 제21조'))"
        )
    return article
