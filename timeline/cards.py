"""Social cards: the 1200 × 630 picture a page shows when it is shared (Open Graph).

Each card is drawn with Pillow from what it shows (the page's title, its date, the
site's name, the lead picture) and kept in the cache under a digest of exactly those,
so it is drawn once and again only when one of them changes. The fonts ship with the
project (timeline/fonts/, DejaVu Sans, under its own free licence): nothing is fetched.
"""

import hashlib
import io
from functools import cache
from pathlib import Path

from django.core.cache import cache as django_cache
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import quote_etag
from django.views import View
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont, ImageOps

from timeline import dates
from timeline.context_processors import default_topic
from timeline.models import Event, Period, Person, Place, Source
from timeline.models.images import Illustration

WIDTH, HEIGHT = 1200, 630
FONTS = Path(__file__).resolve().parent / "fonts"
VERSION = 1  # move on when the drawing changes, so cached cards are drawn again
TIMEOUT = 7 * 24 * 3600
SITE_NAME = "histsite"
INK = (255, 255, 255)
MUTED = (200, 210, 222)
BACKGROUND = (27, 42, 58)
ACCENT = (196, 150, 74)


@cache
def font(bold, size):
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), size)


def wrap(draw, text, typeface, width, max_lines):
    """Return the text broken into lines no wider than width, at most max_lines, or None
    if it does not fit."""
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=typeface) <= width:
            line = candidate
            continue
        if not line or draw.textlength(word, font=typeface) > width:
            return None
        lines.append(line)
        line = word
    if line:
        lines.append(line)
    return lines if len(lines) <= max_lines else None


def fit_title(draw, title, width):
    """Return the largest font, down to a floor, that sets the title in four lines or fewer."""
    for size in (68, 60, 52, 46, 40, 34):
        typeface = font(True, size)
        lines = wrap(draw, title, typeface, width, 4 if size > 40 else 5)
        if lines:
            return typeface, lines
    typeface = font(True, 34)
    shortened = title if len(title) < 160 else title[:157] + "…"
    words, lines = shortened.split(), []
    while words and len(lines) < 5:
        line = words.pop(0)
        while words and draw.textlength(f"{line} {words[0]}", font=typeface) <= width:
            line += " " + words.pop(0)
        lines.append(line if draw.textlength(line, font=typeface) <= width else line[:30] + "…")
    return typeface, lines


def lead_picture(image):
    """Return the lead image's mid-sized rendition as a Pillow picture, or None."""
    rendition = image.rendition(near_width=800) if image is not None else None
    if rendition is None:
        return None
    try:
        with default_storage.open(rendition["name"]) as stored:
            picture = PILImage.open(stored)
            picture.load()
    except (OSError, ValueError):
        return None  # a missing file makes a card without a picture, not an error
    return picture.convert("RGB")


def draw_card(eyebrow, title, date_line, site_line, image=None):
    """Return the PNG bytes of a card."""
    card = PILImage.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(card)
    text_width = WIDTH - 2 * 64
    picture = lead_picture(image)
    if picture is not None:
        panel = ImageOps.fit(picture, (460, HEIGHT), PILImage.Resampling.LANCZOS)
        card.paste(panel, (WIDTH - 460, 0))
        text_width = WIDTH - 460 - 2 * 56
    draw.rectangle((0, 0, 12, HEIGHT), fill=ACCENT)
    x, y = 64, 64
    if eyebrow:
        draw.text((x, y), eyebrow.upper(), font=font(True, 26), fill=ACCENT)
        y += 56
    typeface, lines = fit_title(draw, title, text_width)
    line_height = round(typeface.size * 1.18)
    for line in lines:
        draw.text((x, y), line, font=typeface, fill=INK)
        y += line_height
    if date_line:
        y += 18
        date_lines = wrap(draw, date_line, font(False, 34), text_width, 2) or [date_line[:40]]
        for line in date_lines:
            draw.text((x, y), line, font=font(False, 34), fill=MUTED)
            y += 44
    site_font = font(False, 26)
    site_lines = wrap(draw, site_line, site_font, text_width, 2) or [site_line[:50]]
    bottom = HEIGHT - 56 - 34 * len(site_lines)
    for index, line in enumerate(site_lines):
        draw.text((x, bottom + 34 * index), line, font=site_font, fill=MUTED)
    buffer = io.BytesIO()
    card.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def life_dates(person):
    parts = [dates.parse(value).reading if value else "" for value in (person.born, person.died)]
    return "–".join(parts) if any(parts) else ""


# What each card shows of its item: a word above the title, the title, the date.
DESCRIBE = {
    Event: lambda event: ("Event", event.title, event.date_reading),
    Period: lambda period: ("Period", period.title, period.date_reading),
    Person: lambda person: ("Person", person.name, life_dates(person)),
    Place: lambda place: ("Place", place.name, ""),
    Source: lambda source: ("Source", source.title, source.issued_reading),
}


class CardView(View):
    """Serve a page's social card, drawn once for what it shows and then from the cache."""

    model = None  # None is the site's own card, for pages that are not about one item

    def get(self, request, slug=None):
        topic = default_topic()
        site_line = f"{SITE_NAME} · {topic.heading}" if topic else SITE_NAME
        image = None
        if self.model is None:
            if topic is None:
                raise Http404("There is no content yet.")
            eyebrow, title, date_line = "", topic.title, topic.span_text
        else:
            item = get_object_or_404(self.model.objects.visible_to(request.user), slug=slug)
            eyebrow, title, date_line = DESCRIBE[self.model](item)
            image = self.lead_image(item, request.user)
        parts = (VERSION, eyebrow, title, date_line, site_line, image.file.name if image else "")
        digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
        key = f"timeline:card:{digest}"
        png = django_cache.get(key)
        if png is None:
            png = draw_card(eyebrow, title, date_line, site_line, image)
            django_cache.set(key, png, TIMEOUT)
        response = HttpResponse(png, content_type="image/png")
        response["ETag"] = quote_etag(digest)
        return response

    def lead_image(self, item, user):
        if not hasattr(item, "illustrations"):
            return None
        shown = Illustration.objects.visible_to(user).filter(**{self.model._meta.model_name: item})
        first = shown.select_related("image").order_by("-lead", "order", "pk").first()
        return first.image if first else None
