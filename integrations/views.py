"""Administration → Integrations pages."""

from django.contrib.auth.decorators import permission_required
from django.shortcuts import render


@permission_required("integrations.manage_integrations", raise_exception=True)
def integration_list(request):
    return render(
        request, "placeholder.html", {"title": "Integrations", "nav_section": "administration"}
    )
