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


@pytest.mark.django_db
def test_the_database_refuses_a_crosswalk_inside_one_framework():
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from tracker.models import CrosswalkLink

    fw = Framework.objects.create(slug="nap-2014", title="NAP", short_title="NAP 2014")
    later = Framework.objects.create(slug="nap-2021", title="NAP revised", short_title="NAP 2021")
    a = AgendaItem.objects.create(framework=fw, number=1, title="A", category=ItemCategory.KINETIC)
    b = AgendaItem.objects.create(framework=fw, number=2, title="B", category=ItemCategory.KINETIC)
    c = AgendaItem.objects.create(framework=later, number=1, title="C", category=ItemCategory.KINETIC)
    with pytest.raises(ValidationError, match="two different frameworks"):
        CrosswalkLink(from_item=a, to_item=b).full_clean()
    with pytest.raises(IntegrityError, match="crosswalk_across_frameworks"), transaction.atomic():
        CrosswalkLink.objects.create(from_item=a, to_item=b)  # past the model's clean(): the CHECK holds
    assert CrosswalkLink.objects.create(from_item=a, to_item=c).to_framework == later
