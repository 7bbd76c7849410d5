import pytest
from django.db import IntegrityError

from tracker.choices import ItemCategory
from tracker.models import AgendaItem, Framework


@pytest.mark.django_db
def test_item_number_is_unique_within_a_framework():
    fw = Framework.objects.create(slug="nap-2014", title="NAP", short_title="NAP 2014")
    AgendaItem.objects.create(framework=fw, number=1, title="A", category=ItemCategory.KINETIC)
    with pytest.raises(IntegrityError):
        AgendaItem.objects.create(framework=fw, number=1, title="B", category=ItemCategory.KINETIC)
