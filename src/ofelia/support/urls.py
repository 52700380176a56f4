from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("espace/support/", views.my_tickets, name="my-tickets"),
    path("espace/support/<int:pk>/", views.my_ticket, name="my-ticket"),
    path("gestion/support/", views.queue, name="queue"),
    path("gestion/support/manquements/", views.breaches, name="breaches"),
    path("gestion/support/<int:pk>/", views.ticket_detail, name="ticket"),
]
