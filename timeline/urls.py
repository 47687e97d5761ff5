from django.contrib.sitemaps import views as sitemap_views
from django.urls import path, register_converter

from timeline import cite_views, exports, feeds, views
from timeline.cards import CardView
from timeline.models import Event, Period, Person, Place, Source
from timeline.sitemaps import SITEMAPS, robots_txt

register_converter(cite_views.CiteFormatConverter, "citeformat")

app_name = "timeline"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("topics/<slug:slug>/", views.TopicView.as_view(), name="topic-detail"),
    path("periods/", views.PeriodListView.as_view(), name="period-list"),
    path("periods/<slug:slug>/", views.PeriodDetailView.as_view(), name="period-detail"),
    path("events/", views.EventListView.as_view(), name="event-list"),
    path("events/names/", views.NameSuggestionsView.as_view(), name="event-names"),
    # Before the event pages, whose slug pattern would take "feed".
    path("events/feed/", feeds.FilteredEventFeed(), name="event-feed"),
    path("events/export.csv", exports.TimelineExportView.as_view(format="csv"), name="export-csv"),
    path(
        "events/export.json", exports.TimelineExportView.as_view(format="json"), name="export-json"
    ),
    path("events/<slug:slug>/", views.EventDetailView.as_view(), name="event-detail"),
    path("people/", views.PersonListView.as_view(), name="person-list"),
    path("people/<slug:slug>/", views.PersonDetailView.as_view(), name="person-detail"),
    path("places/", views.PlaceListView.as_view(), name="place-list"),
    path("places/<slug:slug>/", views.PlaceDetailView.as_view(), name="place-detail"),
    path("sources/", views.SourceListView.as_view(), name="source-list"),
    path("sources/<slug:slug>/", views.SourceDetailView.as_view(), name="source-detail"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("card.png", CardView.as_view(), name="site-card"),
    path("periods/<slug:slug>/card.png", CardView.as_view(model=Period), name="period-card"),
    path("events/<slug:slug>/card.png", CardView.as_view(model=Event), name="event-card"),
    path("people/<slug:slug>/card.png", CardView.as_view(model=Person), name="person-card"),
    path("places/<slug:slug>/card.png", CardView.as_view(model=Place), name="place-card"),
    path("sources/<slug:slug>/card.png", CardView.as_view(model=Source), name="source-card"),
    # Cite this page: each page's record, each source's, and the whole bibliography.
    path("cite.<citeformat:fmt>", cite_views.HomeCiteView.as_view(), name="home-cite"),
    path(
        "topics/<slug:slug>/cite.<citeformat:fmt>",
        cite_views.TopicCiteView.as_view(),
        name="topic-cite",
    ),
    path(
        "periods/<slug:slug>/cite.<citeformat:fmt>",
        cite_views.PeriodCiteView.as_view(),
        name="period-cite",
    ),
    path(
        "events/<slug:slug>/cite.<citeformat:fmt>",
        cite_views.EventCiteView.as_view(),
        name="event-cite",
    ),
    path(
        "people/<slug:slug>/cite.<citeformat:fmt>",
        cite_views.PersonCiteView.as_view(),
        name="person-cite",
    ),
    path(
        "places/<slug:slug>/cite.<citeformat:fmt>",
        cite_views.PlaceCiteView.as_view(),
        name="place-cite",
    ),
    path(
        "sources/cite.<citeformat:fmt>",
        cite_views.BibliographyView.as_view(),
        name="source-bibliography",
    ),
    path(
        "sources/<slug:slug>/cite.<citeformat:fmt>",
        cite_views.SourceCiteView.as_view(),
        name="source-cite",
    ),
    path(
        "sources/<slug:slug>/source.<citeformat:fmt>",
        cite_views.SourceRecordView.as_view(),
        name="source-record",
    ),
    # Open data: feeds, sitemap, robots.txt, exports and the dataset.
    path("feed/", feeds.EventFeed(), name="feed"),
    path("data/", exports.DataView.as_view(), name="data"),
    path("data/histsite.json", exports.DatasetView.as_view(), name="dataset"),
    path("data/bibliography.json", exports.BibliographyView.as_view(), name="bibliography"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "timeline:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", robots_txt, name="robots"),
]
