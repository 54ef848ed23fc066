"""Trim Twilio's full OpenAPI descriptions to the paths Nextal calls (and what they reference).

python tests/integrations/providers/specs/trim.py twilio-oai/spec/json/twilio_api_v2010.json
python tests/integrations/providers/specs/trim.py twilio-oai/spec/json/twilio_messaging_v1.json

The output is written beside this script under the input's file name.
"""

import json
import sys
from pathlib import Path

PATHS = {
    "twilio_api_v2010.json": [
        "/2010-04-01/Accounts/{Sid}.json",
        "/2010-04-01/Accounts/{AccountSid}/Messages.json",
        "/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json",
        "/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media.json",
        "/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{Sid}.json",
        "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json",
        "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json",
    ],
    # Messaging Services (host messaging.twilio.com): the service, and its sender pool.
    "twilio_messaging_v1.json": [
        "/v1/Services",
        "/v1/Services/{Sid}",
        "/v1/Services/{ServiceSid}/PhoneNumbers",
        "/v1/Services/{ServiceSid}/PhoneNumbers/{Sid}",
    ],
}
HERE = Path(__file__).resolve().parent


def references(node, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.add(value)
            else:
                references(value, found)
    elif isinstance(node, list):
        for value in node:
            references(value, found)
    return found


def trim(spec: dict, paths: list[str]) -> dict:
    trimmed = {key: value for key, value in spec.items() if key not in ("paths", "components")}
    trimmed["paths"] = {path: spec["paths"][path] for path in spec["paths"] if path in paths}
    components = {"securitySchemes": spec["components"]["securitySchemes"]}
    pending, seen = list(references(trimmed["paths"], set())), set()
    while pending:
        ref = pending.pop()
        if ref in seen:
            continue
        seen.add(ref)
        _, _, section, name = ref.split("/")
        node = spec["components"][section][name]
        components.setdefault(section, {})[name] = node
        pending += references(node, set())
    trimmed["components"] = components
    return trimmed


if __name__ == "__main__":
    source = Path(sys.argv[1])
    full = json.loads(source.read_text())
    # ensure_ascii keeps the spec's escaped surrogate pairs escaped (YAML parsers refuse them).
    (HERE / source.name).write_text(
        json.dumps(trim(full, PATHS[source.name]), indent=1, ensure_ascii=True)
    )
