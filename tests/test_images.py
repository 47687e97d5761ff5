"""Pictures: what the upload accepts and refuses, what is stored, what readers get."""

import importlib
import io
import os
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image as PILImage
from PIL import features

from tests import image_samples as samples
from tests.factories import (
    EventFactory,
    IllustrationFactory,
    ImageFactory,
    PeriodFactory,
    PersonFactory,
    PlaceFactory,
    SourceFactory,
    TopicFactory,
)
from tests.test_queries import MAX_QUERIES, build_site, query_counts
from timeline import cards, images
from timeline.models import Event, Illustration, Image

pytestmark = pytest.mark.django_db


def files_under(root):
    root = Path(root)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def image_form(upload, **fields):
    data = {
        "file": upload,
        "alt": "A red and grey picture.",
        "slug": "red-and-grey",
        "caption": "",
        "credit": "",
        "licence": "cc0",
        "licence_note": "",
        "source": "",
        "locator_label": "page",
        "locator": "",
        "status": "draft",
    }
    data.update(fields)
    return data


def upload(client, data, name="picture.jpg", **fields):
    return client.post(
        reverse("admin:timeline_image_add"),
        image_form(SimpleUploadedFile(name, data), **fields),
    )


def file_errors(response):
    return response.context["adminform"].form.errors.get("file", [])


def opened(name):
    from django.core.files.storage import default_storage

    with default_storage.open(name) as stored:
        picture = PILImage.open(io.BytesIO(stored.read()))
        picture.load()
    return picture


AVIF = features.check("avif")
ACCEPTED = [
    ("jpeg", samples.jpeg, "jpg"),
    ("png", samples.png, "png"),
    ("webp", samples.webp, "webp"),
    *([("avif", samples.avif, "avif")] if AVIF else []),
]


@pytest.mark.parametrize(("fmt", "make", "extension"), ACCEPTED)
def test_each_accepted_format_is_stored_under_a_generated_name(
    admin_client, media_root, fmt, make, extension
):
    # The name says GIF and HTML; the stored extension follows the bytes.
    response = upload(admin_client, make(), name="../../evil picture.gif.html")
    assert response.status_code == 302, file_errors(response)
    image = Image.objects.get()
    assert image.file.name.startswith("images/")
    assert image.file.name.endswith(f".{extension}")
    assert "evil" not in image.file.name
    assert (image.width, image.height) == (64, 48)
    assert opened(image.file.name).format == {"jpeg": "JPEG"}.get(fmt, fmt.upper())


def test_avif_is_accepted_exactly_when_this_pillow_supports_it():
    assert ("AVIF" in images.ACCEPTED) == features.check("avif")


REFUSED = [
    ("svg", samples.SVG, "an SVG drawing"),
    ("html", samples.HTML, "an HTML page"),
    ("gif", samples.encode(samples.picture(), "GIF"), "GIF image"),
    ("bmp", samples.encode(samples.picture(), "BMP"), "Windows Bitmap image"),
    ("tiff", samples.encode(samples.picture(), "TIFF"), "TIFF image"),
    ("pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n", "a PDF document"),
    ("text", b"just some words\n", "a text file"),
    ("random", bytes(range(256)) * 4, "not a picture"),
    ("empty", b"", "empty"),
    ("truncated jpeg", samples.jpeg((200, 150))[:600], "damaged"),
    ("truncated png", samples.png((200, 150))[:300], "damaged"),
    ("jpeg with html after it", samples.jpeg() + samples.HTML, "polyglot"),
    ("jpeg with a zip after it", samples.jpeg() + samples.zip_archive(), "polyglot"),
    *(
        [("avif with a zip after it", samples.avif() + samples.zip_archive(), "polyglot")]
        if AVIF
        else []
    ),
    ("png with script in its text", samples.png_with_text(b"<script>alert(1)</script>"), "HTML"),
    ("png claiming 100000 x 100000", samples.png_claiming(100_000, 100_000), "decompression bomb"),
    ("jpeg claiming 9000 x 9000", samples.jpeg_claiming(9000, 9000), "81.0 megapixels"),
    ("png bomb 8000 x 8000", samples.png_bomb(8000), "64.0 megapixels"),
]


