"""ClickSend account configuration: is the dedicated number on the account, and do the inbound
SMS and delivery receipt rules point at Nextal.

ClickSend delivers replies through an *inbound SMS rule* (`/v3/automations/sms/inbound`, per
dedicated number, action URL, `webhook_type` json) and receipts through a *delivery receipt rule*
(`/v3/automations/sms/receipts`, account-wide). Nextal's own rules carry fixed names, so a second
connect (or one after the webhook token was regenerated) updates them instead of adding more;
rules of other systems are left alone.

The 6.0.2 SDK drops `webhook_type` from its inbound rule request model and its list calls cannot
page, so those requests go through the SDK's raw client (`param_serialize` + `call_api`); the
receipt rule is created and updated through the SDK's own calls. Answers are parsed leniently
here: the SDK's strict models raise on real answers (see clicksend.py).
"""

from __future__ import annotations

import json
import re
from typing import Any

import clicksend

from core.phone import display
from integrations.providers.base import (
    CREDENTIAL_CHECK_TIMEOUT,
    ProviderCredentials,
    SenderCheck,
    SetupError,
    WebhookStatus,
    WebhookWiring,
    shown_url,
)

INBOUND_RULES = "/v3/automations/sms/inbound"
RECEIPT_RULES = "/v3/automations/sms/receipts"
NUMBERS = "/v3/numbers"
INBOUND_RULE_NAME = "Nextal replies"
RECEIPT_RULE_NAME = "Nextal delivery receipts"
MAX_PAGES = 10  # 100 per page: far more rules and numbers than an account has
# A token in one of our webhook URLs (…/webhooks/clicksend/<token>/…): never shown or logged.
TOKEN_IN_URL = re.compile(r"(/webhooks/clicksend/)[^/]+(/)")


def masked(url: str) -> str:
    """A rule's URL, safe to show: no token of ours, no user:password."""
    return TOKEN_IN_URL.sub(r"\1…\2", shown_url(url))


