from django.urls import path

from . import cohort_views, residential_views, views, wlz_views

app_name = "regie"

urlpatterns = [
    path("regie/", views.queue, name="queue"),
    path("regie/top.csv", views.queue_csv, name="queue_csv"),
    path("regie/jeugdigen/<int:pk>/besluit/", views.decision_create, name="decision_create"),
    path("regie/jeugdigen/<int:pk>/signaal/", views.flag_create, name="flag_create"),
    path("regie/signalen/<int:pk>/afhandelen/", views.flag_resolve, name="flag_resolve"),
    path("regie/opschalingen/", views.escalations, name="escalations"),
    path("regie/opschalingen/<int:pk>/antwoord/", views.escalation_answer, name="escalation_answer"),
    path("regie/patronen/", views.patterns, name="patterns"),
    path("regie/overleggen/", views.case_meetings, name="case_meetings"),
    path("regie/overleggen/<int:pk>/", views.case_meeting, name="case_meeting"),
    path("wachtlijst/", views.waiting, name="waiting"),
    path("regie/verblijf/", residential_views.residential, name="residential"),
]

urlpatterns += [
    path("regie/wlz/", wlz_views.wlz_routes, name="wlz_routes"),
    path("regie/wlz/<int:pk>/", wlz_views.wlz_route, name="wlz_route"),
]

# Issue 11: the effect of the Top N (peildatum) and the knelpunten register (regie/cohort_views.py).
urlpatterns += [
    path("regie/effect/", cohort_views.cohorts, name="cohorts"),
    path("regie/effect/<int:pk>/", cohort_views.cohort, name="cohort"),
    path("regie/knelpunten/", cohort_views.knelpunten, name="knelpunten"),
    path("regie/knelpunten/<int:pk>/", cohort_views.knelpunt_edit, name="knelpunt_edit"),
]
