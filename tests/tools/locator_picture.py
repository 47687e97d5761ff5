"""Draw the first picture: a locator map of Hungary and the Soviet Union, from Natural Earth.

    .venv/bin/python -m tests.tools.locator_picture

The article's infobox shows such a map; its file cannot be copied, so this one is drawn
with Pillow from the Natural Earth outlines the site already ships
(timeline/data/outlines.json, public domain), in the projection of the home page's map.
The picture goes through the upload path every picture takes (timeline/images.py:
checked, cleaned, rendered at each width) into fixtures/media/, laid out as MEDIA_ROOT
is, and its record, with the two places it illustrates, into fixtures/08_pictures.json.
loadcontent copies fixtures/media/ into MEDIA_ROOT, so a fresh install shows it.
"""

import io
import json
import os
import shutil
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
MEDIA = BASE_DIR / "fixtures" / "media"
FIXTURE = BASE_DIR / "fixtures" / "08_pictures.json"
SLUG = "locator-map-hungary-soviet-union"
WIDTH = 1600
SEA, LAND, BORDER = (214, 228, 238), (236, 233, 226), (150, 146, 138)
HIGHLIGHT = {"hungary": (196, 74, 52), "soviet-union": (176, 140, 60)}
INK = (30, 30, 30)


def draw():
    """Return the map as PNG bytes."""
    from PIL import Image, ImageDraw, ImageFont

    from timeline import maps

    outlines = maps.outline_data()["outlines"]
    boxes = [outlines[key]["box"] for key in maps.HIGHLIGHTED]
    points = [(box[0], box[1]) for box in boxes] + [(box[2], box[3]) for box in boxes]
    projection = maps.Projection(maps.box_around(points, min_degrees=0), width=WIDTH)
    picture = Image.new("RGB", (projection.width, projection.height), SEA)
    pen = ImageDraw.Draw(picture)
    shapes = sorted(outlines.items(), key=lambda item: item[0] in maps.HIGHLIGHTED)
    for key, outline in shapes:
        if not projection.overlaps(outline["box"]):
            continue
        for ring in outline["rings"]:
            polygon = [projection.point(lon, lat) for lon, lat in ring]
            pen.polygon(polygon, fill=HIGHLIGHT.get(key, LAND), outline=BORDER)
    font = ImageFont.truetype(str(BASE_DIR / "timeline" / "fonts" / "DejaVuSans-Bold.ttf"), 40)
    for key in maps.HIGHLIGHTED:
        west, south, east, north = outlines[key]["box"]
        x, y = projection.point((west + east) / 2, (south + north) / 2)
        # A small country's name stands under it, not over it.
        small = east - west < 20
        where = (x, projection.point(west, south)[1] + 10) if small else (x, y)
        pen.text(
            where,
            outlines[key]["name"],
            font=font,
            fill=INK,
            anchor="mt" if small else "mm",
            stroke_width=3,
            stroke_fill=(255, 255, 255),
        )
    output = io.BytesIO()
    picture.save(output, "PNG", optimize=True)
    return output.getvalue()


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "histsite.settings")
    import django

    django.setup()
    from django.core.files.storage import FileSystemStorage

    from timeline import images

    prepared = images.prepare_bytes(draw())
    shutil.rmtree(MEDIA / images.UPLOAD_DIR, ignore_errors=True)
    storage = FileSystemStorage(location=MEDIA)
    name = storage.save(f"{images.UPLOAD_DIR}/{prepared.name}", prepared.as_file())
    renditions = images.make_renditions(prepared, storage)
    image = {
        "model": "timeline.image",
        "fields": {
            "slug": SLUG,
            "file": name,
            "alt": "A map of Europe and northern Asia with Hungary marked in red and the "
            "Soviet Union, far larger, marked in ochre to its east.",
            "caption": "Hungary and the Soviet Union. Borders are approximate: modern "
            "borders from Natural Earth, not those of any year in the history; the Soviet "
            "Union is drawn as its fifteen successor states.",
            "credit": "Natural Earth; drawn for this site",
            "licence": "public-domain",
            "licence_note": "",
            "source": ["natural-earth"],
            "locator_label": "record",
            "locator": "admin 0 countries, 1:110m",
            "width": prepared.width,
            "height": prepared.height,
            "renditions": renditions,
            "status": "published",
        },
    }
    illustrations = [
        {
            "model": "timeline.illustration",
            "fields": {"image": [SLUG], "lead": True, "order": 0, "place": [place]},
        }
        for place in ("hungary", "soviet-union")
    ]
    FIXTURE.write_text(json.dumps([image, *illustrations], indent=2, ensure_ascii=False) + "\n")
    print(f"Wrote {name}, {len(renditions)} renditions and {FIXTURE.name}.")


if __name__ == "__main__":
    main()