def _enabled(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true")


class ClickSendRules:
    """The rule and number calls of one adapter call, on one SDK ApiClient."""

    def __init__(self, api_client: clicksend.ApiClient, credentials: ProviderCredentials):
        self.api_client = api_client
        self.credentials = credentials

    # --- transport -------------------------------------------------------------------------------

    def _raw(self, method: str, path: str, *, body=None, query=None) -> Any:
        headers = {"Accept": "application/json"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        params = self.api_client.param_serialize(
            method=method,
            resource_path=path,
            query_params=query or [],
            header_params=headers,
            body=body,
            auth_settings=["basicAuth"],
        )
        return self._answer(
            self.api_client.call_api(*params, _request_timeout=CREDENTIAL_CHECK_TIMEOUT)
        )

    def _answer(self, response) -> Any:
        status, body = response.status, response.read()
        if status in (401, 403):
            raise SetupError("ClickSend rejected the credentials.")
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            payload = None
        if not 200 <= status < 300:
            message = payload.get("response_msg") if isinstance(payload, dict) else None
            raise SetupError(
                f"ClickSend answered HTTP {status}" + (f": {message}" if message else ".")
            )
        if not isinstance(payload, dict):
            raise SetupError("ClickSend's answer could not be read.")
        return payload

    def _listed(self, path: str) -> list[dict]:
        """Every item of a paged list (`data.data`), following `last_page`."""
        items: list[dict] = []
        for page in range(1, MAX_PAGES + 1):
            payload = self._raw("GET", path, query=[("page", page), ("limit", 100)])
            data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
            rows = data.get("data") if isinstance(data.get("data"), list) else []
            items += [row for row in rows if isinstance(row, dict)]
            try:
                last = int(data.get("last_page") or 1)
            except (TypeError, ValueError):
                last = 1
            if page >= last:
                break
        return items

    # --- numbers ---------------------------------------------------------------------------------

    def check_sender(self) -> SenderCheck:
        if self.credentials.alpha_sender:
            return SenderCheck(
                True,
                f"Sends from the sender ID “{self.credentials.alpha_sender}” (ClickSend must "
                "have approved it). Candidates cannot reply to it, and US and Canadian numbers "
                "cannot be texted from it.",
            )
        phone = self.credentials.phone_number
        response = clicksend.NumbersApi(self.api_client).view_your_numbers_without_preload_content(
            page=1, limit=100, _request_timeout=CREDENTIAL_CHECK_TIMEOUT
        )
        payload = self._answer(response)
        data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
        numbers = [row for row in data.get("data") or [] if isinstance(row, dict)]
        if int(data.get("last_page") or 1) > 1:
            numbers = self._listed(NUMBERS)
        if phone not in {str(row.get("dedicated_number") or "") for row in numbers}:
            return SenderCheck(
                False,
                f"{display(phone)} is not a dedicated number on this ClickSend account, so "
                "replies cannot reach Nextal. Check the Phone Number, or buy one under Numbers "
                "in the ClickSend dashboard (or use an alphanumeric sender ID).",
            )
        return SenderCheck(True, f"{display(phone)} is a dedicated number on this account.")

    # --- rules -----------------------------------------------------------------------------------

    def _inbound_rule(self, url: str) -> dict:
        return {
            "dedicated_number": self.credentials.phone_number,
            "rule_name": INBOUND_RULE_NAME,
            "message_search_type": 0,
            "message_search_term": "",
            "action": "URL",
            "action_address": url,
            "enabled": 1,
            "webhook_type": "json",
        }

    def _receipt_rule(self, url: str) -> clicksend.CreateSmsDeliveryReceiptRuleRequest:
        return clicksend.CreateSmsDeliveryReceiptRuleRequest(
            rule_name=RECEIPT_RULE_NAME, match_type=0, action="URL", action_address=url, enabled=1
        )

    def _inbound_matches(self, rule: dict, url: str) -> bool:
        return (
            str(rule.get("action") or "").upper() == "URL"
            and rule.get("action_address") == url
            and _enabled(rule.get("enabled"))
            and str(rule.get("webhook_type") or "").lower() == "json"
            and rule.get("dedicated_number") in (self.credentials.phone_number, "*")
        )

    @staticmethod
    def _receipt_matches(rule: dict, url: str) -> bool:
        return (
            str(rule.get("action") or "").upper() == "URL"
            and rule.get("action_address") == url
            and _enabled(rule.get("enabled"))
            and str(rule.get("match_type") or "0") == "0"
        )

    def _applies_to_us(self, rule: dict) -> bool:
        number = rule.get("dedicated_number")
        return number is None or number in (self.credentials.phone_number, "*")

    def _status(self, inbound: list[dict], receipts: list[dict], urls: dict[str, str]):
        wanted = {"receipts": (receipts, self._receipt_matches, "Delivery receipts")}
        if not self.credentials.alpha_sender:  # an alphanumeric sender gets no replies
            wanted["inbound"] = (inbound, self._inbound_matches, "Replies")
        missing, elsewhere = [], []
        for key, (rules, matches, label) in wanted.items():
            if any(matches(rule, urls[key]) for rule in rules):
                continue
            missing.append(label.lower())
            others = [
                masked(str(rule.get("action_address") or ""))
                for rule in rules
                if str(rule.get("action") or "").upper() == "URL"
                and _enabled(rule.get("enabled"))
                and self._applies_to_us(rule)
            ]
            if others:
                elsewhere.append(f"{label} go to {others[0]}")
        if not missing:
            return WebhookStatus(
                WebhookWiring.CONNECTED,
                "Replies and delivery receipts arrive in Nextal."
                if "inbound" in wanted
                else "Delivery receipts arrive in Nextal (a sender ID gets no replies).",
            )
        if elsewhere:
            return WebhookStatus(WebhookWiring.ELSEWHERE, "; ".join(elsewhere) + ".")
        return WebhookStatus(
            WebhookWiring.NOT_CONNECTED,
            f"No ClickSend rule sends {' or '.join(missing)} to Nextal.",
        )

    def webhook_status(self, urls: dict[str, str]) -> WebhookStatus:
        return self._status(self._listed(INBOUND_RULES), self._listed(RECEIPT_RULES), urls)

    @staticmethod
    def _ours(rules: list[dict], name: str, id_keys: tuple[str, ...]) -> str | None:
        """The id of Nextal's own rule (by its name), to update rather than duplicate."""
        for rule in rules:
            if rule.get("rule_name") == name:
                for key in id_keys:
                    if rule.get(key) not in (None, ""):
                        return str(rule[key])
        return None

    def connect(self, urls: dict[str, str]) -> WebhookStatus:
        inbound, receipts = self._listed(INBOUND_RULES), self._listed(RECEIPT_RULES)
        changes = []
        if not self.credentials.alpha_sender and not any(
            self._inbound_matches(rule, urls["inbound"]) for rule in inbound
        ):
            rule_id = self._ours(
                inbound, INBOUND_RULE_NAME, ("inbound_rule_id", "sms_inbound_rule_id")
            )
            body = self._inbound_rule(urls["inbound"])
            if rule_id:
                self._raw("PUT", f"{INBOUND_RULES}/{rule_id}", body=body)
                changes.append(f"Inbound SMS rule “{INBOUND_RULE_NAME}” updated")
            else:
                self._raw("POST", INBOUND_RULES, body=body)
                changes.append(f"Inbound SMS rule “{INBOUND_RULE_NAME}” created")
        if not any(self._receipt_matches(rule, urls["receipts"]) for rule in receipts):
            rule_id = self._ours(receipts, RECEIPT_RULE_NAME, ("receipt_rule_id",))
            api = clicksend.SmsApi(self.api_client)
            if rule_id:
                response = api.update_sms_delivery_receipt_rule_without_preload_content(
                    receipt_rule_id=rule_id,
                    create_sms_delivery_receipt_rule_request=self._receipt_rule(urls["receipts"]),
                    _request_timeout=CREDENTIAL_CHECK_TIMEOUT,
                )
                changes.append(f"Delivery receipt rule “{RECEIPT_RULE_NAME}” updated")
            else:
                response = api.create_sms_delivery_receipt_rule_without_preload_content(
                    create_sms_delivery_receipt_rule_request=self._receipt_rule(urls["receipts"]),
                    _request_timeout=CREDENTIAL_CHECK_TIMEOUT,
                )
                changes.append(f"Delivery receipt rule “{RECEIPT_RULE_NAME}” created")
            self._answer(response)
        if not changes:
            return self._status(inbound, receipts, urls)
        after = self.webhook_status(urls)
        return WebhookStatus(after.state, after.detail, changes=tuple(changes))
