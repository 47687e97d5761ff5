"""The band of periods on a topic's page, placed along the years the topic spans."""

TICK_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 500)
MAX_TICKS = 6
# Places and widths are given to the page as classes from static/css/band.css, in
# steps of a quarter of a per cent, not as style="" attributes, which the
# Content-Security-Policy refuses. A quarter per cent of 73 years is under 70 days.
STEPS_PER_PERCENT = 4


def band_step(percent):
    """Return the number of the step nearest to percent, from 0 to 100 per cent."""
    return min(max(round(percent * STEPS_PER_PERCENT), 0), 100 * STEPS_PER_PERCENT)


def stylesheet():
    """Return static/css/band.css: a class for each step of --left and of --width."""
    lines = ["/* Made by timeline.band.stylesheet(); tests/test_production.py checks it. */"]
    for number in range(100 * STEPS_PER_PERCENT + 1):
        percent = f"{number / STEPS_PER_PERCENT:g}%"
        lines.append(f".band-l-{number}{{--left:{percent}}}.band-w-{number}{{--width:{percent}}}")
    return "\n".join(lines) + "\n"


def fractional_year(day):
    """Return a day as a year with its fraction: 1 July 1956 is about 1956.5."""
    return day.year + (day.timetuple().tm_yday - 1) / 366


def period_band(periods, first_year, last_year):
    """Return each period with its offset and width as percentages of the span."""
    start_of_span, end_of_span = first_year, last_year + 1
    length = end_of_span - start_of_span
    band = []
    for period in periods:
        start = max(fractional_year(period.date_earliest), start_of_span)
        end = min(fractional_year(period.date_latest) + 1 / 366, end_of_span)
        left = round((start - start_of_span) / length * 100, 2)
        width = max(round((end - start) / length * 100, 2), 0.8)
        # Both edges to the nearest step, so neighbours meet as they did.
        right = max(band_step(left + width), band_step(left) + 1)
        band.append(
            {
                "period": period,
                "left": left,
                "width": width,
                "classes": f"band-l-{band_step(left)} band-w-{right - band_step(left)}",
            }
        )
    return band


def ticks(first_year, last_year):
    """Return the years to label along the band, with their places as percentages.

    The first and last year are always labelled; between them, round years at the
    smallest step that keeps the labels few.
    """
    length = last_year + 1 - first_year
    step = next((step for step in TICK_STEPS if length / step <= MAX_TICKS), TICK_STEPS[-1])
    years = [first_year]
    year = (first_year // step + 1) * step
    while year < last_year:
        if year - years[-1] >= step / 2 and last_year - year >= step / 2:
            years.append(year)
        year += step
    if last_year != first_year:
        years.append(last_year)
    # The last year's label stands at the end of that year, where the band ends.
    ends = {last_year} - {first_year}
    places = [
        (year, round((year + (year in ends) - first_year) / length * 100, 2)) for year in years
    ]
    return [{"year": year, "at": at, "classes": f"band-l-{band_step(at)}"} for year, at in places]
