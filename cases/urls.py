from django.urls import path

from . import price_views, replace_views, toets_views, views, work_views

app_name = "cases"

urlpatterns = [
    path("dossiers/", views.search, name="search"),
    path("jeugdigen/nieuw/", views.child_register, name="child_register"),
    path("jeugdigen/nieuw/dubbelen/", views.child_duplicates, name="child_duplicates"),
    path("jeugdigen/<int:pk>/", views.child_detail, name="child_detail"),
    path("jeugdigen/<int:pk>/trajecten/nieuw/", views.trajectory_start, name="trajectory_start"),
    path("jeugdigen/<int:pk>/casusregisseur/", work_views.owner_change, name="owner_change"),
    path("jeugdigen/<int:pk>/taken/nieuw/", work_views.task_add, name="task_add"),
    path("jeugdigen/<int:pk>/journaal/nieuw/", work_views.journal_add, name="journal_add"),
    path("taken/<int:pk>/gedaan/", work_views.task_done, name="task_done"),
    path("taken/<int:pk>/vervallen/", work_views.task_cancel, name="task_cancel"),
    path("huishoudens/<int:pk>/", views.household_detail, name="household_detail"),
    path("huishoudens/<int:pk>/adres/", views.household_address, name="household_address"),
    path("huishoudens/<int:pk>/gezaghebbenden/nieuw/", views.guardian_add, name="guardian_add"),
    path("gezaghebbenden/<int:pk>/wijzigen/", views.guardian_change, name="guardian_change"),
    path("gezaghebbenden/<int:pk>/verwijderen/", views.guardian_remove, name="guardian_remove"),
    path("trajecten/<int:pk>/wijzigen/", views.trajectory_change, name="trajectory_change"),
    path("trajecten/<int:pk>/beeindigen/", views.trajectory_end, name="trajectory_end"),
    path("trajecten/<int:pk>/omzetten/", replace_views.trajectory_replace, name="trajectory_replace"),
    path("trajecten/<int:pk>/start-zorg/", views.trajectory_record_start, name="trajectory_record_start"),
    path("trajecten/<int:pk>/verlenging/", views.extension_request, name="extension_request"),
    path("trajecten/<int:pk>/review/", views.review_plan, name="review_plan"),
    path("reviews/<int:pk>/vastleggen/", views.review_record, name="review_record"),
    path("beheer/prijs-ontbreekt/", price_views.missing_prices, name="missing_prices"),
    path("toetsing/", toets_views.extension_queue, name="extension_queue"),
    path("toetsing/<int:pk>/", toets_views.extension_decide, name="extension_decide"),
]
