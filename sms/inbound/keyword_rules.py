"""The rules that read a candidate's reply as "stop texting me", "start again" or "help": data,
read by `sms/inbound/keywords.py`, tested against the labelled corpus in
`tests/sms/inbound/opt_out_corpus.csv` (English and French).

Every rule is matched against the *normalised* text (sms.text.folding.normalise): NFKC, case-folded,
accents, zero-width characters and apostrophes removed, look-alike Cyrillic and Greek letters
read as Latin, every other non-letter (punctuation, quotes, emoji) turned into a single space.
So "Don't text me!" is matched as "dont text me" and "ARRÊTEZ de m'écrire" as
"arretez de mecrire". Write patterns in that form.

To change what counts as an opt-out, edit this file and add the messages that prompted the change
to the corpus (positives and the negatives they must not catch).
"""

from __future__ import annotations

OPT_OUT, OPT_IN, HELP = "opt_out", "opt_in", "help"

# A whole message that is exactly one of these (after normalisation) is that intent.
# The FCC's per-se revocation words (47 CFR 64.1200(a)(10)), the carriers' STOPALL/OPTOUT,
# and the French words Quebec candidates use (CASL).
KEYWORDS: dict[str, tuple[str, str]] = {
    # text: (intent, language)
    "stop": (OPT_OUT, "en"),
    "stopall": (OPT_OUT, "en"),
    "stop all": (OPT_OUT, "en"),
    "quit": (OPT_OUT, "en"),
    "end": (OPT_OUT, "en"),
    "revoke": (OPT_OUT, "en"),
    "opt out": (OPT_OUT, "en"),
    "optout": (OPT_OUT, "en"),
    "cancel": (OPT_OUT, "en"),
    "unsubscribe": (OPT_OUT, "en"),
    "arret": (OPT_OUT, "fr"),
    "arrete": (OPT_OUT, "fr"),
    "arretez": (OPT_OUT, "fr"),
    "desabonner": (OPT_OUT, "fr"),
    "desabonnement": (OPT_OUT, "fr"),
    "annuler": (OPT_OUT, "fr"),
    "start": (OPT_IN, "en"),
    "unstop": (OPT_IN, "en"),
    "yes": (OPT_IN, "en"),
    "debut": (OPT_IN, "fr"),
    "oui": (OPT_IN, "fr"),
    "help": (HELP, "en"),
    "info": (HELP, "en"),
    "aide": (HELP, "fr"),
}

# Keywords that still mean "stop" with politeness or emphasis around them ("stop please",
# "STOP STOP", "arrêt svp"). Only unmistakable ones: "cancel it" or "end please" usually answer
# a question about an interview, so CANCEL, END, QUIT and ANNULER count only on their own.
KEYWORDS_WITH_FILLER = frozenset(
    {"stop", "stopall", "unsubscribe", "optout", "revoke", "arret", "arretez", "desabonner"}
)
# The words around them, by language: "stop merci" is answered in French.
FILLER_WORDS_EN = frozenset(
    {
        "please", "pls", "plz", "plse", "now", "thanks", "thank", "you", "thx", "ty", "it",
        "just", "ok", "okay", "all", "me", "already", "again", "asap", "immediately",
        "seriously", "i", "said",
    }
)  # fmt: skip
FILLER_WORDS_FR = frozenset(
    {"merci", "svp", "stp", "sil", "vous", "te", "plait", "maintenant", "tout", "moi"}
)
FILLER_WORDS = FILLER_WORDS_EN | FILLER_WORDS_FR

