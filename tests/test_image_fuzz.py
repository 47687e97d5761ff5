"""Over a thousand malformed files through the admin's own add form: no server error,
and no file left behind by any upload the form refused."""

import random
import struct
import time
from collections import Counter
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import features

from tests import image_samples as samples
from timeline.models import Image

pytestmark = pytest.mark.django_db

SEED = 20261127
EXTENSIONS = ("jpg", "jpeg", "png", "webp", "avif", "gif", "svg", "html", "php", "", "JPG.exe")


def real_files():
    """Return small real pictures in every format Pillow writes here, by name."""
    picture = samples.picture((40, 30))
    files = {
        "jpeg": samples.encode(picture, "JPEG"),
        "progressive jpeg": samples.encode(picture, "JPEG", progressive=True),
        "png": samples.encode(picture, "PNG"),
        "rgba png": samples.png((40, 30), mode="RGBA"),
        "webp": samples.encode(picture, "WEBP"),
        "lossless webp": samples.encode(picture, "WEBP", lossless=True),
    }
    if features.check("avif"):
        files["avif"] = samples.encode(picture, "AVIF")
    return files


def other_formats():
    """Return files of formats the site refuses: pictures and not."""
    picture = samples.picture((40, 30))
    return {
        "gif": samples.encode(picture, "GIF"),
        "bmp": samples.encode(picture, "BMP"),
        "tiff": samples.encode(picture, "TIFF"),
        "ico": samples.encode(picture, "ICO"),
        "pcx": samples.encode(picture, "PCX"),
        "ppm": samples.encode(picture, "PPM"),
        "tga": samples.encode(picture, "TGA"),
        "svg": samples.SVG,
        "html": samples.HTML,
        "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n",
        "zip": samples.zip_archive(),
        "php": b"<?php system($_GET['c']); ?>",
        "elf": b"\x7fELF\x02\x01\x01" + bytes(200),
    }


def webp_claiming(width, height):
    """Return a WebP whose extended header claims a canvas of width × height."""
    data = bytearray(samples.webp())
    chunk = struct.pack("<I", 10) + bytes([0x10, 0, 0, 0])
    chunk += (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    data[12:12] = b"VP8X" + chunk
    data[4:8] = struct.pack("<I", len(data) - 8)
    return bytes(data)


def huge(kind, side, other, bomb):
    """Return a decompression bomb, or a small file whose header claims a huge picture."""
    if kind == 0:
        return bomb
    if kind == 1:
        return samples.png_claiming(side, other)
    if kind == 2:
        return samples.jpeg_claiming(min(side, 65535), min(other, 65535))
    return webp_claiming(min(side, 16384), min(other, 16384))


def malformed_files():
    """Yield (kind, name, bytes, must_be_refused), at least 1,000 of them, the same each run."""
    rng = random.Random(SEED)
    real = real_files()
    others = other_formats()
    magic = [b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n", b"RIFF\x00\x10\x00\x00WEBPVP8 ", b"GIF89a"]
    if "avif" in real:
        magic.append(real["avif"][:32])

    def name():
        extension = rng.choice(EXTENSIONS)
        return f"upload-{rng.randrange(10**6)}" + (f".{extension}" if extension else "")

    for _ in range(150):  # random bytes
        yield "random bytes", name(), rng.randbytes(rng.randrange(1, 5000)), True
    for _ in range(150):  # random bytes behind an image format's signature
        noise = rng.randbytes(rng.randrange(1, 3000))
        yield "signature and noise", name(), rng.choice(magic) + noise, True
    for _ in range(200):  # real pictures cut short
        kind, data = rng.choice(list(real.items()))
        cut = rng.randrange(0, len(data) * 9 // 10)
        yield f"truncated {kind}", name(), data[:cut], True
    for _ in range(300):  # real pictures with bytes changed, inserted or removed
        kind, data = rng.choice(list(real.items()))
        data = bytearray(data)
        for _ in range(rng.randrange(1, 30)):
            at = rng.randrange(len(data))
            action = rng.random()
            if action < 0.7:
                data[at] = rng.randrange(256)
            elif action < 0.85:
                data[at:at] = rng.randbytes(rng.randrange(1, 16))
            else:
                del data[at : at + rng.randrange(1, 16)]
        yield f"mutated {kind}", name(), bytes(data), False
    for _ in range(100):  # other formats, under image names
        kind, data = rng.choice(list(others.items()))
        yield f"{kind} as a picture", name(), data, True
    bomb = samples.png_bomb(8000)
    for index in range(70):  # decompression bombs and huge sizes in small files
        side = rng.choice([6400, 8000, 20000, 65000, 99999, 2**31 - 1])
        other = rng.randrange(6400, 65000)
        yield "bomb or huge size", name(), huge(index % 4, side, other, bomb), True
    for _ in range(60):  # polyglots: a real picture that is also a page or an archive
        kind, data = rng.choice(list(real.items()))
        payload = rng.choice([samples.HTML, samples.SVG, others["php"], others["zip"]])
        if kind.endswith("png") and rng.random() < 0.5:
            yield "polyglot png text", name(), samples.png_with_text(samples.HTML), True
        else:
            yield f"polyglot {kind}", name(), data + payload, True
    for _ in range(5):
        yield "zero bytes", name(), b"", True


def files_under(root):
    root = Path(root)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_a_thousand_malformed_uploads_give_form_errors_and_leave_no_file(admin_client, media_root):
    url = reverse("admin:timeline_image_add")
    cases = list(malformed_files())
    assert len(cases) >= 1000
    statuses, refusals, wrongly_accepted = Counter(), Counter(), []
    started = time.monotonic()
    for index, (kind, name, data, must_be_refused) in enumerate(cases):
        response = admin_client.post(
            url,
            {
                "file": SimpleUploadedFile(name, data),
                "alt": "A fuzzed upload.",
                "slug": f"fuzz-{index}",
                "licence": "cc0",
                "locator_label": "page",
                "status": "draft",
            },
        )
        # The test client raises a view's exception; a 500 would also show here.
        statuses[response.status_code] += 1
        assert response.status_code in (200, 302), (kind, response.status_code)
        if response.status_code == 200:
            errors = response.context["adminform"].form.errors
            assert list(errors) == ["file"], (kind, errors)
            message = errors["file"][0]
            assert message.endswith(".") and len(message) > 20, (kind, message)
            refusals[message.split(":")[0].split(";")[0][:60]] += 1
        elif must_be_refused:
            wrongly_accepted.append(kind)
    elapsed = time.monotonic() - started
    assert not wrongly_accepted, Counter(wrongly_accepted)
    accepted = Image.objects.all()
    assert accepted.count() == statuses[302]
    kept = sorted(name for image in accepted for name in image.stored_files)
    # Every file under MEDIA_ROOT belongs to an accepted upload: refusals left nothing.
    assert files_under(media_root) == kept
    assert statuses[200] >= 900, statuses
    print(f"\n{len(cases)} uploads in {elapsed:.1f} s: {dict(statuses)}")
    for message, count in refusals.most_common():
        print(f"{count:5}  {message}")
