"""GeoReport v2 paths; every one ends in .json or .xml, which picks the format."""

from django.urls import path, register_converter

from . import views


class FormatConverter:
    regex = "json|xml"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "open311_format")

app_name = "open311"
urlpatterns = [
    path("discovery.<open311_format:fmt>", views.discovery, name="discovery"),
    path("services.<open311_format:fmt>", views.services, name="services"),
    path("services/<str:service_code>.<open311_format:fmt>", views.service_definition, name="service"),
    path("requests.<open311_format:fmt>", views.service_requests, name="requests"),
    path("requests/<str:request_id>.<open311_format:fmt>", views.service_request, name="request"),
    path("tokens/<str:token>.<open311_format:fmt>", views.token, name="token"),
]
