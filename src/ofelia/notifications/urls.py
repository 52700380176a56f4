from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("gestion/parametres/courriels/", views.template_list, name="templates"),
    path("gestion/parametres/courriels/<slug:kind>/", views.template_edit, name="template"),
    path("espace/notifications/", views.my_preferences, name="mine"),
    path("gestion/mes-notifications/", views.my_preferences, name="mine-staff"),
]
