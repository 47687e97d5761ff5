"""Speed and query figures for the main pages: `make bench`.

Builds throwaway sites of several sizes in a temporary SQLite database (or the
database DATABASE_URL names, in a fresh test database), then prints, per page, the
median time of repeated requests and the number of queries.
"""

import os
import statistics
import sys
import time
import tracemalloc

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "histsite.test_settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.template import Context, Engine, Template  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
)

SIZES = (5, 500, 5000)
REPEATS = 15


def measure(client, url):
    timings = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(timings) * 1000, len(queries)


def bench_include_cost():
    """Compare 25 timeline rows rendered through {% include %} and inline."""
    from timeline.models import Event

    events = list(Event.objects.published().with_related()[:25])
    engine = Engine.get_default()
    row = engine.get_template("includes/event_item.html").source
    with_include = Template(
        "{% for event in events %}"
        "{% include 'includes/event_item.html' with event=event show_details=True %}"
        "{% endfor %}"
    )
    inline = Template(
        "{% for event in events %}{% with show_details=True %}" + row + "{% endwith %}{% endfor %}"
    )
    figures = {}
    for name, template in (("include", with_include), ("inline", inline)):
        timings = []
        for _ in range(50):
            start = time.perf_counter()
            template.render(Context({"events": events}))
            timings.append(time.perf_counter() - start)
        figures[name] = statistics.median(timings) * 1000
    return figures


def main():
    from django.conf import settings
    from django.test.utils import get_runner  # noqa: F401

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    from tests.test_queries import add_events, build_site, urls

    client = Client()
    print(f"database: {connection.vendor}; {REPEATS} requests a page, median")
    print(f"{'events':>7}  {'ms':>8}  {'queries':>7}  page")
    try:
        built = 0
        for size in SIZES:
            if built == 0:
                build_site(size)
            else:
                add_events(size - built, first=built)
            built = size
            for url in urls():
                ms, queries = measure(client, url)
                print(f"{size:>7}  {ms:8.1f}  {queries:>7}  {url}")
            tracemalloc.start()
            client.get("/events/")
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(f"{size:>7}  peak memory of one /events/ request: {peak / 1024:.0f} KiB")
        figures = bench_include_cost()
        include, inline = figures["include"], figures["inline"]
        print(f"25 timeline rows: {include:.2f} ms with an include, {inline:.2f} ms inline")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    del settings
    return 0


if __name__ == "__main__":
    sys.exit(main())
