"""Image bytes a reader downloads for a page with a lead picture, on a phone and a laptop.

    from tests.bench_images import add_lead_image, image_bytes
    path = add_lead_image()                 # in-process, on the served database
    image_bytes("http://127.0.0.1:8000", path, media_root=settings.MEDIA_ROOT)

The choice is the browser's: for each <picture>, the first <source> whose type the
browser reads (Chromium reads AVIF and WebP), the slot width its sizes gives at the
viewport's width, and the srcset candidate Chromium picks for that slot at the
screen's pixel density (the first candidate dense enough, or the one below it when the
density lies under the two candidates' geometric mean). tests/test_images_pages.py
checks this against what Chromium really downloads at 390 and 1280 px.

The bytes of each chosen file come from the server (a HEAD request), or, when the
server does not serve /media/ (gunicorn with DEBUG off, as in make bench: nginx serves
it in production), from MEDIA_ROOT. Eager pictures (the lead) are what a page load
costs; lazy ones (the gallery) are counted apart, as what scrolling down adds.
"""

import math
import re
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

VIEWPORTS = (390, 1280)
ROOT_FONT_PX = 16
CHROMIUM_TYPES = ("image/avif", "image/webp", "image/jpeg", "image/png", "")


class Pictures(HTMLParser):
    """Collect each <picture>'s sources and <img>, and any <img> outside a picture."""

    def __init__(self):
        super().__init__()
        self.pictures = []
        self.open = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "picture":
            self.open = {"sources": [], "img": None}
        elif tag == "source" and self.open is not None:
            self.open["sources"].append(attrs)
        elif tag == "img":
            if self.open is not None:
                self.open["img"] = attrs
            else:
                self.pictures.append({"sources": [], "img": attrs})

    def handle_endtag(self, tag):
        if tag == "picture" and self.open is not None:
            self.pictures.append(self.open)
            self.open = None


def length(text, viewport):
    """Return a CSS length (px, rem, vw, or calc() of them with + and -) in pixels."""
    text = text.strip()
    if text.startswith("calc(") and text.endswith(")"):
        total, sign = 0.0, 1
        for token in re.findall(r"[+-]|[\d.]+[a-z]+", text[5:-1]):
            if token in "+-":
                sign = 1 if token == "+" else -1
            else:
                total += sign * length(token, viewport)
        return total
    number, unit = re.fullmatch(r"([\d.]+)([a-z]*)", text).groups()
    scale = {"px": 1, "": 1, "rem": ROOT_FONT_PX, "em": ROOT_FONT_PX, "vw": viewport / 100}
    return float(number) * scale[unit]


def slot_width(sizes, viewport):
    """Return the width in pixels that a sizes attribute gives at a viewport width."""
    if not sizes:
        return viewport
    for entry in sizes.split(","):
        entry = entry.strip()
        condition = re.match(r"\((min|max)-width:\s*([^)]+)\)\s*(.+)", entry)
        if condition is None:
            return length(entry, viewport)
        kind, bound, value = condition.groups()
        bound = length(bound, viewport)
        if (kind == "min" and viewport >= bound) or (kind == "max" and viewport <= bound):
            return length(value, viewport)
    return viewport


def candidates(srcset):
    """Return a srcset's (url, width) pairs, narrowest first."""
    pairs = []
    for item in srcset.split(","):
        parts = item.split()
        if len(parts) == 2 and parts[1].endswith("w"):
            pairs.append((parts[0], int(parts[1][:-1])))
    return sorted(pairs, key=lambda pair: pair[1])


def choose(srcset, slot, density):
    """Return the (url, width) Chromium picks from a srcset for a slot at a pixel density."""
    pairs = candidates(srcset)
    if not pairs:
        return None
    previous = None
    for url, width in pairs:
        candidate_density = width / slot
        if candidate_density >= density:
            if previous is not None:
                previous_density = previous[1] / slot
                if density < math.sqrt(previous_density * candidate_density):
                    return previous
            return url, width
        previous = (url, width)
    return pairs[-1]