@pytest.mark.parametrize(("case", "data", "named"), REFUSED, ids=[case for case, *_ in REFUSED])
def test_anything_else_is_a_form_error_that_names_it_and_leaves_no_file(
    admin_client, media_root, case, data, named
):
    response = upload(admin_client, data)
    assert response.status_code == 200
    errors = file_errors(response)
    assert errors, case
    assert named in " ".join(errors)
    assert not Image.objects.exists()
    assert files_under(media_root) == []


def test_a_file_over_the_size_limit_is_refused_with_both_sizes(admin_client, media_root, settings):
    settings.IMAGE_MAX_BYTES = 200 * 1024
    data = samples.noise_png((300, 300))
    response = upload(admin_client, data)
    errors = " ".join(file_errors(response))
    assert f"The file is {len(data) // 1024} KB; the largest this site takes is 200 KB." in errors
    assert files_under(media_root) == []
    settings.IMAGE_MAX_BYTES = 10 * 1024 * 1024
    assert upload(admin_client, data).status_code == 302


def test_the_pixel_limit_comes_from_settings(admin_client, media_root, settings):
    settings.IMAGE_MAX_PIXELS = 1000
    response = upload(admin_client, samples.jpeg((64, 48)))
    assert "64 × 48 pixels (0.0 megapixels)" in " ".join(file_errors(response))
    assert files_under(media_root) == []


def test_the_defaults_are_ten_megabytes_and_forty_megapixels():
    from django.conf import settings

    assert settings.IMAGE_MAX_BYTES == 10 * 1024 * 1024
    assert settings.IMAGE_MAX_PIXELS == 40_000_000


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_exif_and_gps_are_gone_from_every_file_and_orientation_is_applied(
    admin_client, media_root, fmt
):
    data = samples.encode(samples.picture((1000, 600)), fmt, exif=samples.exif_with_gps(6))
    assert PILImage.open(io.BytesIO(data)).getexif().get_ifd(samples.GPS_IFD)
    assert upload(admin_client, data).status_code == 302
    image = Image.objects.get()
    # Orientation 6 turns the 1000 × 600 picture upright: 600 × 1000.
    assert (image.width, image.height) == (600, 1000)
    for name in image.stored_files:
        stored = opened(name)
        exif = stored.getexif()
        assert not dict(exif), name
        assert not exif.get_ifd(samples.GPS_IFD), name
        assert "exif" not in stored.info and "comment" not in stored.info, name
        assert "icc_profile" not in stored.info, name
    # The coloured half, on the left before turning, is at the top now.
    top, bottom = (
        opened(image.file.name).getpixel((300, 100)),
        opened(image.file.name).getpixel((300, 900)),
    )
    assert top[0] > 150 and bottom[0] < 120


def test_colour_is_converted_to_srgb_through_the_embedded_profile(admin_client, media_root):
    red = PILImage.new("RGB", (40, 30), (255, 0, 0))
    data = samples.encode(red, "PNG", icc_profile=samples.swapped_primaries_profile())
    assert upload(admin_client, data, name="red.png").status_code == 302
    r, g, b = opened(Image.objects.get().file.name).getpixel((10, 10))
    # Tagged with a profile whose red primary is sRGB's green, the pixel is green.
    assert g > 200 and r < 60, (r, g, b)


def test_a_cmyk_jpeg_is_stored_as_rgb(admin_client, media_root):
    data = samples.encode(PILImage.new("CMYK", (40, 30), (0, 255, 255, 0)), "JPEG")
    assert upload(admin_client, data).status_code == 302
    stored = opened(Image.objects.get().file.name)
    assert stored.mode == "RGB"
    assert stored.getpixel((5, 5))[0] > 200


def test_renditions_are_made_at_each_width_in_each_format(media_root):
    image = ImageFactory(file=SimpleUploadedFile("big.jpg", samples.jpeg((2000, 1000))))
    expected_formats = {"webp", "jpeg"} | ({"avif"} if AVIF else set())
    widths = {}
    for rendition in image.renditions:
        stored = opened(rendition["name"])
        assert stored.size == (rendition["width"], rendition["height"])
        assert rendition["name"].endswith("." + images.EXTENSIONS[rendition["format"]])
        widths.setdefault(rendition["format"], []).append(rendition["width"])
    assert set(widths) == expected_formats
    for fmt in expected_formats:
        assert widths[fmt] == [480, 800, 1200, 1600]
    assert {r["height"] for r in image.renditions if r["width"] == 800} == {400}


