from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "jeugdregie · beheer"
admin.site.site_title = "jeugdregie beheer"

urlpatterns = [
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("cases.urls")),
    path("", include("referrals.urls")),
    path("", include("regie.urls")),
    path("", include("reports.urls")),
    path("", include("imports.urls")),
    path("", include("werk.urls")),
]
