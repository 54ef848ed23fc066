"""Provider webhooks (to be implemented by the SMS pipeline)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
@login_not_required
def twilio_inbound(request):
    return HttpResponse(status=501)


twilio_status = twilio_inbound


@csrf_exempt
@login_not_required
def clicksend_inbound(request, token):
    return HttpResponse(status=501)


clicksend_receipts = clicksend_inbound
