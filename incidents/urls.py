from django.urls import path

from incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.notices, name="notices"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
]
