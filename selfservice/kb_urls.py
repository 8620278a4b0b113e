"""The public knowledge base: no login, so no personal data on any of its pages."""

from django.urls import path

from selfservice.views import kb as views

app_name = "kb"
urlpatterns = [
    path("", views.article_list, name="list"),
    # Before the articles: "suggest" is a reserved slug (selfservice.services.kb.RESERVED_SLUGS).
    path("suggest/", views.suggest, name="suggest"),
    path("<str:slug>/", views.article_detail, name="article"),
    path("<str:slug>/helpful/", views.helpful, name="helpful"),
]