def test_a_small_picture_is_not_enlarged_and_transparency_keeps_a_png_fallback(media_root):
    image = ImageFactory(file=SimpleUploadedFile("a.png", samples.png((300, 200), mode="RGBA")))
    assert {r["width"] for r in image.renditions} == {300}
    assert image.fallback_format == "png"
    assert opened(image.rendition()["name"]).mode == "RGBA"


def test_a_new_file_remakes_the_renditions_and_removes_the_old_files(
    media_root, django_capture_on_commit_callbacks
):
    image = ImageFactory()
    old = image.stored_files
    with django_capture_on_commit_callbacks(execute=True):
        image.file = SimpleUploadedFile("other.png", samples.png((900, 500)))
        image.save()
    assert image.file.name.endswith(".png")
    assert {r["width"] for r in image.renditions} == {480, 800, 900}
    assert files_under(media_root) == sorted(image.stored_files)
    assert not set(old) & set(files_under(media_root))


def test_deleting_an_image_deletes_its_files(media_root, django_capture_on_commit_callbacks):
    image = ImageFactory()
    assert len(files_under(media_root)) == 1 + len(image.renditions)
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    assert files_under(media_root) == []


def test_saving_other_fields_keeps_the_files(media_root):
    image = ImageFactory()
    before = files_under(media_root)
    image.caption = "A new caption."
    image.save()
    assert files_under(media_root) == before


def test_the_command_removes_orphaned_files_and_keeps_the_rest(media_root):
    image = ImageFactory()
    stray = Path(media_root) / "images" / "left-behind.jpg"
    stray.write_bytes(b"x")
    nested = Path(media_root) / "images" / "renditions" / "gone-480.webp"
    nested.write_bytes(b"y")
    out = io.StringIO()
    call_command("removeorphanedmedia", "--min-age", "0", "--dry-run", stdout=out)
    assert "2 orphaned file(s) would remove" in out.getvalue()
    assert stray.exists()
    young = Path(media_root) / "images" / "being-saved.jpg"
    young.write_bytes(b"z")
    old = time.time() - 2 * 3600
    for path in (stray, nested):
        os.utime(path, (old, old))
    call_command("removeorphanedmedia", stdout=io.StringIO())
    assert not stray.exists() and not nested.exists()
    assert young.exists(), "a file younger than --min-age is left alone"
    assert set(image.stored_files) <= set(files_under(media_root))


def test_an_other_licence_needs_a_note(admin_client, media_root):
    response = upload(admin_client, samples.jpeg(), licence="other")
    assert "Name the licence" in str(response.context["adminform"].form.errors)
    assert files_under(media_root) == []


# Pages


def illustrated_event(**image_fields):
    event = EventFactory(slug="budapest-rising", title="Budapest rising")
    lead = ImageFactory(
        caption="Crowds in the street.",
        credit="Jane Doe",
        licence=Image.Licence.CC_BY,
        file=SimpleUploadedFile("lead.jpg", samples.jpeg((1000, 500))),
        **image_fields,
    )
    IllustrationFactory(event=event, image=lead, lead=True, order=5)
    second = ImageFactory(alt="A second picture.", caption="Second.")
    IllustrationFactory(event=event, image=second, order=1)
    return event, lead, second


def test_an_event_page_shows_its_lead_picture_and_gallery(client, media_root):
    event, lead, second = illustrated_event()
    html = client.get(event.get_absolute_url()).content.decode()
    lead_at = html.index(lead.alt)
    assert lead_at < html.index(second.alt), "the lead comes first, whatever its order"
    assert "<picture>" in html and '<source type="image/webp"' in html
    if AVIF:
        assert html.index('type="image/avif"') < html.index('type="image/webp"')
    assert 'width="1000" height="500"' in html
    assert 'sizes="(min-width: 52rem) 48rem' in html
    assert " 480w, " in html and " 1000w" in html
    lead_tag = html[html.rindex("<img", 0, lead_at) : html.index(">", lead_at)]
    assert "loading=" not in lead_tag and 'fetchpriority="high"' in lead_tag
    second_at = html.index(second.alt)
    assert 'loading="lazy"' in html[html.rindex("<img", 0, second_at) : html.index(">", second_at)]
    assert "Crowds in the street." in html and "Jane Doe" in html and "Licence: CC BY." in html


