"""Two-factor sign-in pages: the sign-in step that asks for a code, and the user's own
Two-factor page (set up with a QR code, recovery codes shown once, replace codes, turn off)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import EnrolForm, PasswordConfirmForm, VerifyForm
from accounts.two_factor import enrolment, recovery, state, verification
from core.redirects import safe_next

RECOVERY_CODES_KEY = "accounts_new_recovery_codes"


@require_http_methods(["GET", "POST"])
def verify(request):
    if state.owed(request) != state.VERIFY:
        return redirect(safe_next(request, "home"))
    form = VerifyForm(request.POST or None)
    wait = verification.throttled_for(request)
    if request.method == "POST" and form.is_valid():
        if verification.verify(request, form.cleaned_data["code"]):
            return redirect(safe_next(request, "home"))
        wait = verification.throttled_for(request)
        form.add_error(
            "code",
            "That code is not right (or was already used)."
            + (f" Wait {wait} seconds before the next try." if wait else ""),
        )
    context = {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")}
    status = 200 if not form.errors else 400
    return render(request, "accounts/verify.html", {**context, "wait": wait}, status=status)


def _page(request, *, form=None, failed=None, status=200):
    """The Two-factor page; `form` is the enrolment form, or with `failed` ("regen" or
    "disable") the password form that was refused."""
    user = request.user
    device = enrolment.confirmed_device(user)
    context = {
        "device": device,
        "required": state.required_for(user),
        "owed": state.owed(request),
        "new_codes": request.session.pop(RECOVERY_CODES_KEY, None),
        "nav_section": "account",
    }
    if device is None:
        pending = enrolment.pending_device(user)
        context.update(
            {
                "form": form or EnrolForm(),
                "qr_svg": enrolment.qr_svg(pending),
                "secret": enrolment.secret_for_typing(pending),
            }
        )
    else:
        forms = {
            name: PasswordConfirmForm(user, auto_id=f"{name}_%s") for name in ("regen", "disable")
        }
        if failed:
            forms[failed] = form
        context.update(
            {
                "codes_left": recovery.remaining(user),
                "regen_form": forms["regen"],
                "disable_form": forms["disable"],
            }
        )
    return render(request, "accounts/two_factor.html", context, status=status)


@require_http_methods(["GET"])
def two_factor(request):
    return _page(request)


@require_POST
def two_factor_confirm(request):
    form = EnrolForm(request.POST)
    if form.is_valid():
        codes = enrolment.confirm(
            request, enrolment.pending_device(request.user), form.cleaned_data["code"]
        )
        if codes is not None:
            if state.owed(request) == state.ENROL:
                state.settle(request)
            # Shown once, on the next page (a reload does not show them again).
            request.session[RECOVERY_CODES_KEY] = codes
            messages.success(request, "Two-factor sign-in is on.")
            return redirect("accounts:two_factor")
        form.add_error("code", "That code is not right. Check the app's clock and try again.")
    return _page(request, form=form, status=400)


@require_POST
def recovery_codes_regenerate(request):
    form = PasswordConfirmForm(request.user, request.POST, auto_id="regen_%s")
    if enrolment.confirmed_device(request.user) is None:
        return redirect("accounts:two_factor")
    if not form.is_valid():
        return _page(request, form=form, failed="regen", status=400)
    request.session[RECOVERY_CODES_KEY] = enrolment.regenerate_recovery_codes(request, request.user)
    messages.success(request, "New recovery codes: the old ones no longer work.")
    return redirect("accounts:two_factor")


@require_POST
def two_factor_disable(request):
    """Turn two-factor sign-in off; an administrator who must keep it is moving to a new app:
    the old one stops working and this session owes an enrolment before anything else."""
    form = PasswordConfirmForm(request.user, request.POST, auto_id="disable_%s")
    if not form.is_valid():
        return _page(request, form=form, failed="disable", status=400)
    enrolment.disable(request, request.user)
    if state.required_for(request.user):
        request.session[state.SESSION_KEY] = state.ENROL
        messages.success(request, "The old app no longer works: set up the new one now.")
    else:
        messages.success(request, "Two-factor sign-in is off.")
    return redirect("accounts:two_factor")
