"""The OpenAPI schema states every status an operation can answer, each with the one error shape.

drf-spectacular documents the success responses; this adds the errors every operation can return (401 without
credentials, 403 forbidden, 429 throttled, 400 invalid input, 404 outside scope) so that clients and
schemathesis' status-code conformance check see the API as it behaves.
"""

from typing import Any

from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status code, repeated for convenience.")
    message = serializers.CharField(help_text="What went wrong, in words a person can read.")
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per input field; `non_field_errors` for the request as a whole.",
    )


class StaleVersionSerializer(ErrorSerializer):
    current_version = serializers.IntegerField()
    changes = serializers.DictField(
        child=serializers.DictField(allow_null=True),
        help_text="For each field changed since your version: `{yours, now}`.",
    )


ERROR_DESCRIPTIONS = {
    "400": "Invalid input: `errors` says which field and why.",
    "401": "No valid credentials: send `Authorization: Bearer <token>` or sign in.",
    "403": "Signed in, but this action is not allowed for your role or on this object.",
    "404": "Not found, or outside your scope (another body's unapproved data).",
    "405": "This method is not allowed here.",
    "406": "The requested response format is not available.",
    "409": "Conflict: the object changed since you read it, or the workflow refuses the step.",
    "415": "Send JSON (or multipart form data for file uploads).",
    "429": "Too many requests: wait for `Retry-After` seconds.",
}


class PortalAutoSchema(AutoSchema):
    def _error_codes(self) -> list[str]:
        codes = ["401", "403", "406", "429"]
        has_path_params = "{" in self.path
        if has_path_params or self._is_list_view():
            codes.append("404")  # outside scope, or an invalid page cursor
        if self.method != "GET" or self._is_list_view() or self.get_filter_backends():
            codes.append("400")
        if self.method in ("POST", "PUT", "PATCH"):
            codes += ["400", "415"]
        codes += list(getattr(self.view, "extra_error_codes", {}).get(self.method.lower(), ()))
        return sorted(set(codes))

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            if code in responses:
                continue
            serializer = StaleVersionSerializer if code == "409" else ErrorSerializer
            body = self._get_response_for_code(serializer, code)
            body["description"] = ERROR_DESCRIPTIONS[code]
            responses[code] = body
        return responses