def test_readers_do_not_see_a_draft_picture(client, media_root, django_user_model):
    event, lead, second = illustrated_event()
    second.status = Image.Status.DRAFT
    second.save()
    assert second.alt not in client.get(event.get_absolute_url()).content.decode()
    client.force_login(django_user_model.objects.create_user("ed", is_staff=True))
    assert second.alt in client.get(event.get_absolute_url()).content.decode()


def test_the_picture_credits_its_source_at_the_locator(client, media_root):
    source = SourceFactory(title="Photo archive", slug="photo-archive")
    event, lead, _ = illustrated_event(source=source, locator="12")
    html = client.get(event.get_absolute_url()).content.decode()
    assert f'<a href="{source.get_absolute_url()}">Photo archive</a>, page 12.' in html


@pytest.mark.parametrize(
    "make", [PeriodFactory, PersonFactory, PlaceFactory], ids=["period", "person", "place"]
)
def test_periods_people_and_places_show_their_pictures_too(client, media_root, make):
    TopicFactory()
    item = make()
    image = ImageFactory()
    Illustration.objects.create(image=image, lead=True, **{item._meta.model_name: item})
    assert image.alt in client.get(item.get_absolute_url()).content.decode()


def test_one_picture_is_reused_across_items(client, media_root):
    TopicFactory()
    image = ImageFactory()
    person, place = PersonFactory(), PlaceFactory()
    Illustration.objects.create(image=image, person=person)
    Illustration.objects.create(image=image, place=place)
    for item in (person, place):
        assert image.alt in client.get(item.get_absolute_url()).content.decode()


@pytest.mark.parametrize("count", [5, 500])
def test_pages_with_pictures_keep_the_query_budget(client, media_root, count):
    build_site(count)
    image = ImageFactory(source=SourceFactory(slug="archive"))
    for field, slug_field in (("event", "event-3"), ("person", "person-1"), ("place", "place-1")):
        model = Illustration._meta.get_field(field).related_model
        target = model.objects.get(slug=slug_field)
        Illustration.objects.create(image=image, lead=True, **{field: target})
        Illustration.objects.create(image=ImageFactory(), order=2, **{field: target})
    era = Event.objects.get(slug="event-3").period
    Illustration.objects.create(image=image, period=era.parent or era, lead=True)
    counts = query_counts(client)
    over = {url: n for url, n in counts.items() if n > MAX_QUERIES}
    assert not over, over
    page = client.get(reverse("timeline:event-detail", args=["event-3"])).content.decode()
    assert image.alt in page


# The admin


def test_the_image_admin_shows_a_preview(admin_client, media_root):
    image = ImageFactory()
    html = admin_client.get(reverse("admin:timeline_image_change", args=[image.pk])).content
    assert image.thumbnail.encode() in html
    assert b'class="image-preview"' in html
    listing = admin_client.get(reverse("admin:timeline_image_changelist")).content
    assert image.thumbnail.encode() in listing


def test_an_event_form_edits_its_pictures_inline_with_a_preview(admin_client, media_root):
    event, lead, _ = illustrated_event()
    html = admin_client.get(reverse("admin:timeline_event_change", args=[event.pk])).content
    assert b'name="illustrations-TOTAL_FORMS"' in html
    assert lead.thumbnail.encode() in html
    # The image is chosen by autocomplete, which is what lets one picture serve many items.
    found = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "second",
            "app_label": "timeline",
            "model_name": "illustration",
            "field_name": "image",
        },
    ).json()
    assert [row["text"] for row in found["results"]] == ["A second picture."]


def test_two_lead_pictures_are_a_form_error(admin_client, media_root):
    from tests.test_history import form_data

    event, lead, second = illustrated_event()
    url = reverse("admin:timeline_event_change", args=[event.pk])
    data = form_data(admin_client.get(url))
    for index in range(2):
        data[f"illustrations-{index}-lead"] = "on"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Mark one picture as the lead, not 2." in response.content.decode()


def test_editors_and_contributors_may_add_pictures(db):
    from timeline.roles import role_permissions

    for codenames in role_permissions().values():
        assert {"add_image", "add_illustration", "submit_image"} <= set(codenames)
    assert "publish_image" in role_permissions()["Editors"]


