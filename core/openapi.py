"""How the OpenAPI schema (/api/schema/) describes what every agency API answers besides its results: one
problem body {"code", "detail"}, and the refusals any operation can give (400, 401 and 403 with a token,
404 with a path id, 413 and 415 with a body). They are added to each operation by rule, so that a new
endpoint documents them without anyone remembering to; an operation's own decorator wins where it says
more."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import is_list_serializer
from rest_framework import serializers

# Django's <int:...> path converter matches digits only.
PATH_INTEGER_MINIMUM = 0
# What a required, trimmed string needs: DRF strips it and refuses what is left empty.
NOT_ONLY_SPACES = r"\S"


class Problem(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, for machines.")
    detail = serializers.CharField(help_text="For people, in the request's language.")
    field_errors = serializers.DictField(required=False, help_text="Per field, when fields are invalid.")


class TokenProblem(serializers.Serializer):
    """A refused Bearer token, as RFC 6750 §3.1 words it (invalid_token, insufficient_scope)."""

    error = serializers.CharField(help_text="invalid_token or insufficient_scope.")
    error_description = serializers.CharField()


class ProblemAutoSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        parameters = operation.get("parameters", [])
        for parameter in parameters:
            if parameter["in"] == "path" and parameter["schema"].get("type") == "integer":
                parameter["schema"].setdefault("minimum", PATH_INTEGER_MINIMUM)
        has_body = "requestBody" in operation
        standard = {}
        if has_body or any(parameter["in"] != "path" for parameter in parameters):
            standard["400"] = self._problem(
                "The request is not valid (a field, parameter or header, or the JSON itself); nothing "
                "was stored."
            )
        if operation.get("security"):
            standard["401"] = self._token_problem(
                "No token, or one that is invalid or expired: get a Maskinporten token from POST /api/token.",
                www_authenticate=True,
            )
            standard["403"] = self._token_problem(
                "The token lacks the operation's scope, or its organisation is not registered."
            )
        if any(parameter["in"] == "path" for parameter in parameters):
            standard["404"] = self._problem("No such resource, or not your organisation's.")
        if has_body:
            # Every body has a limit: the view's own (max_body_bytes), or Django's for any request.
            standard["413"] = self._problem(
                "The body is larger than this operation takes; nothing was stored."
            )
            content_types = ", ".join(operation["requestBody"]["content"])
            standard["415"] = self._problem(
                f"The body is not of a type this operation takes ({content_types})."
            )
        for status, response in standard.items():
            operation["responses"].setdefault(status, response)
        return operation

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        """A request field's schema with the bounds DRF checks but drf-spectacular leaves out."""
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction != "request" or schema is None:
            return schema
        if is_list_serializer(field) and schema.get("type") == "array":
            if not field.allow_empty:
                schema["minItems"] = max(field.min_length or 0, 1)
            elif field.min_length:
                schema["minItems"] = field.min_length
            if field.max_length is not None:
                schema["maxItems"] = field.max_length
        elif (
            isinstance(field, serializers.CharField)
            and schema.get("type") == "string"
            and field.trim_whitespace
            and not field.allow_blank
            and not {"pattern", "format", "enum"} & set(schema)
        ):
            schema["pattern"] = NOT_ONLY_SPACES
        return schema

    def _map_basic_serializer(self, serializer, direction):
        """A request body that refuses fields it does not know says so (additionalProperties: false);
        such a serializer sets `refuses_other_fields = True` and its view refuses them."""
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and getattr(serializer, "refuses_other_fields", False):
            schema["additionalProperties"] = False
        return schema

    def _ref(self, serializer_class) -> dict:
        return self.resolve_serializer(serializer_class(), "response").ref

    def _problem(self, description: str) -> dict:
        return {"description": description, "content": {"application/json": {"schema": self._ref(Problem)}}}

    def _token_problem(self, description: str, *, www_authenticate: bool = False) -> dict:
        # A token refusal keeps OAuth's shape; a missing token or an unknown organisation is a problem.
        schema = {"anyOf": [self._ref(Problem), self._ref(TokenProblem)]}
        response = {"description": description, "content": {"application/json": {"schema": schema}}}
        if www_authenticate:
            response["headers"] = {
                "WWW-Authenticate": {
                    "schema": {"type": "string"},
                    "required": True,
                    "description": 'The Bearer challenge (RFC 6750), e.g. Bearer realm="felles".',
                }
            }
        return response
