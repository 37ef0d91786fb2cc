from django.urls import path

from . import views

app_name = "progress"
urlpatterns = [
    path("projects/<int:pk>/reports/", views.project_reports, name="project"),
    path("projects/<int:pk>/reports/<int:year>/<int:month>/", views.report_edit, name="report"),
    path(
        "projects/<int:pk>/reports/<int:year>/<int:month>/photos/",
        views.photo_upload,
        name="photos",
    ),
    path("reports/grid/", views.report_grid, name="grid"),
    path("reports/review/", views.review_list, name="review"),
    path("reports/<int:report_id>/decide/", views.review_decide, name="decide"),
    path("reports/behind/", views.behind_list, name="behind"),
]
