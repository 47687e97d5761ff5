"""Uploaded pictures: checked, cleaned and cut into renditions, all with Pillow.

An upload is the most dangerous input the site takes, so nothing of it is kept as
sent. Pillow identifies it from its bytes (never its name), checks it against the
limits in settings before decoding a pixel, verifies and decodes it whole, turns it
upright, converts it to sRGB and encodes it again without any metadata. Only that
re-encoded copy is stored, under a generated name whose extension follows the format
found. Every refusal is a ValidationError with a sentence that says what was found,
and it happens before anything is written, so a refused upload leaves no file.

Renditions (AVIF where this Pillow has it, WebP, and a JPEG or PNG fallback, at a few
widths) are made from the same cleaned picture when an image is saved; the model
stores their names and sizes so that a page lists them without reading the disk.
"""

import io
import re
import uuid
import warnings
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image as PILImage
from PIL import ImageCms, ImageOps, UnidentifiedImageError, features

# Pillow's format name -> the extension stored. MPO is the JPEG variant many cameras
# write (a JPEG with a second picture after it); it is stored as a plain JPEG.
ACCEPTED = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp"}
if features.check("avif"):
    ACCEPTED["AVIF"] = "avif"
LABELS = {"JPEG": "JPEG", "MPO": "JPEG", "PNG": "PNG", "WEBP": "WebP", "AVIF": "AVIF"}
ACCEPTED_TEXT = "a JPEG, PNG, WebP" + (" or AVIF image" if "AVIF" in ACCEPTED else " image")
# How each format is written again, for the stored copy and for renditions.
ENCODERS = {
    "jpeg": ("JPEG", {"quality": 82, "optimize": True, "progressive": True}),
    "png": ("PNG", {"compress_level": 6}),
    "webp": ("WEBP", {"quality": 80, "method": 4}),
    "avif": ("AVIF", {"quality": 60, "speed": 8}),
}
STORED_FORMAT = {"jpg": "jpeg", "png": "png", "webp": "webp", "avif": "avif"}
EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp", "avif": "avif"}
MIME_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "avif": "image/avif"}

RENDITION_WIDTHS = (480, 800, 1200, 1600)
RENDITION_FORMATS = (("avif",) if "AVIF" in ACCEPTED else ()) + ("webp",)
UPLOAD_DIR = "images"
RENDITION_DIR = "images/renditions"

SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
# Markup that turns a picture into a web page, a script or a drawing when a browser
# or a server reads it as something else: looked for where text hides in an image
# (its first bytes, its metadata, anything after its end), not among its pixels,
# where five given bytes turn up by chance in large photographs.
MARKUP = re.compile(rb"<(?:\?php|\?xml|!doctype|html|head|body|script|svg|iframe|object)\b", re.I)
HEAD_BYTES = 4096
TRAILING_ALLOWANCE = 16


@dataclass
class Prepared:
    """A checked upload: its cleaned picture and the stored copy's bytes and name."""

    picture: PILImage.Image
    format: str  # jpeg, png, webp or avif
    content: bytes
    stem: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def width(self):
        return self.picture.width

    @property
    def height(self):
        return self.picture.height

    @property
    def name(self):
        return f"{self.stem}.{EXTENSIONS[self.format]}"

    def as_file(self):
        return ContentFile(self.content, name=self.name)


def file_size(size):
    """Return a size in bytes as a reader says it: "10.0 MB", "264 KB", "12 bytes"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} bytes"


def describe(data):
    """Return what a file Pillow does not take as a picture looks like, for a sentence."""
    head = data[:HEAD_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if re.search(rb"<svg\b", head):
        return "an SVG drawing"
    if MARKUP.search(head) and not head.startswith(b"<?xml"):
        return "an HTML page"
    if head.startswith(b"<?xml"):
        return "an XML document"
    if head.startswith(b"%pdf"):
        return "a PDF document"
    if head.startswith(b"pk\x03\x04"):
        return "a ZIP archive (or an office document, which is one)"
    if head.startswith((b"\x7felf", b"mz")):
        return "a program"
    try:
        text = data[:HEAD_BYTES].decode("utf-8")
    except UnicodeDecodeError:
        text = "\x00"
    if any(ord(char) < 32 and char not in "\t\r\n" for char in text):
        return "data that is not a picture this site can read"
    return "a text file"


def refuse(message, code):
    raise ValidationError(message, code=code)


def prepare(upload):
    """Check an uploaded file and return it cleaned, or raise ValidationError saying why.

    The result is kept on the upload, so the form's check and the model's save
    decode it once.
    """
    prepared = getattr(upload, "histsite_prepared", None)
    if prepared is not None:
        return prepared
    size = upload.size
    if not size:
        refuse("The file is empty (0 bytes); choose the picture again.", "empty")
    if size > settings.IMAGE_MAX_BYTES:
        refuse(
            f"The file is {file_size(size)}; the largest this site takes is "
            f"{file_size(settings.IMAGE_MAX_BYTES)}. Save it smaller and upload it again.",
            "too_large",
        )
    upload.seek(0)
    data = upload.read()
    prepared = prepare_bytes(data)
    upload.histsite_prepared = prepared
    return prepared


def open_picture(data):
    """Open a picture's header with decompression bombs as errors, not warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", PILImage.DecompressionBombWarning)
        return PILImage.open(io.BytesIO(data))


