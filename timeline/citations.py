"""Numbered footnotes: citation markers in text, and the References they point to.

Editors place a note in a narrative by typing ``[^key]`` after the sentence it
supports, where ``key`` is the key of one of that item's citations. Everything else
in the text is escaped; blank lines separate paragraphs. A page numbers its notes
in reading order, and groups the notes of one source under it, as Wikipedia's
sub-referencing does.
"""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe

MARKER = re.compile(r"\[\^([A-Za-z0-9_-]+)\]")
PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
TIP_LENGTH = 220


def marker_keys(text):
    """Return the citation keys that a text's markers name, in order."""
    return MARKER.findall(text or "")


def check_markers(text, keys, field_label="text"):
    """Raise ValidationError naming every marker in text whose key is not in keys."""
    unknown = sorted(set(marker_keys(text)) - set(keys))
    if unknown:
        listed = ", ".join(f"[^{key}]" for key in unknown)
        raise ValidationError(
            f"The {field_label} cites {listed}, but no citation of this item has that key. "
            "Add a citation with that key below, or correct the marker."
        )


def strip_markers(text):
    return MARKER.sub("", text or "")


@dataclass
class Note:
    number: int
    citation: object
    uses: list = field(default_factory=list)

    @property
    def anchor(self):
        return f"cite-note-{self.number}"

    def backlinks(self):
        """Return the (letter, id) of each marker that points here."""
        letters = "abcdefghijklmnopqrstuvwxyz"
        if len(self.uses) == 1:
            return [("^", self.uses[0])]
        return [(letters[i % 26], use) for i, use in enumerate(self.uses)]


@dataclass
class SourceGroup:
    source: object
    notes: list


class Notes:
    """The footnotes of one page, numbered as their markers are rendered."""

    def __init__(self, citations):
        self.citations = list(citations)
        self.by_key = {citation.key: citation for citation in self.citations}
        self.notes = {}

    def note_for(self, citation):
        note = self.notes.get(citation.key)
        if note is None:
            note = Note(number=len(self.notes) + 1, citation=citation)
            self.notes[citation.key] = note
        return note

    def marker(self, citation):
        """Return the superscript link for one use of a citation, with its tooltip."""
        note = self.note_for(citation)
        use_id = f"cite-ref-{note.number}-{len(note.uses) + 1}"
        note.uses.append(use_id)
        tip_id = f"tip-{use_id}"
        return format_html(
            '<sup class="ref"><a href="#{}" id="{}" aria-describedby="{}">[{}]</a>'
            '<span class="ref-tip" role="tooltip" id="{}">{}</span></sup>',
            note.anchor,
            use_id,
            tip_id,
            note.number,
            tip_id,
            tooltip_text(citation),
        )

    def markers(self, citations):
        return format_html_join("", "{}", ((self.marker(citation),) for citation in citations))

    def placed_in(self, text):
        """Return the markers of the citations a text names, without the rest of the text."""
        named = [self.by_key[key] for key in marker_keys(text) if key in self.by_key]
        return self.markers(named)

    def unplaced(self, *texts):
        """Return the citations that no marker in the given texts places."""
        placed = {key for text in texts for key in marker_keys(text)}
        return [citation for citation in self.citations if citation.key not in placed]

    def inline(self, text):
        """Return one line of text, escaped, with its markers as footnote links."""
        parts, position = [], 0
        for match in MARKER.finditer(text or ""):
            parts.append(escape(text[position : match.start()]))
            citation = self.by_key.get(match.group(1))
            if citation is None:
                parts.append(mark_safe('<sup class="ref ref-missing">[citation needed]</sup>'))
            else:
                parts.append(self.marker(citation))
            position = match.end()
        parts.append(escape((text or "")[position:]))
        return mark_safe("".join(str(part) for part in parts))

    def paragraphs(self, text):
        """Return text as escaped <p> paragraphs, with its markers as footnote links."""
        blocks = [block.strip() for block in PARAGRAPH_BREAK.split(text or "") if block.strip()]
        return format_html_join("\n", "<p>{}</p>", ((self.inline(block),) for block in blocks))

    def lead(self, summary, *texts):
        """Return a summary followed by markers for the citations no text places."""
        return format_html(
            "{}{}", self.inline(summary), self.markers(self.unplaced(summary, *texts))
        )

    def groups(self):
        """Return the notes grouped by source, in order of each source's first note."""
        groups = {}
        for note in sorted(self.notes.values(), key=lambda note: note.number):
            source = note.citation.source
            groups.setdefault(source.pk, SourceGroup(source=source, notes=[])).notes.append(note)
        return list(groups.values())


def tooltip_text(citation):
    """Return the short text a reader sees when hovering over or focusing a marker."""
    parts = [citation.source.title]
    if citation.locator_text:
        parts.append(citation.locator_text)
    text = ", ".join(parts)
    if citation.quotation:
        quotation = citation.quotation
        if len(quotation) > TIP_LENGTH:
            quotation = quotation[: TIP_LENGTH - 1].rsplit(" ", 1)[0] + "…"
        text = f"{text}: “{quotation}”"
    return text
