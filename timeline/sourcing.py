"""The sourcing check: what a reader sees must rest on a source, at a place in it, in its words.

Each rule finds one kind of problem and says how grave it is. An error is something a
reader would be misled by (an uncited page, a quotation the source does not contain); a
warning is bookkeeping (a source nothing cites). ``check()`` runs every rule; the
``checksources`` command prints the report and the admin page lists it, each problem
with the admin page where it is fixed.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.template.response import TemplateResponse
from django.urls import path, reverse

from timeline.citations import marker_keys
from timeline.models import Citation, Image, Source
from timeline.models.sources import CITATION_TARGETS, located_citation

ERROR = "error"
WARNING = "warning"

# Typographic forms that a copy of a text may use for the same words: curly quotes,
# and dashes of every length, compare as their plain forms.
TYPOGRAPHY = str.maketrans(
    {
        **dict.fromkeys("“”„‟″", '"'),
        **dict.fromkeys("‘’‚‛′", "'"),
        **dict.fromkeys("‐‑‒–—―−", "-"),
    }
)
CONTEXT = 40


@dataclass(frozen=True)
class Rule:
    """One kind of problem, with the function that finds it."""

    code: str
    level: str
    title: str
    find: object = field(repr=False, compare=False)


@dataclass(frozen=True)
class Problem:
    """One problem found by a rule, on the object where it is fixed."""

    rule: Rule
    obj: models.Model
    message: str

    def __str__(self):
        return f"{self.level.upper()} {self.admin_url} {self.message}"

    @property
    def level(self):
        return self.rule.level

    @property
    def admin_url(self):
        meta = self.obj._meta
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[self.obj.pk])


@dataclass
class Report:
    problems: list

    @property
    def errors(self):
        return [problem for problem in self.problems if problem.level == ERROR]

    @property
    def warnings(self):
        return [problem for problem in self.problems if problem.level == WARNING]

    @property
    def summary(self):
        return f"{count(self.errors, 'error')}, {count(self.warnings, 'warning')}."

    def by_rule(self):
        """Return (rule, its problems) for every rule, in the order the rules run."""
        found = defaultdict(list)
        for problem in self.problems:
            found[problem.rule.code].append(problem)
        return [(rule, found[rule.code]) for rule in RULES]


RULES = []


def rule(code, level, title):
    """Register a function that yields (object, message) pairs as a rule."""

    def register(find):
        RULES.append(Rule(code, level, title, find))
        return find

    return register


def check():
    """Run every rule and return what they found."""
    return Report([Problem(rule, obj, message) for rule in RULES for obj, message in rule.find()])


def count(items, noun):
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


def label(obj):
    return f"{obj._meta.verbose_name} “{obj}”"


def citation_label(citation):
    target = citation.target
    return f"citation “{citation.key}”" + (f" of {label(target)}" if target else "")


def citable_models():
    """Return the models a citation can support, as (target field name, model)."""
    return [(name, Citation._meta.get_field(name).related_model) for name in CITATION_TARGETS]


def public(model):
    """Return the rows of a citable model that readers see: events only when published."""
    return getattr(model.objects, "published", model.objects.all)()


def normalise(text):
    """Return text with typographic quotes and dashes made plain and whitespace collapsed."""
    return " ".join((text or "").translate(TYPOGRAPHY).split())


def matching_length(quotation, text):
    """Return the length of the longest start of quotation that text contains."""
    low, high = 0, len(quotation)
    while low < high:
        middle = (low + high + 1) // 2
        if quotation[:middle] in text:
            low = middle
        else:
            high = middle - 1
    return low


@rule("uncited", ERROR, "Published items without a citation")
def uncited_items():
    for _name, model in citable_models():
        for item in public(model).filter(citations__isnull=True):
            yield item, f"{label(item)} is public but cites no source."


@rule("no-locator", ERROR, "Citations without a locator")
def citations_without_locator():
    unlocated = Citation.objects.exclude(located_citation())
    for citation in unlocated.with_targets():
        yield citation, f"{citation_label(citation)} does not say where in its source it is."


def quotation_texts():
    """Return, for each source, the normalised text its quotations are looked for in.

    Each value is (text, title of the source it belongs to). A document known only
    through another source is quoted from that source, so when it holds no text of
    its own its quotations are looked for in the teller's.
    """
    rows = list(Source.objects.values_list("pk", "title", "text", "known_through_id"))
    own = {pk: (normalise(text), title) for pk, title, text, _teller in rows}
    return {
        pk: own[teller] if teller is not None and not own[pk][0] else own[pk]
        for pk, _title, _text, teller in rows
    }


@rule("quotation", ERROR, "Quotations not found word for word in the source's text")
def misquotations():
    texts = quotation_texts()
    for citation in Citation.objects.exclude(quotation="").with_targets():
        text, title = texts[citation.source_id]
        quotation = normalise(citation.quotation)
        if not text or quotation in text:
            continue
        matched = matching_length(quotation, text)
        if matched == 0:
            where = "its text contains none of it"
        else:
            before = quotation[max(0, matched - CONTEXT) : matched]
            after = quotation[matched : matched + CONTEXT]
            where = f"its text has “…{before}” but not what the quotation goes on with, “{after}…”"
        yield citation, f"{citation_label(citation)} quotes “{title}”, but {where}."


@rule("unchecked", WARNING, "Quotations that cannot be checked: the source holds no text")
def unchecked_quotations():
    texts = quotation_texts()
    quoting = Source.objects.filter(
        Exists(Citation.objects.filter(source=OuterRef("pk")).exclude(quotation=""))
    )
    for source in quoting:
        if not texts[source.pk][0]:
            yield source, f"{label(source)} holds no text, so its quotations are not checked."


@rule("marker", ERROR, "Citation markers that name no citation of their item")
def unknown_markers():
    targets = [f"{name}_id" for name in CITATION_TARGETS]
    keys = defaultdict(set)
    for key, *ids in Citation.objects.values_list("key", *targets):
        for name, pk in zip(CITATION_TARGETS, ids, strict=True):
            if pk is not None:
                keys[name, pk].add(key)
    for name, model in citable_models():
        fields = [
            model_field
            for model_field in model._meta.concrete_fields
            if isinstance(model_field, models.TextField) and model_field.editable
        ]
        for item in model.objects.all():
            for model_field in fields:
                unknown = sorted(set(marker_keys(getattr(item, model_field.name))))
                unknown = [key for key in unknown if key not in keys[name, item.pk]]
                if unknown:
                    markers = ", ".join(f"[^{key}]" for key in unknown)
                    yield (
                        item,
                        (
                            f"the {model_field.verbose_name} of {label(item)} has {markers}, "
                            "but no citation of it has that key."
                        ),
                    )


@rule("uncited-source", WARNING, "Sources cited nowhere")
def uncited_sources():
    # A source counts as cited when a document known through it is, or when a
    # picture names it as where it comes from (a credit line is a citation too).
    cited = Citation.objects.filter(
        Q(source=OuterRef("pk")) | Q(source__known_through=OuterRef("pk"))
    )
    pictured = Image.objects.filter(source=OuterRef("pk"))
    for source in Source.objects.filter(~Exists(cited), ~Exists(pictured)):
        yield source, f"{label(source)} is cited nowhere."


@rule("uncited-teller", WARNING, "Documents known through a source that is never cited itself")
def documents_of_uncited_tellers():
    documents = Source.objects.filter(known_through__isnull=False).exclude(
        Exists(Citation.objects.filter(source=OuterRef("known_through")))
    )
    for document in documents.with_related():
        yield (
            document,
            (
                f"{label(document)} is known through “{document.known_through}”, "
                "which no citation cites itself."
            ),
        )


def admin_urls(model_admin):
    """Return the URL of the admin page that lists the report, for a ModelAdmin's get_urls."""

    def page(request):
        report = check()
        context = {
            **model_admin.admin_site.each_context(request),
            "title": "Sourcing check",
            "opts": model_admin.model._meta,
            "report": report,
            "rules": report.by_rule(),
        }
        return TemplateResponse(request, "admin/timeline/source/sourcing_check.html", context)

    return [path("check/", model_admin.admin_site.admin_view(page), name="timeline_source_check")]
