from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("organisation/choisir/", views.switch_organisation, name="switch-organisation"),
    path("journal/", views.audit_log, name="audit-log"),
    path("healthz", views.healthz, name="healthz"),
]
