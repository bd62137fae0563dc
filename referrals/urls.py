from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("jeugdigen/<int:child_pk>/verwijzingen/nieuw/", views.referral_add, name="referral_add"),
    path("verwijzingen/<int:pk>/uitkomst/", views.referral_outcome, name="referral_outcome"),
]
