"""Sources as CSL-JSON, the format reference managers and citation processors read."""

from timeline.text import lines


def names(text):
    """Return one-a-line names as CSL name objects: "Family, Given" or a literal name."""
    found = []
    for name in lines(text):
        family, comma, given = name.partition(",")
        if comma:
            found.append({"family": family.strip(), "given": given.strip()})
        else:
            found.append({"literal": name})
    return found


def source_item(source):
    """Return a source as one CSL-JSON item."""
    item = {"id": source.slug, "type": source.csl_type, "title": source.title}
    if authors := names(source.authors):
        item["author"] = authors
    optional = {
        "container-title": source.container_title,
        "publisher": source.publisher,
        "URL": source.url,
        "license": source.licence,
        "note": source.note,
    }
    item.update({key: value for key, value in optional.items() if value})
    if source.issued:
        item["issued"] = date(source.issued)
    if source.accessed:
        day = source.accessed
        item["accessed"] = {"date-parts": [[day.year, day.month, day.day]]}
    return item


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
