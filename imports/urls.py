from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("beheer/import/", views.upload, name="upload"),
    path("beheer/import/<int:pk>/", views.run_detail, name="run"),
    path("beheer/import/<int:pk>/bevestigen/", views.run_confirm, name="confirm"),
    path("beheer/import/<int:pk>/verslag.csv", views.run_report_csv, name="report_csv"),
]
