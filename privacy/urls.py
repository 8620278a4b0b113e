from django.urls import path

from privacy import views

app_name = "privacy"
urlpatterns = [
    path("", views.policy, name="policy"),
    path("history/", views.history, name="history"),
    path("cookies/", views.cookies, name="cookies"),
    path("acknowledge/", views.acknowledge, name="acknowledge"),
    path("consent/", views.consent, name="consent"),
    path("v/<str:label>/", views.version, name="version"),
    path("v/<str:old>/diff/<str:new>/", views.diff, name="diff"),
]
