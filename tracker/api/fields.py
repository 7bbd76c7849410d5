"""Input fields that take JSON types at their word.

DRF coerces ``0`` into ``"0"`` for a text field and ``"2"`` into ``2`` for a number. For an API whose schema is
its contract, a value of the wrong JSON type is refused (400) instead, so a client's bug shows up at once.
Figures are decimal strings ("98300000", "12.5"): a JSON number would pass through a float on many clients.
"""

import re
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tracker.entry_validation import ascii_digits

# The shape of a figure; its range (20 digits before the point, 4 after) is the one validation's rule, so an
# over-long figure gets the same message here as in the form and the import. Urdu and Arabic-Indic digits are
# read as ASCII first.
DECIMAL_PATTERN = r"^-?[0-9]+(\.[0-9]+)?$"
_DECIMAL = re.compile(DECIMAL_PATTERN)


class StrictCharField(serializers.CharField):
    default_error_messages = {"invalid": _("Send text (a JSON string).")}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """true or false, nothing DRF would read as one (0, 1, "yes", "on"). In a query string, the words
    "true" and "false"; in a JSON body, JSON booleans."""

    default_error_messages = {"invalid": _("Send true or false.")}

    def __init__(self, *, in_query: bool = False, **kwargs: Any) -> None:
        self.in_query = in_query
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> bool:
        if self.in_query and data in ("true", "false"):
            return data == "true"
        if self.in_query or not isinstance(data, bool):
            self.fail("invalid")
        return bool(data)


class StrictIntegerField(serializers.IntegerField):
    default_error_messages = {"invalid": _("Send a whole number (a JSON integer).")}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "pattern": DECIMAL_PATTERN, "example": "98300000"})
class DecimalStringField(serializers.Field):
    """A figure as a decimal string: up to 20 digits before the point and 4 after."""

    default_error_messages = {"invalid": _('Send the figure as a decimal string such as "120" or "12.5".')}

    def to_internal_value(self, data: Any) -> Decimal:
        if not isinstance(data, str) or not _DECIMAL.match(ascii_digits(data)):
            self.fail("invalid")
        return Decimal(ascii_digits(data))

    def to_representation(self, value: Any) -> str:
        return str(value)


class EntryDateField(serializers.DateField):
    """An ISO date; Urdu and Arabic-Indic digits are read as ASCII."""

    def to_internal_value(self, value: Any) -> Any:
        return super().to_internal_value(ascii_digits(value) if isinstance(value, str) else value)


class StrictPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class StrictSlugRelatedField(serializers.SlugRelatedField):
    """DRF turns ``""`` into ``null`` for relations; here an empty slug is an error, and ``null`` means null."""

    def run_validation(self, data: Any = serializers.empty) -> Any:
        if data == "":
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().run_validation(data)
