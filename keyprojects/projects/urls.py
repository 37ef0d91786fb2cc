from django.urls import path

from . import views, views_excel

app_name = "projects"
urlpatterns = [
    path("", views.project_list, name="list"),
    path("add/", views.project_add, name="add"),
    path("export.xlsx", views_excel.ledger_export_view, name="export"),
    path("import/", views_excel.ledger_import_view, name="import"),
    path("import/<str:token>/", views_excel.ledger_import_preview, name="import_preview"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/stage/", views.project_stage, name="stage"),
    path("<int:pk>/delete/", views.project_delete, name="delete"),
    path("<int:pk>/plans/<int:year>/", views.annual_plan_edit, name="plan"),
]
