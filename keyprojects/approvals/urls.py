from django.urls import path

from . import views

app_name = "approvals"
urlpatterns = [
    path("projects/<int:pk>/procedures/", views.checklist, name="checklist"),
    path("projects/<int:pk>/procedures/start/", views.checklist_start, name="start"),
    path("projects/<int:pk>/procedures/<int:step_id>/", views.step_edit, name="step"),
    path("procedures/before-start/", views.blocking, name="blocking"),
    path("procedures/durations/", views.duration_report, name="durations"),
    path("procedures/templates/", views.templates, name="templates"),
]
