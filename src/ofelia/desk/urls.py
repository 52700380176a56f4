from django.urls import path

from . import views

urlpatterns = [
    path("gestion/", views.staff_home, name="staff-home"),
    path("espace/", views.extranet_home, name="extranet-home"),
]
