"""Administration → Integrations → "Send test SMS": checks the active provider end to end with a
real message. It adds itself to every provider card (`card.py`) and keeps its URL in the
`integrations` namespace (nextal/urls.py), so the Integrations app knows nothing of SMS."""
