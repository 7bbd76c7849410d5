"""The import's columns, derived from the one list of entered fields (``ObservationInput``).

Each entered field is a column of the same name, in the same order; around them sit the columns that only a
file needs: the indicator's name and unit (a person filling the template sees what the code means, and a
unit that does not match is caught), and the source described in place — publisher, title, date and URL —
for a row whose source has no key in the portal yet (a web address, or a reference saying where to find it).
"""

from tracker.services.observations import INPUT_FIELDS

# Shown to the person filling the template; not checked against the database.
IGNORED_COLUMNS = frozenset({"indicator_name"})
SOURCE_COLUMNS = ("source_publisher", "source_title", "source_date", "source_url", "source_reference")
_AFTER = {"indicator": ("indicator_name", "unit"), "source": SOURCE_COLUMNS}


def _columns() -> tuple[str, ...]:
    columns: list[str] = []
    for name in INPUT_FIELDS:
        columns += [name, *_AFTER.get(name, ())]
    return tuple(columns)


COLUMNS = _columns()
# A file must have these; the others may be left out. An empty ``body`` cell is a national figure, and a row
# names its source by key (``source``) or in place (``source_publisher``, ``source_title``, ``source_date``).
REQUIRED_COLUMNS = frozenset({"indicator", "unit", "body", "period_end", "value", "text_value"})
