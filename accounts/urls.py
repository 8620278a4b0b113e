from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("reauth/", views.reauth, name="reauth"),
    path("me/", views.me, name="me"),
    path("me/edit/", views.me_edit, name="me_edit"),
    path("me/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("me/export/", views.export, name="export"),
    path("me/export.csv", views.export_csv, name="export_csv"),
    path("me/print/", views.print_data, name="print"),
    path("me/withdraw/", views.withdraw, name="withdraw"),
    path("me/requests/new/", views.new_request, name="new_request"),
    path("withdrawn/", views.withdrawn, name="withdrawn"),
    path("recover/", views.recover, name="recover"),
    path("recover/code/", views.recover_with_code, name="recover_code"),
]