# Sentences that revoke consent by "any reasonable means" (FCC 2024 order). Regular expressions
# searched in the normalised text; (name, language, pattern). A message matching one of them is
# an opt-out unless it also matches one of NOT_OPT_OUT below.
_ME = r"(me|us|this number)"
_TEXTS = r"(texts?|txts?|messages?|msgs?|sms|texting|messaging|spam)"
OPT_OUT_PHRASES: list[tuple[str, str, str]] = [
    (
        "stop-texting-me",
        "en",
        r"\b(stop|quit|cease|end) (texting|txting|texing|messaging|msging|contacting|spamming|"
        r"bothering|sending)\b",
    ),
    ("stop-the-texts", "en", rf"\bstop (the |these |those |all |your |ur |sending )?{_TEXTS}\b"),
    (
        "dont-text-me",
        "en",
        rf"\b(dont|do not|never|please dont|pls dont) (ever )?(text|txt|message|msg|contact|sms|"
        rf"call|bother|spam) {_ME}\b",
    ),
    (
        "dont-want-texts",
        "en",
        rf"\b(dont|do not|no longer) (want|wish) (to (get|receive|be sent) )?(any )?"
        rf"(more |further )?({_TEXTS}|to be (contacted|texted|messaged))\b",
    ),
    ("no-more-texts", "en", rf"\bno (more|further) {_TEXTS}\b"),
    (
        "remove-me",
        "en",
        r"\b(remove|delete|take) (me|my number|this number)( off| from)( (of|from))? "
        r"(your |the |this |ur |my |all )?(\w+ )?(list|lists|database|system|contacts?|texts?|"
        r"messages|sms|number)\b",
    ),
    ("remove-me-alone", "en", r"^(please )?(remove|delete) (me|my number|this number)( please)?$"),
    ("unsubscribe-me", "en", r"\bunsubscribe\b"),
    ("opt-me-out", "en", r"\bopt(ing)? (me |us )?out\b"),
    ("leave-me-alone", "en", r"\b(leave|let) me alone\b"),
    ("wrong-number", "en", r"\bwrong (number|person|phone)\b"),
    ("not-interested-stop", "en", r"\bnot interested\b.*\bstop$"),
    # French (accents and apostrophes are gone: "m'écrire" reads "mecrire")
    (
        "arretez-de-mecrire",
        "fr",
        r"\barret(e|ez|er) (de |d )?(mecrire|me texter|me contacter|menvoyer|me relancer|"
        r"me deranger|texter|ecrire)",
    ),
    (
        "arretez-les-messages",
        "fr",
        r"\barret(e|ez|er) (les|vos|ces|tes) (messages|textos|sms|texto)",
    ),
    (
        "ne-mecrivez-plus",
        "fr",
        r"\bne (me |m )?(ecrivez|mecrivez|textez|contactez|envoyez|menvoyez|derangez|"
        r"relancez|appelez)( moi)? plus\b",
    ),
    (
        "je-ne-veux-plus",
        "fr",
        r"\bje ne (veux|souhaite) plus (recevoir |etre |que vous )?(de |d |vos |ces |les )?"
        r"(messages|textos|sms|texto|contacte|contactee|contacter|mecriviez|mecrire|texter)\b",
    ),
    ("plus-de-messages", "fr", r"\bplus de (messages|textos|sms|texto)\b"),
    (
        "desabonnez-moi",
        "fr",
        r"\b(desabonnez|desinscrivez|desabonne|desinscris|retirez|enlevez)[ -]moi\b",
    ),
    ("laissez-moi-tranquille", "fr", r"\blaisse(z)? moi tranquille\b"),
    ("mauvais-numero", "fr", r"\b(mauvais|faux) numero\b"),
]

# A phrase above is not an opt-out when the message also matches one of these: the candidate
# restricts *when* to be texted, or the words are about something else. (name, pattern)
NOT_OPT_OUT: list[tuple[str, str]] = [
    (
        "only-not-at-some-times",
        r"\b(dont|do not|never) (text|txt|message|call|contact) me (before|after|until|till|"
        r"during|on|at|between|so|this|today|tonight|tomorrow|while|when|in the)\b",
    ),
    ("dont-unsubscribe", r"\b(dont|do not|not|never) (unsubscribe|opt (me )?out)\b"),
    ("how-not-to-miss", r"\b(dont|do not) want to miss\b"),
    ("not-wrong-number", r"\bnot (a |the )?wrong number\b"),
    ("dont-stop", r"\b(dont|do not|never|cant|wont) stop\b"),
]
