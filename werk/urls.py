from django.urls import path

from . import views

app_name = "werk"

urlpatterns = [
    path("werk/", views.mine, name="mine"),
    path("werk/team/", views.team, name="team"),
]
