"""Sources as CSL-JSON, the format reference managers and citation processors read.

Names are stored as CSL name objects: {"family": …, "given": …} for a person,
{"literal": …} for a name printed as it stands (an institution, "Wikipedia
contributors"). Editors type them one a line; see parse_names().
"""

from django.core.exceptions import ValidationError

from timeline.text import lines

NAME_PARTS = ("family", "given", "literal")
LITERAL_MARK = "="


def parse_names(text):
    """Return one-a-line names as CSL name objects, or raise ValidationError with a sentence.

    "Family, Given" is a person; a line without a comma is a literal name; a line that
    starts with "=" is a literal name even with commas in it ("=Smith, Elder & Co.").
    """
    found, errors = [], []
    for number, line in enumerate(lines(text), start=1):
        if line.startswith(LITERAL_MARK):
            literal = line[len(LITERAL_MARK) :].strip()
            if literal:
                found.append({"literal": literal})
            else:
                errors.append(f"Line {number}: write the name after the “=”.")
            continue
        family, comma, given = (part.strip() for part in line.partition(","))
        if not comma:
            found.append({"literal": line})
        elif "," in given:
            errors.append(
                f"Line {number}, “{line}”: write a person as “Family, Given” with one comma, "
                f"or start a name that has commas in it with “=” to print it as it is."
            )
        elif not family:
            errors.append(f"Line {number}, “{line}”: the family name before the comma is missing.")
        else:
            found.append({"family": family, "given": given} if given else {"family": family})
    if errors:
        raise ValidationError(errors)
    return found


def name_line(name):
    """Return a CSL name object as the line an editor types for it."""
    if "literal" in name:
        literal = name["literal"]
        return f"{LITERAL_MARK}{literal}" if "," in literal else literal
    # A family name alone keeps its comma ("Shilov,"), or it would read back as a literal.
    return f"{name['family']}, {name.get('given', '')}".rstrip()


def display_name(name, inverted=True):
    """Return a name for a reader: "Wilson, Woodrow", or "Woodrow Wilson" if not inverted."""
    if "literal" in name:
        return name["literal"]
    if inverted:
        return name_line(name).rstrip(",")
    return " ".join(part for part in (name.get("given", ""), name.get("family", "")) if part)


def validate_names(value):
    """Refuse anything but a list of CSL names: each a family name (and given) or a literal."""
    if not isinstance(value, list):
        raise ValidationError("Names must be a list.")
    for name in value:
        if not isinstance(name, dict) or not name:
            raise ValidationError("Each name must be an object with family, given or literal.")
        unknown = set(name) - set(NAME_PARTS)
        if unknown:
            raise ValidationError(
                f"A name has parts this site does not know: {', '.join(sorted(unknown))}."
            )
        if not all(isinstance(part, str) and part.strip() for part in name.values()):
            raise ValidationError("Each part of a name must be a non-empty text.")
        if ("literal" in name) == ("family" in name):
            raise ValidationError(
                "A name is either a person's (family, and given if known) or a literal one."
            )
        if "given" in name and "family" not in name:
            raise ValidationError("A given name needs a family name beside it.")


def source_item(source):
    """Return a source as one CSL-JSON item."""
    item = {"id": source.slug, "type": source.csl_type, "title": source.title}
    if source.authors:
        item["author"] = [dict(name) for name in source.authors]
    if source.editors:
        item["editor"] = [dict(name) for name in source.editors]
    optional = {
        "container-title": source.container_title,
        "publisher": source.publisher,
        "publisher-place": source.publisher_place,
        "page": source.page,
        "version": source.version,
        "DOI": source.doi,
        "URL": source.url,
        "license": source.licence,
        "note": source.note,
    }
    item.update({key: value for key, value in optional.items() if value})
    if source.issued:
        item["issued"] = date(source.issued)
    if source.accessed:
        item["accessed"] = day_parts(source.accessed)
    return item


def day_parts(day):
    """Return a CSL date object for one day."""
    return {"date-parts": [[day.year, day.month, day.day]]}


def date(value):
    """Return a CSL date object for an EDTF value."""
    parts = []
    for end in value.split("/"):
        pieces = end.rstrip("~?%").split("-")
        date_parts = [int(piece) for piece in pieces[:3] if piece.isascii() and piece.isdigit()]
        if len(date_parts) > 1 and date_parts[1] > 12:
            # EDTF 21–24 are CSL's seasons 1–4; quarters and other groupings keep the year.
            grouping = date_parts.pop(1)
            parts.append(date_parts[:1])
            result = {"date-parts": parts}
            if 21 <= grouping <= 24:
                result["season"] = grouping - 20
            break
        parts.append(date_parts)
    else:
        result = {"date-parts": parts}
    if value.endswith(("~", "%")):
        result["circa"] = True
    return result
