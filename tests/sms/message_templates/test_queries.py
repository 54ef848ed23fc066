"""The template list takes the same number of queries for 3 templates or 50 (a page)."""

import pytest
from django.urls import reverse

from sms.models import SmsTemplate

# Session, user, permissions (two), unread badge, page count, page rows (measured).
LIST_QUERIES = 7


@pytest.mark.parametrize("count", [3, 50, 120])
def test_the_list_query_count_does_not_grow(
    administrator_client, django_assert_max_num_queries, count
):
    SmsTemplate.objects.bulk_create(
        SmsTemplate(
            name=f"Template {i:03d}", body=f"Hi {{{{first_name}}}} #{i}", is_active=i % 2 == 0
        )
        for i in range(count)
    )
    with django_assert_max_num_queries(LIST_QUERIES):
        html = administrator_client.get(reverse("sms:template_list")).content.decode()
    assert html.count('role="switch"') == min(count, 50)
    if count > 50:
        assert "Page 1 of 3" in html
