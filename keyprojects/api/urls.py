from django.urls import path, re_path

from .errors import api_root, unknown_path
from .main import api

app_name = "api"
urlpatterns = [
    path("", api_root),  # before ninja's own root, which answers HTML
    *api.urls[0],
    re_path(r"^(?P<rest>.*)$", unknown_path),
]
