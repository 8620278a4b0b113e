from django.urls import path

from privacy import views

app_name = "notices"
urlpatterns = [
    path("", views.notices, name="list"),
    path("<int:pk>/", views.notice, name="detail"),
]
