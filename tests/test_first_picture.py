"""The first picture: a locator map drawn from Natural Earth, installed with the content."""

import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from PIL import Image as PILImage

from timeline import images
from timeline.models import Image, Place

pytestmark = pytest.mark.django_db

FIXTURE = Path(settings.BASE_DIR, "fixtures", "08_pictures.json")


def test_a_fresh_install_shows_the_locator_map_on_both_countries(client, content):
    picture = Image.objects.get(slug="locator-map-hungary-soviet-union")
    assert picture.source.slug == "natural-earth" and picture.licence == "public-domain"
    for slug in ("hungary", "soviet-union"):
        place = Place.objects.get(slug=slug)
        [illustration] = place.illustrations.all()
        assert illustration.image == picture and illustration.lead
        html = client.get(place.get_absolute_url()).content.decode()
        assert picture.fallback_url in html and picture.alt in html


def test_every_file_the_picture_names_is_installed_at_its_size(content):
    picture = Image.objects.get(slug="locator-map-hungary-soviet-union")
    with default_storage.open(picture.file.name) as file:
        assert PILImage.open(file).size == (picture.width, picture.height)
    assert picture.renditions
    for rendition in picture.renditions:
        with default_storage.open(rendition["name"]) as file:
            assert PILImage.open(file).size == (rendition["width"], rendition["height"])


def test_the_shipped_picture_is_the_one_drawn_from_the_outlines():
    """Drawn again from timeline/data/outlines.json, it is the same picture, pixel for pixel."""
    from tests.tools.locator_picture import draw

    name = json.loads(FIXTURE.read_text())[0]["fields"]["file"]
    shipped = PILImage.open(Path(settings.BASE_DIR, "fixtures", "media", name))
    drawn = images.prepare_bytes(draw()).picture
    assert shipped.size == drawn.size
    assert shipped.convert("RGB").tobytes() == drawn.convert("RGB").tobytes()


def test_the_shipped_files_pass_the_upload_checks():
    media = Path(settings.BASE_DIR, "fixtures", "media")
    files = [path for path in media.rglob("*") if path.is_file()]
    assert files
    for path in files:
        prepared = images.prepare_bytes(path.read_bytes())
        assert not PILImage.open(io.BytesIO(path.read_bytes())).getexif()
        assert prepared.width > 0
