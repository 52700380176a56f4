"""The project's URLs plus /bench/floor/<size>/: a bare view answering `size` bytes of HTML,
through the same middleware as every page (bench/floor.py's yardstick)."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def floor(request: HttpRequest, size: int) -> HttpResponse:
    return HttpResponse(b"x" * min(size, 10_000_000), content_type="text/html; charset=utf-8")


urlpatterns = [
    path("bench/floor/<int:size>/", floor),
    path("", include("ofelia.config.urls")),
]
