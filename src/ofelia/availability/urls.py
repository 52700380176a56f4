from django.urls import path

from . import views

app_name = "availability"

urlpatterns = [
    path("espace/disponibilite/", views.my_report, name="my-report"),
    path("gestion/disponibilite/", views.report, name="report"),
    path("gestion/disponibilite/avoir/", views.credit_grant, name="credit-grant"),
    path("gestion/disponibilite/incidents/", views.incidents, name="incidents"),
    path("gestion/disponibilite/incidents/nouveau/", views.incident_new, name="incident-new"),
    path("gestion/disponibilite/incidents/<int:pk>/", views.incident_edit, name="incident"),
    path("gestion/disponibilite/maintenance/", views.maintenance_new, name="maintenance-new"),
]
