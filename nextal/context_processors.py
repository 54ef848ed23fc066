"""Template context for the top navigation."""

from functools import cache


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    context = {
        "nav_can_candidates": user.has_perm("candidates.view_candidate"),
        "nav_can_inbox": user.has_perm("sms.view_inbox"),
        "nav_can_integrations": user.has_perm("integrations.manage_integrations"),
        "nav_can_templates": user.has_perm("sms.manage_templates"),
        "nav_can_sms_settings": user.has_perm("sms.manage_sms_policy"),
        "nav_can_auth_log": user.has_perm("accounts.view_auth_log"),
    }
    # Recruiters keep personal templates: a top-level link when Administration does not hold one.
    context["nav_can_my_templates"] = not context["nav_can_templates"] and user.has_perm(
        "sms.send_sms"
    )
    # Administration is the integrations-access area; SMS Templates sits inside it.
    context["nav_can_administration"] = (
        context["nav_can_integrations"] or context["nav_can_sms_settings"]
    )
    if context["nav_can_inbox"]:
        from sms.conversations.queries import unread_thread_count

        # Templates call it when they show the badge: one COUNT for a full page, none for the
        # htmx fragments that never render the navigation. The badge then refreshes itself
        # through sms:unread_badge, counted the same way.
        context["nav_unread_threads"] = cache(lambda: unread_thread_count(user))
    return context
