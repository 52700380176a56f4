from django.urls import path

from . import views

app_name = "quality"

urlpatterns = [
    path("gestion/qualite/bpf/", views.bpf_page, name="bpf"),
    path("gestion/qualite/bpf/<int:year>/detail/<str:code>/", views.bpf_detail, name="bpf-detail"),
    path("gestion/qualite/bpf/<int:year>/bpf.csv", views.bpf_csv, name="bpf-csv"),
    path("gestion/qualite/bpf/<int:year>/bpf.pdf", views.bpf_pdf, name="bpf-pdf"),
    path("gestion/qualite/reclamations/", views.complaint_list, name="complaints"),
    path("gestion/qualite/reclamations/nouvelle/", views.complaint_create, name="complaint-create"),
    path("gestion/qualite/reclamations/<int:pk>/", views.complaint_detail, name="complaint"),
    path("gestion/qualite/actions/", views.action_list, name="actions"),
    path("gestion/qualite/actions/<int:pk>/", views.action_edit, name="action"),
    path("gestion/qualite/qualiopi/", views.qualiopi_page, name="qualiopi"),
    path("gestion/qualite/qualiopi/indicateur/<int:number>/", views.qualiopi_indicator,
         name="qualiopi-indicator"),
    path("gestion/qualite/qualiopi/dossier-qualiopi.zip", views.qualiopi_zip, name="qualiopi-zip"),
    path("espace/reclamations/", views.my_complaints, name="my-complaints"),
]
