"""Markdown to safe HTML for policy texts and notices, and readable diffs of their sources."""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

EXTENSIONS = ["extra", "toc", "sane_lists"]
EXTENSION_CONFIGS = {"toc": {"toc_depth": "2-3"}}
ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "div", "dl", "dt", "em", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
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
