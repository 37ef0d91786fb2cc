from django.contrib import admin
from django.urls import include, path

from keyprojects.web.urls import account_urls
from keyprojects.web.views import media_file

urlpatterns = [
    *account_urls,
    path("admin/", admin.site.urls),
    path("", include("keyprojects.web.urls")),
    path("projects/", include("keyprojects.projects.urls")),
    path("projects/", include("keyprojects.scheduling.urls")),
    path("jobs/", include("keyprojects.jobs.urls")),
    path("", include("keyprojects.progress.urls")),
    path("", include("keyprojects.money.urls")),
    path("", include("keyprojects.approvals.urls")),
    path("messages/", include("keyprojects.notifications.urls")),
    path("tasks/", include("keyprojects.supervision.urls")),
    path("problems/", include("keyprojects.problems.urls")),
    path("", include("keyprojects.meetings.urls")),
    path("inspections/", include("keyprojects.inspections.urls")),
    path("alerts/", include("keyprojects.alerts.urls")),
    path("assessment/", include("keyprojects.assessment.urls")),
    path("bulletins/", include("keyprojects.bulletins.urls")),
    path("cockpit/", include("keyprojects.cockpit.urls")),
    path("api/", include("keyprojects.api.urls")),
]

# Uploaded files (photos, documents) are for signed-in people only.
urlpatterns.append(path("media/<path:name>", media_file, name="media"))