def prepare_bytes(data):
    if not data:
        refuse("The file is empty (0 bytes); choose the picture again.", "empty")
    limit = settings.IMAGE_MAX_PIXELS
    try:
        picture = open_picture(data)
    except UnidentifiedImageError:
        refuse(f"This file is {describe(data)}, not {ACCEPTED_TEXT}.", "not_an_image")
    except (PILImage.DecompressionBombError, PILImage.DecompressionBombWarning):
        refuse(too_many_pixels_message(None, limit), "too_many_pixels")
    except Exception:
        # Pillow's parsers raise many kinds of error on hostile headers
        # (struct.error, SyntaxError, ValueError, OSError...): each means "unreadable".
        refuse(f"This file is damaged: Pillow cannot read it as {ACCEPTED_TEXT}.", "damaged")
    found = picture.format
    if found not in ACCEPTED:
        kind = picture.format_description or found or "an unknown"
        article = "an" if kind[:1].lower() in "aeiou" else "a"
        refuse(
            f"This file is {article} {kind} image; upload {ACCEPTED_TEXT} instead.",
            "wrong_format",
        )
    label = LABELS[found]
    width, height = picture.size
    if width < 1 or height < 1 or width * height > limit:
        refuse(too_many_pixels_message((width, height), limit), "too_many_pixels")
    check_no_hidden_content(data, found, label, picture)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", PILImage.DecompressionBombWarning)
            # verify() reads the whole file and checks what the format can check
            # (PNG's checksums); it leaves the picture unusable, so open it again.
            picture.verify()
            picture = open_picture(data)
            picture.load()
            picture = upright(picture)
            picture = to_srgb(picture)
    except ValidationError:
        raise
    except Exception:
        refuse(
            f"This {label} image is damaged or cut short: Pillow could not decode all of it.",
            "damaged",
        )
    fmt = STORED_FORMAT[ACCEPTED[found]]
    return Prepared(picture=picture, format=fmt, content=encode(picture, fmt))


def too_many_pixels_message(size, limit):
    megapixels = f"{limit / 1_000_000:g} megapixels"
    if size is None:
        return (
            f"This picture is far larger than {megapixels} once decoded (a decompression bomb); "
            "the site does not open it."
        )
    width, height = size
    return (
        f"This picture is {width} × {height} pixels ({width * height / 1_000_000:.1f} "
        f"megapixels); the largest this site takes is {megapixels}."
    )


def check_no_hidden_content(data, found, label, picture):
    """Refuse a file that is also something else: markup in its text, data after its end."""
    texts = [data[:HEAD_BYTES]]
    texts += [
        value if isinstance(value, bytes) else value.encode("utf-8", "replace")
        for key, value in picture.info.items()
        if isinstance(value, bytes | str) and key != "icc_profile"
    ]
    end = image_end(data, found)
    trailing = data[end:].strip(b"\x00 \t\r\n") if end is not None else b""
    texts.append(trailing)
    if any(MARKUP.search(text) for text in texts):
        refuse(
            f"This {label} image also carries HTML, SVG or script (a polyglot file); "
            "export the picture again as a plain image and upload that.",
            "polyglot",
        )
    if len(trailing) > TRAILING_ALLOWANCE:
        refuse(
            f"This {label} image has {len(trailing)} bytes of other data after its end "
            "(a polyglot file); export the picture again as a plain image and upload that.",
            "polyglot",
        )


