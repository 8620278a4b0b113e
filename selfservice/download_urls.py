"""The member's downloads of their product's releases (supply records, policy §5)."""

from django.urls import path

from selfservice.views import downloads as views

app_name = "downloads"
urlpatterns = [
    path("", views.release_list, name="list"),
    path("<slug:product>/<str:version>/", views.release_detail, name="release"),
    path("<slug:product>/<str:version>/<int:pk>/", views.download, name="file"),
]
