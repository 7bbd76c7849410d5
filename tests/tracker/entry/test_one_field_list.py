"""One list of entered fields (issue 9): ``ObservationInput`` is the single source, and the web form, the entry
grid, the API's input and output serializers, the import columns and the audit trail all take its fields, in its
order (the form with its labels)."""

from dataclasses import fields

from tracker.api.serializers import ObservationInputSerializer, ObservationSerializer, ObservationUpdateSerializer
from tracker.forms.entry_grid import ROW_FIELDS
from tracker.forms.workflow import ObservationForm
from tracker.imports.columns import COLUMNS
from tracker.services.observations import AUDITED_FIELDS, INPUT_FIELDS, ObservationInput

ENTERED = [f.name for f in fields(ObservationInput)]


def _in_order(names):
    return [name for name in names if name in INPUT_FIELDS]


def test_the_field_list_is_the_dataclass():
    assert list(INPUT_FIELDS) == ENTERED


def test_the_web_form_takes_every_entered_field_with_its_label():
    # (Length caps are not form rules: the one validation reports them, as for the API and the import.)
    form = ObservationForm.base_fields
    assert _in_order(form) == ENTERED
    for f in fields(ObservationInput):
        assert str(form[f.name].label) == str(f.metadata["label"]), f.name


def test_the_api_reads_and_writes_exactly_the_entered_fields():
    assert list(ObservationInputSerializer().fields) == ENTERED
    assert [name for name in ObservationUpdateSerializer().fields if name != "version"] == ENTERED
    shown = ObservationSerializer.Meta.fields
    assert shown[1 : 1 + len(ENTERED)] == ENTERED  # after the id, in the list's order


def test_the_import_columns_and_the_audit_trail_follow_the_list():
    assert _in_order(COLUMNS) == ENTERED
    assert list(AUDITED_FIELDS[: len(ENTERED)]) == ENTERED


def test_the_entry_grid_takes_only_entered_fields():
    assert set(ROW_FIELDS) <= set(INPUT_FIELDS)
