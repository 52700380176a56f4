from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("apprenants/<int:pk>/documents/", views.learner_documents, name="learner"),
    path("gestion/formateurs/<int:pk>/documents/", views.trainer_documents, name="trainer"),
    path("espace/documents/", views.my_documents, name="mine"),
    path("documents/<int:pk>/fichier/", views.download, name="download"),
]