def chosen_images(html, viewport, density=1, types=CHROMIUM_TYPES):
    """Return, per picture in a page, the URL the browser fetches, its width and loading."""
    parser = Pictures()
    parser.feed(html)
    chosen = []
    for picture in parser.pictures:
        img = picture["img"] or {}
        pick = None
        for source in [*picture["sources"], img]:
            if source.get("type", "") not in types:
                continue
            srcset = source.get("srcset", "")
            sizes = source.get("sizes") or img.get("sizes", "")
            pick = choose(srcset, slot_width(sizes, viewport), density) if srcset else None
            if pick is None and source is img and img.get("src"):
                pick = (img["src"], int(img.get("width") or 0))
            if pick is not None:
                break
        if pick is not None:
            chosen.append(
                {"url": pick[0], "width": pick[1], "loading": img.get("loading", "eager")}
            )
    return chosen


def size_of(base_url, url, media_root=None):
    """Return the bytes of an image: from the server, else from MEDIA_ROOT."""
    absolute = urljoin(base_url + "/", url)
    try:
        with urllib.request.urlopen(urllib.request.Request(absolute, method="HEAD")) as reply:
            if reply.headers.get("Content-Length"):
                return int(reply.headers["Content-Length"])
    except urllib.error.HTTPError:
        pass
    if media_root is None:
        raise RuntimeError(f"{absolute} is not served; pass media_root to read its size")
    path = urlsplit(url).path
    relative = path.split("/media/", 1)[1]
    return (Path(media_root) / relative).stat().st_size


def image_bytes(base_url, path, viewports=VIEWPORTS, density=1, media_root=None):
    """Return, per viewport width, the image bytes a reader downloads on the page at path:
    {390: {"eager": bytes, "lazy": bytes, "images": [{url, width, loading, bytes}]}}."""
    with urllib.request.urlopen(urljoin(base_url + "/", path.lstrip("/"))) as reply:
        html = reply.read().decode()
    report = {}
    for viewport in viewports:
        rows = chosen_images(html, viewport, density)
        for row in rows:
            row["bytes"] = size_of(base_url, row["url"], media_root)
        report[viewport] = {
            "eager": sum(row["bytes"] for row in rows if row["loading"] != "lazy"),
            "lazy": sum(row["bytes"] for row in rows if row["loading"] == "lazy"),
            "images": rows,
        }
    return report


def format_report(report):
    """Return the report as lines for the bench's output."""
    lines = []
    for viewport, row in report.items():
        widths = ", ".join(f"{image['width']}w" for image in row["images"]) or "none"
        lines.append(
            f"{viewport:5} px: {row['eager'] / 1024:7.1f} KiB on load, "
            f"{row['lazy'] / 1024:7.1f} KiB more below the fold (renditions: {widths})"
        )
    return lines


def add_lead_image(event=None, size=(2400, 1600)):
    """Give a published event a published lead picture and return the event's path.

    Runs in-process, with Django set up on the served database and MEDIA_ROOT. The
    picture is a photograph-like pattern, so its renditions weigh what photographs do.
    """
    import random

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image as PILImage
    from PIL import ImageFilter

    from timeline.images import encode
    from timeline.models import Event, Illustration, Image

    event = event or Event.objects.published().order_by("date_earliest", "pk").first()
    noise = random.Random(1).randbytes(size[0] // 8 * size[1] // 8 * 3)
    picture = PILImage.frombytes("RGB", (size[0] // 8, size[1] // 8), noise)
    picture = picture.resize(size, PILImage.Resampling.BICUBIC).filter(ImageFilter.DETAIL)
    image, _ = Image.objects.get_or_create(
        slug="bench-lead-picture",
        defaults={
            "file": SimpleUploadedFile("bench.jpg", encode(picture, "jpeg")),
            "alt": "A pattern of coloured patches standing in for a photograph.",
            "caption": "A generated picture for the bench.",
            "credit": "histsite bench",
            "licence": Image.Licence.CC0,
            "status": Image.Status.PUBLISHED,
        },
    )
    Illustration.objects.get_or_create(image=image, event=event, defaults={"lead": True})
    return event.get_absolute_url()
