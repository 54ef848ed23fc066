"""Administration → SMS Settings (administrators only): one form, every change audited."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from sms.models import PolicyChange
from sms.policy import current_policy, save_policy
from sms.policy_settings.forms import PolicyForm, segments_note

RECENT_CHANGES = 15


@permission_required("sms.manage_sms_policy", raise_exception=True)
@require_http_methods(["GET", "POST"])
def policy_settings(request):
    policy = current_policy()
    form = PolicyForm.for_policy(policy, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        entry = save_policy(form.changes(), by=request.user)
        if entry is None:
            messages.info(request, "Nothing changed.")
        else:
            changed = "; ".join(
                f"{c['setting']}: {c['from']} → {c['to']}"
                if len(c["to"]) <= 40
                else f"{c['setting']} changed"
                for c in entry.changes
            )
            messages.success(request, f"SMS settings saved. {changed}.")
        return redirect("sms:policy_settings")
    changes = PolicyChange.objects.select_related("changed_by")[:RECENT_CHANGES]
    texts = ("opt_out_confirmation", "opt_out_confirmation_fr", "help_reply", "help_reply_fr")
    return render(
        request,
        "sms/policy_settings/page.html",
        {
            "form": form,
            "policy": policy,
            "segments": {name: segments_note(form[name].value()) for name in texts},
            "changes": changes,
            "nav_section": "administration",
        },
    )
