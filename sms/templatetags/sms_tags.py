"""Template tags that put SMS into other areas' pages (the candidate profile's Messages area)."""

from django import template

register = template.Library()


@register.inclusion_tag("sms/candidate_messages.html", takes_context=True)
def candidate_messages(context, candidate):
    """The Messages area of a candidate profile: `{% candidate_messages candidate %}`."""
    return {"candidate": candidate, "request": context.get("request")}
