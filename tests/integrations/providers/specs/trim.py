"""Trim Twilio's full OpenAPI description to the paths Nextal calls (and what they reference).

python tests/integrations/providers/specs/trim.py path/to/twilio-oai/spec/json/twilio_api_v2010.json
"""

import json
import sys
from pathlib import Path

PATHS = [
    "/2010-04-01/Accounts/{Sid}.json",
    "/2010-04-01/Accounts/{AccountSid}/Messages.json",
    "/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json",
    "/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media.json",
    "/2010-04-01/Accounts/{AccountSid}/Messages/{MessageSid}/Media/{Sid}.json",
    "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json",
    "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers/{Sid}.json",
]
OUT = Path(__file__).resolve().parent / "twilio_api_v2010.json"


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


def trim(spec: dict) -> dict:
    trimmed = {key: value for key, value in spec.items() if key not in ("paths", "components")}
    trimmed["paths"] = {path: spec["paths"][path] for path in spec["paths"] if path in PATHS}
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
    full = json.loads(Path(sys.argv[1]).read_text())
    # ensure_ascii keeps the spec's escaped surrogate pairs escaped (YAML parsers refuse them).
    OUT.write_text(json.dumps(trim(full), indent=1, ensure_ascii=True))
