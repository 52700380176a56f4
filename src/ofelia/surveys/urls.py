from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("gestion/questionnaires/", views.questionnaire_list, name="questionnaires"),
    path("gestion/questionnaires/<int:pk>/", views.questionnaire_edit, name="questionnaire"),
    path("gestion/questionnaires/<int:pk>/questions/<int:question_pk>/", views.question_edit,
         name="question-edit"),
    path("gestion/questionnaires/<int:pk>/questions/<int:question_pk>/supprimer/",
         views.question_delete, name="question-delete"),
    path("gestion/questionnaires/session/<int:pk>/", views.session_results, name="session-results"),
    path("gestion/questionnaires/formation/<int:pk>/", views.training_results,
         name="training-results"),
    path("gestion/questionnaires/reponse/<int:pk>/noter/", views.response_grade,
         name="response-grade"),
    path("espace/questionnaires/", views.mine, name="mine"),
    path("questionnaire/<str:token>/", views.answer, name="answer"),
]
