"""Claims, not mentions: where a rule's words are only mentioned (questions, calls to action, reported claims), and which pages promote treatment."""

from __future__ import annotations

import re
from typing import Sequence

import regex

from kmlint.document import Document
from kmlint.terms import TermSet, expand_phrase

# Everything below reads the folded text (lower case, plain quotes and dashes, single spaces).

# A question asks whether something is so, and claims nothing: "Could ketamine help me?", "What is
# at-home therapy?". A "how" or "why" question takes the effect as given ("How does ketamine cure
# PTSD?"), and a headline with a question mark ("A miracle cure?") is not asking at all.
_QUESTION_LEAD = r"[\"'(\[*#\s-]*(?:(?:so|and|but|then|ok|okay|also|now),? )?"
_AUXILIARY = r"is|are|was|were|isn't|aren't|can|could|can't|will|would|won't|should|shall|does|do|did|doesn't|don't|has|have|had|may|might|must"
_QUESTION_OPENING = re.compile(_QUESTION_LEAD + rf"(?:{_AUXILIARY}|what|what's|which|who|whom|whose|where|when|whether|if)\b(?! makes\b)")
_YES_NO_OPENING = re.compile(_QUESTION_LEAD + rf"(?:{_AUXILIARY})\b")
_QUESTION_END = re.compile(r"\?[\"')\]*\s]*$")

def yes_no_question(doc: Document, low: int, high: int) -> bool:
    """Whether the sentence at [low, high) is a question to be answered yes or no ("Is ketamine addictive?")."""
    return _QUESTION_END.search(doc.folded, low, high) is not None and _YES_NO_OPENING.match(doc.folded, low) is not None


# A call to action asks the reader to get in touch; its words sell a visit, not an effect. Verbs
# that are also nouns or other verbs ("Schedule III", "Text with ...", "Call volume") count only
# with what follows them in a call to action.
_CALL_TO_ACTION = re.compile(
    r"[\"'(\[*#>\s-]*(?:please |)(?:"
    r"(?:book|schedule|reserve|request|claim) (?:a|an|your|my|our|now|today|online|free)"
    r"|(?:call|phone|text|email|e-mail|message|dm) (?:us|our|the clinic|today|now|\(?[0-9])"
    r"|(?:contact|ask) (?:us|our|the clinic|today|now|about)|(?:apply|register|enroll|enrol) (?:now|today|online|for)"
    r"|reach out|sign up|get in touch|get started|learn more|find out more|click|tap (?:here|the|below)|fill out|"
    r"complete (?:our|the|a)|take (?:our|the|a) (?:quiz|assessment|survey)|(?:speak|talk) (?:to|with) (?:us|our|a|one))\b"
)

# Words that put a claim in someone else's mouth, or say it is false: "platforms promising fast
# relief", "it is a myth that ...", "beware of clinics that claim ...". They stand before the claim,
# in its sentence, a few words away at most.
_REPORTED = re.compile(
    r"\b(?:myths?|misconceptions?|misleading|false(?:ly)?|(?:is|it's|isn't|are|aren't) not true|not true that|contrary to|"
    r"beware|be wary|wary of|skeptical|sceptical|debunk\w*|hype[ds]?|touts?|touted|touting|"
    r"(?:claims?|claimed|claiming) (?:that|to)|(?<!a )(?<!an )(?<!the )promising(?= (?:to |you |patients |[a-z]+ (?:relief|results|cures?|fixes)))|"
    r"promises? (?:of|that|to)|advertis\w+|marketed (?:as|for)|marketing (?:it |ketamine |)(?:as|for))\b"
)
_REPORTED_REACH = 60  # characters between the reporting words and the claim


def is_mention(doc: Document, start: int, end: int) -> bool:
    """Whether the words at [start, end) are mentioned rather than claimed: in a question that does not
    presuppose them, in a call to action, or reported as someone else's claim or as false."""
    low, high = doc.sentence(start, end)
    folded = doc.folded
    if _QUESTION_END.search(folded, low, high) and _QUESTION_OPENING.match(folded, low):
        return True
    if _CALL_TO_ACTION.match(folded, low):
        return True
    # Searched up to the claim's end: "promising" is a reporting verb only before a claim ("promising
    # fast relief"), which its look-ahead reads.
    reported = _REPORTED.search(folded, max(low, start - _REPORTED_REACH), end)
    return reported is not None and reported.start() < start


# A provider speaking: "our clinic", "we offer", "book a consultation". A page of another genre:
# an editorial, a journal article (volume and issue, a case vignette), a drug-safety alert, a news
# report. Quotes and citations do not tell: clinics' blogs quote and cite too. The engine's scanner
# finds these with the rules' terms, in the same pass.
PROVIDER_VOICE = TermSet(
    phrases=tuple(
        phrase
        for template in (
            "our (clinic|clinics|team|patients|practice|provider|providers|office|offices|program|programs|center|centers|centre|staff|"
            "physician|physicians|doctor|doctors|nurse|nurses|clinician|clinicians|specialist|specialists|services|treatment|treatments|"
            "therapy|therapies|infusion|infusions|protocol|protocols|facility|location|locations|expert|experts|medical team|care team|clients)",
            "we (offer|provide|treat|specialize|specialise|are proud|can help|help|deliver|administer|accept|tailor|customize|personalize)",
            "(book|schedule|request|reserve) (a |an |your |my |)(free |)(consultation|consult|appointment|session|visit|evaluation|assessment|infusion)",
            "(contact us|call us|call today|call now|get started|free consultation|new patient|new patients)",
        )
        for phrase in expand_phrase(template)
    )
)
OTHER_GENRE = TermSet(
    phrases=tuple(
        phrase
        for template in (
            "(editorial|op-ed|press release|newsroom|news desk|staff writer|correspondent|medwatch|safety alert|safety alerts|abstract:)",
            "case (vignette|report)",
            "fda (alert|alerts|warns|safety communication|drug safety)",
            "(letter|letters) to the editor",
            "peer-reviewed article",
        )
        for phrase in expand_phrase(template)
    ),
    patterns=(regex.compile(r"\b(?:vol|volume|issue) \d+"),),
)


def promotes(genre_signs: Sequence[tuple[int, int]], provider_voice: Sequence[tuple[int, int]]) -> bool:
    """Whether the page promotes treatment, given where OTHER_GENRE and PROVIDER_VOICE occur in it:
    unless it is of another genre (news, journal, alert) and that shows more than a provider's voice does."""
    genre = _apart(genre_signs)
    return genre == 0 or _apart(provider_voice) >= genre


def _apart(spans: Sequence[tuple[int, int]]) -> int:
    """How many of the spans (in order) stand apart: one that overlaps the last counted is not counted."""
    count, last_end = 0, -1
    for start, end in spans:
        if start >= last_end:
            count, last_end = count + 1, end
    return count
