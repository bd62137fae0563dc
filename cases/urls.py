from django.urls import path

from . import import_views, kpi_views, regie_views, toets_views, views

app_name = "cases"

urlpatterns = [
    path("dossiers/", views.search, name="search"),
    path("jeugdigen/nieuw/", views.child_register, name="child_register"),
    path("jeugdigen/nieuw/dubbelen/", views.child_duplicates, name="child_duplicates"),
    path("jeugdigen/<int:pk>/", views.child_detail, name="child_detail"),
    path("jeugdigen/<int:pk>/trajecten/nieuw/", views.trajectory_start, name="trajectory_start"),
    path("huishoudens/<int:pk>/", views.household_detail, name="household_detail"),
    path("trajecten/<int:pk>/wijzigen/", views.trajectory_change, name="trajectory_change"),
    path("trajecten/<int:pk>/beeindigen/", views.trajectory_end, name="trajectory_end"),
    path("trajecten/<int:pk>/verlenging/", views.extension_request, name="extension_request"),
    path("trajecten/<int:pk>/review/", views.review_plan, name="review_plan"),
    path("reviews/<int:pk>/vastleggen/", views.review_record, name="review_record"),
    path("toetsing/", toets_views.extension_queue, name="extension_queue"),
    path("toetsing/<int:pk>/", toets_views.extension_decide, name="extension_decide"),
    path("beheer/import/", import_views.upload, name="import_upload"),
    path("beheer/import/<int:pk>/", import_views.run_detail, name="import_run"),
    path("beheer/import/<int:pk>/bevestigen/", import_views.run_confirm, name="import_confirm"),
    path("beheer/import/<int:pk>/verslag.csv", import_views.run_report_csv, name="import_report_csv"),
    path("kpi/", kpi_views.dashboard, name="kpi_dashboard"),
    path("kpi/export.csv", kpi_views.export_csv, name="kpi_export"),
    path("kpi/abonnement/", kpi_views.subscription_toggle, name="kpi_subscription"),
    path("kpi/afmelden/", kpi_views.unsubscribe, name="kpi_unsubscribe"),
    path("regie/", regie_views.queue, name="regie_queue"),
    path("regie/top.csv", regie_views.queue_csv, name="regie_queue_csv"),
    path("regie/jeugdigen/<int:pk>/besluit/", regie_views.decision_create, name="regie_decision_create"),
    path("regie/jeugdigen/<int:pk>/signaal/", regie_views.flag_create, name="regie_flag_create"),
    path("regie/signalen/<int:pk>/afhandelen/", regie_views.flag_resolve, name="regie_flag_resolve"),
    path("regie/opschalingen/", regie_views.escalations, name="regie_escalations"),
    path("regie/patronen/", regie_views.patterns, name="regie_patterns"),
]
