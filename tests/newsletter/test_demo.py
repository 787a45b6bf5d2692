import io

import pytest

from newsletter.demo import demo_subscribers, seed_demo
from newsletter.models import Issue, Subscriber

pytestmark = pytest.mark.django_db


def test_demo_data_is_deterministic_fictional_and_added_once():
    seed_demo(seed=1, stdout=io.StringIO(), subscribers=120)
    first = list(demo_subscribers().order_by("email").values_list("email", "language", "status"))
    assert len(first) == 120 and all(email.endswith(".example") for email, _language, _status in first)
    assert Subscriber.objects.confirmed().exists()
    assert Issue.objects.published().count() == 3
    seed_demo(seed=1, stdout=io.StringIO(), subscribers=120)
    assert demo_subscribers().count() == 120 and Issue.objects.published().count() == 3

    Subscriber.objects.all().delete()
    Issue.objects.all().delete()
    seed_demo(seed=1, stdout=io.StringIO(), subscribers=120)
    assert list(demo_subscribers().order_by("email").values_list("email", "language", "status")) == first
