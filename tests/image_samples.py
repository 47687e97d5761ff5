"""Pictures made on the fly for the image tests: real files in every format, and
the hostile ones (bombs, polyglots, files that claim huge sizes)."""

import io
import struct
import zlib

from PIL import Image, ImageCms

ORIENTATION = 0x0112
GPS_IFD = 0x8825


def picture(size=(64, 48), colour=(200, 40, 40), mode="RGB"):
    """Return a picture with a left half in colour and a right half in grey, so that
    turning it is visible."""
    image = Image.new(mode, size, colour if mode == "RGB" else (*colour, 128))
    half = Image.new(mode, (size[0] // 2, size[1]), (90, 90, 90) if mode == "RGB" else (90,) * 4)
    image.paste(half, (size[0] - size[0] // 2, 0))
    return image


def encode(image, fmt, **options):
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def jpeg(size=(64, 48), **options):
    return encode(picture(size), "JPEG", **options)


def png(size=(64, 48), mode="RGB", **options):
    return encode(picture(size, mode=mode), "PNG", **options)


def webp(size=(64, 48), **options):
    return encode(picture(size), "WEBP", **options)


def avif(size=(64, 48), **options):
    return encode(picture(size), "AVIF", **options)


def noise_png(size=(300, 300)):
    """Return a PNG of random pixels, which does not compress: its size is about 3 bytes
    a pixel."""
    import random

    noise = random.Random(size[0]).randbytes(size[0] * size[1] * 3)
    return encode(Image.frombytes("RGB", size, noise), "PNG")


def exif_with_gps(orientation=6):
    """Return EXIF that names a camera, a GPS position and an orientation."""
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif[ORIENTATION] = orientation
    exif[GPS_IFD] = {1: "N", 2: (47.0, 29.0, 52.0), 3: "E", 4: (19.0, 2.0, 27.0)}
    return exif


def swapped_primaries_profile():
    """Return an ICC profile that is sRGB with its red and green primaries swapped.

    A pure red pixel tagged with it is green in sRGB: converting shows in the colour.
    """
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    count = struct.unpack(">I", data[128:132])[0]
    entries = {}
    for index in range(count):
        at = 132 + 12 * index
        signature = bytes(data[at : at + 4])
        entries[signature] = at
    red, green = entries[b"rXYZ"], entries[b"gXYZ"]
    data[red + 4 : red + 12], data[green + 4 : green + 12] = (
        data[green + 4 : green + 12],
        data[red + 4 : red + 12],
    )
    return bytes(data)


def png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width, height):
    """Return a small PNG whose header claims width × height pixels (a valid checksum)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = b"\x00" + b"\x00" * 3 * min(width, 4)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(row * 4))
        + png_chunk(b"IEND", b"")
    )


def png_bomb(side=8000):
    """Return a PNG of side × side pixels of one colour: tiny on disk, huge decoded."""
    row = b"\x00" + b"\x00" * side
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", body)
        + png_chunk(b"IEND", b"")
    )


def jpeg_claiming(width, height):
    """Return a small JPEG whose frame header claims width × height pixels."""
    data = bytearray(jpeg((16, 16)))
    at = data.find(b"\xff\xc0")
    if at < 0:
        at = data.find(b"\xff\xc2")
    data[at + 5 : at + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def png_with_text(text):
    """Return a PNG carrying text in a tEXt chunk (where polyglots hide script)."""
    data = png()
    end = data.rfind(b"IEND") - 4
    return data[:end] + png_chunk(b"tEXt", b"Comment\x00" + text) + data[end:]


def zip_archive():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.txt", "hidden " * 20)
    return buffer.getvalue()


SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"