def image_end(data, found):
    """Return where the picture's own bytes end, or None where that is not known."""
    if found == "JPEG":
        position = data.rfind(b"\xff\xd9")
        return position + 2 if position >= 0 else None
    if found == "PNG":
        position = data.rfind(b"IEND")
        return position + 8 if position >= 0 else None
    if found == "WEBP" and data[:4] == b"RIFF":
        size = int.from_bytes(data[4:8], "little")
        return 8 + size + (size % 2)
    if found == "AVIF":
        return box_end(data)
    return None  # MPO carries its second picture after the first on purpose


def box_end(data):
    """Return where the last well-formed top-level ISO media box of an AVIF file ends.

    A box is a size and a four-letter type; what follows the last box that has both
    and fits in the file is not part of the picture.
    """
    position = 0
    while position + 8 <= len(data):
        size = int.from_bytes(data[position : position + 4], "big")
        kind = data[position + 4 : position + 8]
        if size == 1:
            size = int.from_bytes(data[position + 8 : position + 16], "big")
        elif size == 0:
            size = len(data) - position  # the last box runs to the end of the file
        if size < 8 or position + size > len(data) or not kind.isalnum():
            return position
        position += size
    return position


def upright(picture):
    """Return the picture turned as its EXIF orientation says."""
    return ImageOps.exif_transpose(picture) or picture


def has_alpha(picture):
    return picture.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        picture.mode == "P" and "transparency" in picture.info
    )


def to_srgb(picture):
    """Return the picture in sRGB (RGB or RGBA), through its ICC profile if it has one.

    Metadata is left behind: the result carries no EXIF, XMP, comment or profile.
    """
    alpha = has_alpha(picture)
    profile = picture.info.get("icc_profile")
    target = "RGBA" if alpha else "RGB"
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            working = picture
            if working.mode not in ("RGB", "RGBA", "CMYK", "L"):
                working = working.convert(target)
            output = "RGBA" if working.mode == "RGBA" else "RGB"
            converted = ImageCms.profileToProfile(working, source, SRGB, outputMode=output)
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError) as error:
            raise ValidationError(
                "This picture's colour profile (ICC) cannot be read; export it again in sRGB.",
                code="bad_profile",
            ) from error
        picture = converted
    if picture.mode != target:
        picture = picture.convert(target)
    # The picture is this upload's own (opened, turned or converted here), so its
    # metadata is dropped in place rather than in a copy of up to 160 MB.
    picture.info = {}
    return picture


def encode(picture, fmt):
    """Return the picture's bytes in a format: jpeg, png, webp or avif, no metadata."""
    name, options = ENCODERS[fmt]
    if fmt == "jpeg" and picture.mode != "RGB":
        picture = picture.convert("RGB")
    buffer = io.BytesIO()
    picture.save(buffer, name, **options)
    return buffer.getvalue()


def fallback_format(picture):
    """Return the format every browser reads that keeps the picture: PNG for transparency."""
    return "png" if picture.mode == "RGBA" else "jpeg"


def rendition_widths(width):
    """Return the widths to make for a picture this wide: the standard ones below it,
    and its own width (or the largest standard one)."""
    largest = min(width, RENDITION_WIDTHS[-1])
    return [w for w in RENDITION_WIDTHS if w < largest] + [largest]


def make_renditions(prepared, storage):
    """Write the renditions of a prepared picture; return their descriptions, widest last."""
    picture = prepared.picture
    formats = (*RENDITION_FORMATS, fallback_format(picture))
    renditions = []
    written = []
    try:
        for width in rendition_widths(picture.width):
            height = max(1, round(picture.height * width / picture.width))
            if (width, height) == picture.size:
                resized = picture
            else:
                resized = picture.resize((width, height), PILImage.Resampling.LANCZOS, None, 2.0)
            for fmt in formats:
                name = f"{RENDITION_DIR}/{prepared.stem}-{width}.{EXTENSIONS[fmt]}"
                stored = storage.save(name, ContentFile(encode(resized, fmt)))
                written.append(stored)
                renditions.append({"format": fmt, "width": width, "height": height, "name": stored})
    except Exception:
        delete_files(storage, written)
        raise
    return renditions


def delete_files(storage, names):
    for name in names:
        if name:
            storage.delete(name)


def validate_image_file(value):
    """Check a newly uploaded image file (a stored one was checked when it came)."""
    if getattr(value, "_committed", True):
        return
    prepare(value.file)
