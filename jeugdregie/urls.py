from django.contrib import admin
from django.urls import include, path

from cases import views as case_views

admin.site.site_header = "jeugdregie · beheer"
admin.site.site_title = "jeugdregie beheer"

urlpatterns = [
    path("", case_views.home, name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("cases.urls")),
    path("", include("referrals.urls")),
]
