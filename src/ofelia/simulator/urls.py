from django.urls import path

from . import views

app_name = "simulator"
urlpatterns = [
    path("", views.index, name="index"),
    path("run/", views.run, name="run"),
    path("policies/", views.policy_list, name="policies"),
    path("policies/new/", views.policy_new, name="policy-new"),
]
