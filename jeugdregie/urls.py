from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from . import twofactor, views

admin.site.site_header = "jeugdregie · beheer"
admin.site.site_title = "jeugdregie beheer"

# Django's own 403/404/500 handlers render templates/403.html, 404.html and 500.html (Dutch, with the
# navigation); jeugdregie.middleware shows the same 404 under DEBUG.

urlpatterns = [
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
    # Login, logout and changing one's own password. No password reset by email: a forgotten password
    # is reset by the functioneel beheerder (an open reset form is an unthrottled way in).
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/tweestaps/", twofactor.verify, name="two_factor_verify"),
    path("accounts/tweestaps/instellen/", twofactor.setup, name="two_factor_setup"),
    # For the load balancer: database and (when configured) the broker; no personal data.
    path("gezondheid/", login_not_required(views.HealthView.as_view()), name="health"),
    path("", include("cases.urls")),
    path("", include("referrals.urls")),
    path("", include("regie.urls")),
    path("", include("reports.urls")),
    path("", include("imports.urls")),
    path("", include("werk.urls")),
]
