from django.urls import path

from timeline import views
from timeline.cards import CardView
from timeline.models import Event, Period, Person, Place, Source

app_name = "timeline"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("topics/<slug:slug>/", views.TopicView.as_view(), name="topic-detail"),
    path("periods/", views.PeriodListView.as_view(), name="period-list"),
    path("periods/<slug:slug>/", views.PeriodDetailView.as_view(), name="period-detail"),
    path("events/", views.EventListView.as_view(), name="event-list"),
    path("events/names/", views.NameSuggestionsView.as_view(), name="event-names"),
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
]
