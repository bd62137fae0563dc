from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("kpi/", views.dashboard, name="dashboard"),
    path("kpi/export.csv", views.export_csv, name="export"),
    path("kpi/abonnement/", views.subscription_toggle, name="subscription"),
    path("kpi/afmelden/", views.unsubscribe, name="unsubscribe"),
]
