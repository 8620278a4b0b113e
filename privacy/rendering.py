"""Markdown to safe HTML for policy texts and notices, and readable diffs of their sources."""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

EXTENSIONS = ["extra", "toc", "sane_lists"]
EXTENSION_CONFIGS = {"toc": {"toc_depth": "2-3"}}
ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "div", "dl", "dt", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th",
    "thead", "tr", "ul", "ins", "del",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class"}, "a": {"href", "title"}, "th": {"align"}, "td": {"align"},
}  # fmt: skip


@dataclass(frozen=True)
class Rendered:
    body: SafeString
    toc: SafeString


def sanitise(html: str) -> SafeString:
    """Keep only harmless tags and attributes, and only http(s), mailto and relative links.

    A ``<script>``, an ``onerror=`` or a ``javascript:`` link never reaches the page.
    """
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308 - sanitised by nh3 just above.


def render_markdown(text: str) -> Rendered:
    """Render ``text`` with its table of contents (headings of levels 2 and 3), both sanitised."""
    converter = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    body = converter.convert(text)
    return Rendered(body=sanitise(body), toc=sanitise(converter.toc))


# A policy version's text never changes once announced (PolicyVersion.save refuses), and
# rendering it was most of the policy page's time. So each text is rendered once per process and
# kept, keyed by the text itself: a hit can only be that very text's HTML, so neither an edited
# notice nor a version's pk reused by a rolled-back test can be served stale, and a deploy that
# changes the renderer or its allow-list starts afresh. A column filled at publication would
# need a data migration at each such change, and a way round the immutability to refill it.
@functools.lru_cache(maxsize=64)
def rendered(text: str) -> Rendered:
    """``render_markdown(text)``, rendered once per process for each distinct text."""
    return render_markdown(text)


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "removed" or "added"
    old_number: int | None
    new_number: int | None
    text: str


def diff_lines(old: str, new: str) -> list[DiffLine]:
    """Line-by-line differences between two Markdown sources, as an inline diff."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    lines: list[DiffLine] = []
    for tag, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if tag == "equal":
            lines += [
                DiffLine("same", a_start + i + 1, b_start + i + 1, old_lines[a_start + i])
                for i in range(a_end - a_start)
            ]
            continue
        lines += [DiffLine("removed", i + 1, None, old_lines[i]) for i in range(a_start, a_end)]
        lines += [DiffLine("added", None, i + 1, new_lines[i]) for i in range(b_start, b_end)]
    return lines


# --- What a reader sees of a change: the sections that changed, rendered, marks in place ---------

HEADING = re.compile(r"^#{2,3}\s")
# What gives a line its Markdown structure stays outside the marks, or the heading, list item or
# attribute list it belongs to would turn into text.
STRUCTURE = re.compile(r"^(\s*(?:#{1,6}\s+|[-*+]\s+|\d+\.\s+|>\s*)?)(.*?)(\s*\{#[^}]*\})?$")
TABLE_RULE = re.compile(r"^\|[\s|:-]+\|$")
WORDS = re.compile(r"\S+|\s+")


@dataclass(frozen=True)
class SectionChange:
    anchor: str  # the section's id in the full text, "" for the text before the first heading
    kind: str  # "changed", "added" or "removed"
    html: SafeString


def _sections(text: str) -> dict[str, list[str]]:
    """The text cut at its level-2 and level-3 headings, keyed by each heading's id or text."""
    sections: dict[str, list[str]] = {"": []}
    key = ""
    for line in text.splitlines():
        if HEADING.match(line):
            match = re.search(r"\{#([^}]+)\}\s*$", line)
            key = match.group(1) if match else line.strip("# ").strip()
            sections.setdefault(key, [])
        sections[key].append(line)
    return sections


def _mark(content: str, tag: str) -> str:
    return f"<{tag}>{content}</{tag}>" if content.strip() else content


def _mark_line(line: str, tag: str) -> str:
    if line.startswith("|"):
        if TABLE_RULE.match(line):
            return line
        cells = line.strip().strip("|").split("|")
        return "|" + "|".join(f" {_mark(cell.strip(), tag)} " for cell in cells) + "|"
    prefix, content, attributes = STRUCTURE.match(line).groups()
    return f"{prefix}{_mark(content, tag)}{attributes or ''}"


def _mark_words(old: str, new: str) -> str:
    old_words, new_words = WORDS.findall(old), WORDS.findall(new)
    matcher = difflib.SequenceMatcher(a=old_words, b=new_words, autojunk=False)
    parts = []
    for tag, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if tag == "equal":
            parts.append("".join(old_words[a_start:a_end]))
            continue
        parts.append(_mark("".join(old_words[a_start:a_end]), "del"))
        parts.append(_mark("".join(new_words[b_start:b_end]), "ins"))
    return "".join(parts)


def _changed_line(old: str, new: str) -> list[str]:
    """One line edited in place: its changed words marked, when it kept its structure."""
    if old.startswith("|") and new.startswith("|"):
        old_cells = old.strip().strip("|").split("|")
        new_cells = new.strip().strip("|").split("|")
        if len(old_cells) == len(new_cells) and not TABLE_RULE.match(new):
            pairs = zip(old_cells, new_cells, strict=True)
            cells = (_mark_words(a.strip(), b.strip()) for a, b in pairs)
            return ["|" + "|".join(f" {cell} " for cell in cells) + "|"]
    else:
        old_parts, new_parts = STRUCTURE.match(old).groups(), STRUCTURE.match(new).groups()
        if old_parts[0] == new_parts[0] and old_parts[2] == new_parts[2]:
            return [f"{new_parts[0]}{_mark_words(old_parts[1], new_parts[1])}{new_parts[2] or ''}"]
    return [_mark_line(old, "del"), _mark_line(new, "ins")]


def _merged(old_lines: list[str], new_lines: list[str]) -> str:
    """One Markdown text holding both versions: deletions in ``<del>``, insertions in ``<ins>``."""
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    merged: list[str] = []
    for tag, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        old, new = old_lines[a_start:a_end], new_lines[b_start:b_end]
        if tag == "equal":
            merged += old
            continue
        paired = min(len(old), len(new)) if tag == "replace" else 0
        for old_line, new_line in zip(old[:paired], new[:paired], strict=True):
            merged += _changed_line(old_line, new_line)
        merged += [_mark_line(line, "del") for line in old[paired:]]
        merged += [_mark_line(line, "ins") for line in new[paired:]]
    return "\n".join(merged)


def changed_sections(old: str, new: str) -> list[SectionChange]:
    """The sections of ``new`` that differ from ``old`` (and those it dropped), rendered.

    Sections are matched by their heading's id, so a section whose heading was reworded is
    one changed section, not one removed and one added.
    """
    old_sections, new_sections = _sections(old), _sections(new)
    changes = []
    keys = list(new_sections) + [key for key in old_sections if key not in new_sections]
    for key in keys:
        old_lines, new_lines = old_sections.get(key), new_sections.get(key)
        if old_lines == new_lines:
            continue
        kind = "added" if old_lines is None else "removed" if new_lines is None else "changed"
        html = render_markdown(_merged(old_lines or [], new_lines or [])).body
        changes.append(SectionChange(anchor=key if new_lines else "", kind=kind, html=html))
    return changes
