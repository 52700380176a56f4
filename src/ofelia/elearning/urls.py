from django.urls import path

from . import views

app_name = "elearning"

urlpatterns = [
    path("gestion/parcours/", views.course_list, name="course-list"),
    path("gestion/parcours/<int:pk>/", views.course_edit, name="course-edit"),
    path("gestion/parcours/<int:pk>/modules/", views.module_add, name="module-add"),
    path("gestion/parcours/<int:pk>/modules/<int:module_pk>/<slug:action>/", views.module_action,
         name="module-action"),
    path("gestion/parcours/<int:pk>/version/<slug:action>/", views.version_action, name="version-action"),
    path("gestion/parcours/<int:pk>/suivi/", views.course_progress, name="course-progress"),
    path("gestion/parcours/<int:pk>/apercu/<int:module_pk>/", views.module_preview, name="preview"),
    path("gestion/parcours/<int:pk>/apercu/<int:module_pk>/fichier/", views.module_file,
         name="preview-file"),
    path("gestion/parcours/<int:pk>/apercu/<int:module_pk>/contenu/<path:path>", views.preview_content,
         name="preview-content"),
    path("espace/parcours/", views.my_courses, name="my-courses"),
    path("espace/parcours/inscription/<int:enrolment_pk>/", views.my_course_start, name="my-course-start"),
    path("espace/parcours/<int:lc_pk>/", views.my_course, name="my-course"),
    path("espace/parcours/<int:lc_pk>/consentement/", views.my_consent, name="my-consent"),
    path("espace/parcours/<int:lc_pk>/module/<int:module_pk>/", views.my_module, name="my-module"),
    path("espace/parcours/<int:lc_pk>/module/<int:module_pk>/termine/", views.my_module_done,
         name="my-module-done"),
    path("espace/parcours/<int:lc_pk>/module/<int:module_pk>/fichier/", views.my_file, name="my-file"),
    path("espace/parcours/<int:lc_pk>/module/<int:module_pk>/suivi/", views.my_tracking,
         name="my-tracking"),
    path("espace/parcours/<int:lc_pk>/module/<int:module_pk>/contenu/<path:path>", views.my_content,
         name="my-content"),
    path("espace/parcours/<int:lc_pk>/evaluation/", views.my_evaluation, name="my-evaluation"),
    path("evaluations/<int:pk>/video/", views.evaluation_video, name="evaluation-video"),
    path("espace/evaluations/", views.trainer_evaluations, name="trainer-evaluations"),
    path("espace/evaluations/<int:pk>/", views.trainer_evaluation, name="trainer-evaluation"),
    path("espace/parcours/<int:lc_pk>/formateur/", views.my_contact, name="my-contact"),
    path("espace/messages/", views.trainer_conversations, name="trainer-conversations"),
    path("espace/messages/<int:pk>/", views.trainer_conversation, name="trainer-conversation"),
    path("gestion/parcours/<int:pk>/messages/", views.course_conversations, name="course-conversations"),
    path("gestion/parcours/<int:pk>/messages/<int:conversation_pk>/", views.course_conversation,
         name="course-conversation"),
]
