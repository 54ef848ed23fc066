"""Administration → SMS Templates."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render


@permission_required("sms.manage_templates", raise_exception=True)
def template_list(request):
    return render(
        request, "placeholder.html", {"title": "SMS Templates", "nav_section": "administration"}
    )
