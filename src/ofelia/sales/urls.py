from django.urls import path

from . import views

app_name = "sales"
urlpatterns = [
    path("ventes/", views.pipeline, name="pipeline"),
    path("ventes/devis/<int:pk>/", views.quote_detail, name="quote-detail"),
    path("ventes/devis/<int:pk>/<slug:action>/", views.quote_action, name="quote-action"),
    path("ventes/contrats/<int:pk>/", views.contract_detail, name="contract-detail"),
    path("ventes/contrats/<int:pk>/signer/", views.contract_sign, name="contract-sign"),
    path("ventes/contrats/<int:pk>/evenement/", views.contract_event, name="contract-event"),
    path("ventes/contrats/<int:pk>/convocations/", views.contract_convocations, name="contract-convocations"),
    path("ventes/contrats/<int:pk>/document.pdf", views.contract_pdf, name="contract-pdf"),
    path("ventes/sessions/", views.session_list, name="session-list"),
    path("ventes/sessions/<int:pk>/", views.session_roster, name="session-roster"),
    path("espace/formations/", views.my_trainings, name="my-trainings"),
    path("espace/formations/<int:pk>/contrat.pdf", views.my_contract_pdf, name="my-contract-pdf"),
    path("espace/formations/<int:pk>/convocation.<slug:fmt>", views.my_convocation, name="my-convocation"),
]
