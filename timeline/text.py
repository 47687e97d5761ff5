"""Text folding for search that ignores case and accents on every database.

SQLite's LIKE folds only ASCII letters and PostgreSQL's ILIKE keeps accents, so a
query for "karolyi" would miss "Károlyi" on both. Each searchable row therefore
keeps a folded copy of its text (``search_text``) written on save, and queries are
folded the same way before they are compared with it.
"""

import re
import unicodedata

from django.utils.text import slugify as django_slugify

# Letters that do not decompose into a base letter and a combining mark.
EXTRA_FOLDS = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "đ": "d",
        "ł": "l",
        "æ": "ae",
        "œ": "oe",
        "ı": "i",
        "’": "'",
        "‘": "'",
        "–": "-",
        "—": "-",
    }
)


def fold(text):
    """Return text lower-cased, without accents, with white space collapsed."""
    text = unicodedata.normalize("NFKD", (text or "").casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.translate(EXTRA_FOLDS).split())


def lines(text):
    """Return the non-empty, stripped lines of a text field."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


APOSTROPHES = re.compile(r"['’‘]")
NOT_A_WORD = re.compile(r"[^\w\s-]")


def slugify(text):
    """Return a slug for a page address: "Soviet–Hungarian" gives "soviet-hungarian".

    Django's slugify drops an en dash, a slash or a full stop and runs the words
    on either side together; here they break words, as a space does, and letters
    are transliterated the way search folds them (ő to o, ł to l, ß to ss).
    """
    words = NOT_A_WORD.sub(" ", APOSTROPHES.sub("", fold(text)))
    return django_slugify(words)