# Serving the files


def test_media_is_served_in_development(client, media_root, settings):
    import histsite.urls

    image = ImageFactory()
    settings.DEBUG = True
    try:
        settings.ROOT_URLCONF = importlib.reload(histsite.urls)
        response = client.get(image.file.url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == Path(image.file.path).read_bytes()
    finally:
        settings.DEBUG = False
        importlib.reload(histsite.urls)


def test_media_settings(settings):
    assert settings.MEDIA_URL == "/media/"
    assert Path(".gitignore").read_text().count("/media/") == 1


# Social cards


def card(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "image/png"
    picture = PILImage.open(io.BytesIO(response.content))
    assert picture.size == (1200, 630)
    return picture.convert("RGB")


def test_every_page_names_its_card_and_the_card_is_1200_by_630(client, media_root):
    TopicFactory(title="Hungary and the Soviet Union")
    PeriodFactory(slug="era")
    event, lead, _ = illustrated_event()
    pages = {
        "/": reverse("timeline:site-card"),
        "/events/": reverse("timeline:site-card"),
        event.get_absolute_url(): reverse("timeline:event-card", args=[event.slug]),
        "/periods/era/": reverse("timeline:period-card", args=["era"]),
    }
    for page, card_url in pages.items():
        html = client.get(page).content.decode()
        assert f'<meta property="og:image" content="http://testserver{card_url}">' in html, page
        card(client, card_url)


def test_the_card_shows_the_lead_picture(client, media_root):
    event, lead, _ = illustrated_event()
    with_picture = card(client, reverse("timeline:event-card", args=[event.slug]))
    # The lead picture fills the right-hand panel: its red half, then its grey one.
    red, grey = with_picture.getpixel((760, 300)), with_picture.getpixel((1180, 300))
    assert red[0] > 150 and red[1] < 90, red
    assert all(80 < channel < 100 for channel in grey), grey
    bare = EventFactory(slug="bare")
    without = card(client, reverse("timeline:event-card", args=[bare.slug]))
    assert without.getpixel((1000, 300)) == cards.BACKGROUND


def test_a_card_is_drawn_once_and_again_when_its_page_changes(client, media_root, monkeypatch):
    event = EventFactory(slug="drawn")
    drawn = []
    original = cards.draw_card
    monkeypatch.setattr(cards, "draw_card", lambda *args: drawn.append(args) or original(*args))
    url = reverse("timeline:event-card", args=[event.slug])
    first = client.get(url)
    client.get(url, HTTP_COOKIE="sessionid=x")  # past the page cache, into the card cache
    assert len(drawn) == 1
    assert first["ETag"]
    event.title = "A new title"
    event.save()
    client.get(url)
    assert len(drawn) == 2 and drawn[-1][1] == "A new title"


def test_a_draft_has_no_card_for_readers(client, media_root):
    event = EventFactory(slug="hidden", status=Event.Status.DRAFT)
    assert client.get(reverse("timeline:event-card", args=[event.slug])).status_code == 404


def test_a_very_long_title_still_fits_on_the_card(client):
    png = cards.draw_card("Event", "Word " * 200, "1956", "histsite · a topic")
    assert PILImage.open(io.BytesIO(png)).size == (1200, 630)


def test_the_cards_use_the_fonts_shipped_with_the_project():
    assert (cards.FONTS / "DejaVuSans.ttf").exists()
    assert (cards.FONTS / "LICENSE-DejaVu.txt").exists()
    assert cache is not None  # the card cache is Django's, shared like the page cache


def test_pages_with_pictures_pass_the_query_budget_when_the_card_is_asked_for(client, media_root):
    event, *_ = illustrated_event()
    with CaptureQueriesContext(connection) as queries:
        card(client, reverse("timeline:event-card", args=[event.slug]))
    assert len(queries) <= MAX_QUERIES


def test_an_items_revisions_hold_its_pictures(media_root):
    import reversion
    from reversion.models import Version

    event, image = EventFactory(), ImageFactory()
    with reversion.create_revision():
        Illustration.objects.create(event=event, image=image, lead=True)
        reversion.add_to_revision(event)
    Illustration.objects.all().delete()
    Version.objects.get_for_object(event).first().revision.revert(delete=True)
    assert event.illustrations.get().image == image
