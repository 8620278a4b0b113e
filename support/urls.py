from django.urls import path

from support import views

app_name = "support"
urlpatterns = [
    path("", views.inquiry_list, name="list"),
    path("new/", views.new_inquiry, name="new"),
    path("<str:number>/", views.inquiry_detail, name="detail"),
    path("<str:number>/files/<int:pk>/", views.attachment, name="attachment"),
]
