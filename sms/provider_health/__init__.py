"""Administration → Integrations: each provider card's health (last reply and receipt, the last
24 hours and 7 days, the top failure reasons in plain words, and the warnings that save a support
call). It adds itself to every card (`card.py`) as "Send test SMS" does, in a fixed number of
queries for the whole page."""
