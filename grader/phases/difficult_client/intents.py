"""What a student's message asks, beyond the constraints' own triggers: the fixed parts of a client's world (the
business, a typical day, the people, what went wrong last time, what success looks like, what they do not care
about), open general questions, and questions outside any client's world. Shared by every scenario: the patterns
are about how people ask, not about one business. A scenario's ``world.extra`` asks add its own topics (matched
like triggers, by the Director).

A pattern that *reframes* a message consumes its words: in "what's the biggest problem in the restaurant?" the word
"problem" belongs to the question about last time, so it no longer counts as a trigger of a constraint about
network problems. A softer pattern ("what kind of customers") only says which world key fits when no constraint's
trigger matches well.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from grader.phases.difficult_client.text import STOPWORDS, content_stems, stem, words

# Nouns that name "the business" in a question ("tell me about the shop"); a scenario adds its persona's role words.
BUSINESS_NOUNS = frozenset(
    [
        "business", "shop", "store", "bakery", "restaurant", "grill", "cafe", "diner", "company", "organisation",
        "organization", "place", "pantry", "charity", "startup", "start-up", "school", "class", "classroom",
        "clinic", "practice", "surgery", "festival", "event", "building", "buildings", "property", "properties",
        "flats", "work", "job", "role", "product", "venture", "firm",
    ]
)


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{a})" for a in alternatives))


_NOUN = r"(?:\w+[- ])?"  # an optional adjective or compound word before a noun ("last ordering system")

# World keys: phrases that reframe the question (consumed before trigger matching).
CONSUMING: dict[str, re.Pattern[str]] = {
    "business": _rx(
        r"\bhow long (?:have|has|did) (?:you|your \w+|the \w+) (?:been|had|run|owned|worked|existed|operated|taught|"
        r"managed|organi[sz]ed|lived|rented|let)\b",
        r"\b(?:how|when|why) did (?:you|it all) (?:start|get started|begin|open|found|set up|take over|get into)\b",
        r"\b(?:tell (?:me|us)|talk|describe yourself|introduce yourself)\b[^?.!]*\babout (?:yourself|you)\b",
        r"\byour (?:background|story)\b",
        r"\bhow(?:'s| is) (?:the )?business\b",
        r"\bhow many years (?:has|have|did|is|are)\b",
        r"\b(?:been|doing|done|run|running) (?:this|it) (?:for )?(?:a |very )?long(?: time)?\b",
    ),
    "last_time": _rx(
        r"\b(?:what|anything|something|things?) (?:\w+ ){0,3}?(?:went|go|goes|has gone|have gone|had gone|could go|"
        r"might go|going|get|gets|got|did) wrong\b",
        r"\b(?:gone|went) wrong\b",
        rf"\b(?:last|previous|former|earlier|old|current|existing) {_NOUN}(?:developer|dev|website|web site|site|"
        r"system|app|attempt|agency|company|guy|person|contractor|freelancer|version|solution|tool|setup|set-up|"
        r"provider|programmer|designer|try|time)s?\b",
        r"\b(?:tried|used|had|done|did) (?:this |it |that |something |anything |one )?(?:before|already|previously)\b",
        r"\b(?:did|have) you (?:ever )?(?:try|tried|use|used|have|had|buy|bought)\b[^?.!]{0,40}?\b(?:before|already|"
        r"previously)\b",
        r"\bbefore (?:this|now|me)\b",
        r"\bwhat did you (?:use|have|do|try) (?:before|until now|so far)\b",
        r"\b(?:biggest|main|worst|real|number one|top|greatest|hardest) (?:\w+ )?(?:problem|issue|headache|pain|"
        r"frustration|challenge|complaint|struggle|difficulty|obstacle)s?\b",
        r"\bwhat(?:'s| is| has been|'s been) (?:so |most |really )?(?:frustrating|annoying|painful|the problem|"
        r"the issue|hard)\b",
        r"\bwhat (?:isn't|is not|doesn't|does not|is n't) work(?:ing)?\b",
        r"\bburn(?:ed|t)\b",
        r"\blet you down\b",
        r"\bbad experience\b",
        r"\bwhat happened (?:last time|before|with)\b",
        r"\bhow (?:do|did) you (?:do|handle|manage|run) (?:it|this|that|things|them) (?:now|today|at the moment|"
        r"currently|before|so far)\b",
    ),
    "success": _rx(
        r"\bsuccess(?:ful)?\b",
        r"\bsucceed\b",
        r"\b(?:ideal|dream|best[- ]case)\b",
        r"\bwhat would (?:make you|a good|a great|count as|be a) (?:happy|satisfied|proud|result|outcome|win|success)",
        r"\bwhat would (?:make|count as) (?:it|this) (?:a )?(?:success|worth it|good|great|a win)\b",
        r"\bhow (?:will|would|do|can) (?:you|we) (?:know|tell) (?:it|this|that|if|when|whether)\b",
        r"\bhow (?:will|would) (?:you|we) know\b",
        r"\b(?:your|the|main|biggest) goals?\b",
        r"\b(?:hoping|hope|want|like) to (?:achieve|get out of)\b",
        r"\bin (?:a|one|two|three|six|twelve) (?:months?|years?)(?:'s?)? time\b",
        r"\ba year from now\b",
        r"\bwhat does (?:good|done|great|a win|a good result|a good outcome) look like\b",
        r"\bwhat would (?:change|be different) (?:for you|if)\b",
        r"\bwhat would (?:a |the )?(?:win|perfect outcome|good outcome) (?:be|look like)\b",
    ),
    "dont_care": _rx(
        r"\b(?:don't|do not|doesn't|does not|won't|dont) (?:really )?(?:care|matter|mind)\b",
        r"\bdo you (?:really )?(?:care|mind)\b",
        r"\bwhat (?:matters|is|would be) (?:the )?least\b",
        r"\b(?:not|least) (?:important|a priority)\b",
        r"\bany (?:particular |strong )?(?:preferences?|opinions?|thoughts)\b",
        r"\b(?:would|do) you (?:prefer|like better)\b",
        r"\bpreferences?\b",
        r"\bcould (?:we|i) (?:skip|leave out|ignore|drop)\b",
    ),
    "general": _rx(
        r"\b(?:anything|something|what) else\b",
        r"\b(?:is|are) there (?:anything|something)\b(?=[^?.!]*\b(?:i|we) (?:should|ought to|need to|must) "
        r"(?:know|ask|hear|be aware|keep in mind|cover|understand))",
        r"\b(?:i|we) (?:should|ought to|need to|must) (?:know|ask|hear|be aware|keep in mind|cover|understand)\b",
        r"\b(?:haven't|have not|hasn't|didn't|did not|have n't) (?:i |we |you )?(?:asked|ask|covered|cover|talked|"
        r"mentioned|discussed|touched)\b",
        r"\bwhat am i (?:missing|forgetting)\b",
        r"\b(?:did|have) i (?:miss|missed|forget|forgotten|left out)\b",
        r"\bshould (?:i|we) (?:know|keep in mind|be aware of|focus on|ask)\b",
        r"\bwhat (?:worries|concerns|scares|bothers|frightens|stresses) you\b",
        r"\b(?:on your mind|keeps? you up at night)\b",
        r"\bwhat brings you\b",
        r"\bhow can (?:i|we) (?:help|be of help|be useful)\b",
        r"\bwhat can (?:i|we) do for you\b",
        r"\bwhat (?:do|would|did) you (?:need|want|like)(?: (?:from (?:me|us)|(?:me|us) to (?:build|do|make)|help with|"
        r"built|done|most|in the end|from this|from it))?\s*[?.!]*$",
        r"\bwhat (?:are|were) you (?:looking|hoping) for\b",
        r"\bwhere (?:should|do|shall|would|could|can) (?:we|i|you)(?: like to| want to)? (?:start|begin)\b",
        r"\bwhat(?:'s| is) (?:the )?most important\b",
        r"\bwhat matters (?:the )?most\b",
        r"\b(?:tell me|talk me through|walk me through|explain) (?:about )?(?:the|this|your) "
        r"(?:project|idea|needs|plans?|"
        r"vision)\b",
        r"\bwhat (?:are|is) your (?:needs|priorities|expectations|wishes|vision)\b",
        r"\bwhat(?:'s| is) (?:this|the project) (?:about|for)\b",
    ),
}

# Questions about the business named by a noun (checked against BUSINESS_NOUNS and the scenario's own names).
BUSINESS_ASKS = _rx(
    r"\b(?:tell (?:me|us)|talk|describe|introduce)\b[^?.!]*?\babout (?:your |the |this )?(?P<n1>[\w'-]+)",
    r"\b(?:describe|introduce) (?:your|the|this) (?P<n2>[\w'-]+)",
    r"\bhow (?:big|large|small|busy|old|established|well[- ]known) (?:is|are) (?:the |your |this )?(?P<n3>[\w'-]+)",
    r"\b(?:is|are) (?:it|this|that|they|you|the \w+|your \w+|[\w'-]+) (?:a |an )?(?:big|busy|small|large|new|old|"
    r"popular|local|family|successful|growing|young|established) (?:\w+ )?(?P<n4>[\w'-]+)",
    r"\bwhat (?:does|do|is) (?P<n5>[\w'-]+) (?:actually |really |exactly )?(?:do|about|sell|make)\b",
    r"\bwhat(?:'s| is) (?P<n6>[\w'-]+) like\b",
    r"\bhow (?:many|much) (?P<n7>[\w'-]+)",
)

# World keys: phrases that say which key fits, without claiming the words in them.
SOFT: dict[str, re.Pattern[str]] = {
    "business": _rx(
        r"\b(?:what|which) (?:kind|sort|type)s? of (?:business|shop|place|company|organi[sz]ation|work|restaurant|"
        r"bakery|festival|clinic|school|practice|charity)\b",
        r"\bwhat (?:does|do) (?:you|your \w+|the \w+) (?:sell|make|offer|produce|run)\b",
        r"\bwhat (?:does|do) (?:you|your \w+|the \w+) do(?: here| there| exactly| for a living)?\s*[?.!]*$",
        r"\bwhat(?:'s| is) (?:your|the) (?:business|company|shop|organi[sz]ation) (?:like|about)\b",
    ),
    "day": _rx(
        r"\b(?:typical|normal|usual|average|ordinary|regular|standard) (?:working )?(?:day|week|morning|evening|"
        r"night|shift|service|weekday|term|lesson|session)s?\b",
        r"\bday[- ]to[- ]day\b",
        r"\b(?:daily|your|the) routines?\b",
        r"\bwhat (?:does|do|did) (?:a|your|an) (?:\w+ )?(?:day|morning|week|shift|evening)s? (?:look|go|run)\b",
        r"\b(?:walk|take) me through (?:a|your|the|an) (?:\w+ )?(?:day|morning|week|shift|routine|evening)\b",
        r"\bhow (?:does|do) (?:a|your) (?:\w+ )?(?:day|morning|week|shift)s? (?:go|look|start|run|work|usually go)\b",
        r"\bbusiest (?:time|day|part|hours?|period|season|night|moment)s?\b",
        r"\bwhat do you do all day\b",
        r"\b(?:what time|when) (?:do|does) (?:you|the \w+|it) (?:open|close|start|get in|get started)\b",
        r"\byour (?:mornings|days|weeks|evenings)\b",
        r"\bhow (?:do|does) you spend your (?:day|time|mornings)\b",
    ),
    "people": _rx(
        r"\bwho (?:else )?(?:works?|helps?|is involved|are involved|runs?|makes? the decisions|decides|"
        r"do you work with|"
        r"else is there|are the people|is on your team|is in charge|else)\b",
        r"\bwho(?:'s| is) (?:involved|on your team|in charge)\b",
        r"\b(?:the )?people (?:involved|you work with|who work|who help|around you|behind|here)\b",
        r"\b(?:anyone|anybody|someone) else (?:involved|who|there)\b",
        r"\bwhat (?:kind|sort|type)s? of (?:customers|people|clients|visitors|guests|crowd|folks)\b",
        r"\bwho (?:are|is) (?:your|the) (?:customers|clients|people|crowd|regulars|guests|visitors)\b",
        r"\b(?:your|the) (?:colleagues|co-?workers|helpers|family|partners?)\b",
        r"\bwho (?:comes|come|shops|visits) (?:in|here|to you)\b",
    ),
    "dont_care": _rx(
        r"\b(?:colou?rs?|fonts?|logos?|look and feel|the look|kind of look|branding|themes?)\b",
        r"\b(?:framework|programming language|coding language|computer language|tech(?:nology)? stack|"
        r"technolog(?:y|ies)|react|angular|vue|django|rails|wordpress|php|python|java|javascript|typescript)\b",
    ),
}

# Questions outside any client's world. ``topic`` names the word that makes it so: if a scenario's own world or
# triggers use that word (a festival's music, a school's holidays), the pattern does not apply there.
OFF_WORLD = _rx(
    r"\bfavou?rite (?:football|soccer|sports?|team|films?|movies?|bands?|songs?|music|books?|food|meals?|dish|"
    r"holiday|tv|shows?|series|games?|animals?|drinks?|season|actors?|singers?|city|country|cars?|hobby|place)\b"
    r"(?: team)?",
    r"\b(?P<t2>football|soccer|basketball|baseball|cricket|rugby|hockey|tennis|golf|super bowl|world cup|olympics|"
    r"formula (?:1|one)|premier league|league|who won|the match)\b",
    r"\b(?P<t3>weather|elections?|politics|political|president|prime minister|vote|voting|parliament)\b",
    # Someone's own experience ("have you read any good books?"); the thing named stays for the triggers to see.
    r"\b(?:have you|did you) (?:ever )?(?:seen|watched|read|heard|been to|travel+ed to|visited|tried) (?:the |any |a )?"
    r"(?:(?:new|latest|good|great|nice) )*(?=\w)",
    r"\b(?P<t5>holidays?|vacations?|travel+ing|trips?)\b",
    r"\b(?P<t6>music|songs?|bands?|films?|movies?|cinema|tv|television|netflix|marvel|novels?|celebrit(?:y|ies)|"
    r"podcasts?)\b",
    r"\b(?:good|nice|favou?rite|best|new) (?P<t11>restaurants?|cafes?|pubs?|bars?|places to eat)\b",
    r"\bfavou?rite (?P<t12>\w+)",
    r"\b(?:electric |new )?(?P<t7>cars?)\b",
    r"\b(?:how old are you|your (?P<t8>age|kids|children|wife|husband|partner|pets?|dog|cat|hobbies|star sign)|"
    r"are you married|star sign|zodiac|horoscope)\b",
    r"\b(?:which|what) [^?.!]*?\b(?:buy|get|recommend|pick)\b[^?.!]*\bfor (?:myself|me|my \w+|your (?:kids|"
    r"children|family|wife|husband|son|daughter|partner|home|house|self)|yourself)\b",
    r"\b(?:would|do|could) you recommend (?:i|me)\b[^?.!]*",
    r"\b(?:tell me a joke|meaning of life|aliens?|capital of|the news|lottery|crypto(?:currency)?|bitcoin|"
    r"(?:stock|housing|property|job) market|(?:house|housing|property) prices|the economy|interest rates|inflation)"
    r"\b",
    r"\bwhat do you think (?:will|is going to|might) happen\b",
    r"\b(?:a )?(?:good|nice) place (?:for|to) (?:lunch|dinner|breakfast|eat|get coffee|coffee|a drink)\b",
    r"\bwhat do you think (?:of|about) (?:the )?(?P<t10>election|government|news|economy|match|game|film|movie)\b",
    r"\bwhat(?:'s| is) your opinion (?:on|of|about)\b[^?.!]*",
)

# Words that carry no topic of their own in a vague message ("what about the other thing?") or a follow-up.
FILLER = frozenset(
    [
        "thing", "things", "stuff", "other", "one", "ones", "bit", "lot", "little", "something", "anything",
        "everything", "nothing", "mean", "meaning", "meant", "elaborate", "expand", "explain", "explained",
        "clarify", "exactly", "specifically", "example", "examples", "detail", "details", "matter", "matters",
        "mattered", "important", "say", "said", "go", "going", "on", "again", "further", "earlier", "before",
        "then", "now", "though", "really", "like", "kind", "sort", "much", "many", "well", "right", "sure", "okay",
        "ok", "hmm", "huh", "um", "uh", "ah", "oh", "yeah", "yep", "gotto", "got", "see", "hear", "understand",
        "understood", "mind", "ask", "asked", "asking", "question", "questions", "point", "sorry", "thanks",
        "thank", "please", "hi", "hello", "hey", "happen", "happens", "happened", "why", "work", "works", "worked",
        "working", "how", "so", "way", "part", "bits", "get", "come", "came", "that's", "what's", "it's", "is",
        "there", "again", "talk", "talking", "said",
    ]
)
FOLLOW_UP_ASK = re.compile(
    r"\b(more|elaborate|expand|go on|what do you mean|what did you mean|meaning|explain|why|how so|in what way|"
    r"examples?|details?|specifically|clarify|say that again|what was that|how come|such as|like what)\b",
    re.I,
)
QUESTION_WORDS = frozenset([
    "what", "what's", "how", "how's", "why", "when", "where", "who", "who's", "which", "whose", "whom",
])
AUXILIARIES = frozenset(
    [
        "do", "does", "did", "is", "are", "was", "were", "will", "would", "should", "can", "could", "have", "has",
        "had", "may", "might", "shall", "must", "am", "isn't", "aren't", "wasn't", "weren't", "don't", "doesn't",
        "didn't", "won't", "wouldn't", "shouldn't", "can't", "couldn't", "haven't", "hasn't",
    ]
)
ASK_VERBS = frozenset([
    "tell", "describe", "explain", "walk", "share", "say", "talk", "help", "show", "give", "let", "list", "clarify",
])
ARTICLES = frozenset(("the", "a", "an"))
ANAPHORA = frozenset(("it", "its", "that", "this", "they", "them", "those", "these", "there"))
SENTENCE_STARTS = QUESTION_WORDS | ASK_VERBS | ARTICLES | frozenset(("any", "anything", "anyone", "is", "are", "so"))
PRONOUNS = frozenset([
    "i", "you", "we", "they", "he", "she", "it", "me", "my", "your", "our", "their", "us", "them", "there", "this",
    "that", "these", "those", "i'm", "you're", "we're", "they're", "it's", "that's", "there's",
])
POLITE_OPENING = re.compile(
    r"^(?:(?:please|thanks|thank you(?: (?:so|very) much)?|thanks (?:so|very) much|hi|hello|hey|ok(?:ay)?|sorry|"
    r"excuse me|kindly|cheers|great|cool|right|alright|so|and|also|well)\b[\s,!.:;—–-]*)+",
)
# Courtesy that is not a question about anything ("if you don't mind me asking"): blanked out before matching.
COURTESY = re.compile(
    r"\b(?:if you (?:don't|do not) mind(?: me asking| my asking)?|(?:do|would) you mind if i ask|would you mind|"
    r"if i may ask|if that's ok(?:ay)?|i don't mean to pry)\b"
)
POLITE_WORDS = re.compile(r"\b(?:please|thanks|thank you(?: (?:so|very) much)?|kindly|cheers)\b")


# "What does a typical day look like?" asks about the day, not about looks: the idiom is blanked out.
IDIOM = re.compile(
    r"\b(?:day|days|week|weeks|morning|mornings|evening|shift|shifts|success|win|outcome|result|results|future|month|"
    r"year|weekend|process|routine|life|good|done|schedule|term|plan|things|it all)\b[\w' ]{0,30}?\b(?P<idiom>looks? "
    r"like)\b"
)
# Ways of asking about a common concern without its usual words: the words a trigger would use are added.
EXPANSIONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), words_added) for pattern, words_added in (
        (r"\bwhen (?:does|do|should|will|must|would|can|could) (?:this|it|that|the \w+|everything|things|you) "
         r"(?:\w+ ){0,3}?(?:be |go |get )?(?:live|ready|done|finished|launched|out|working|up and running|in place)\b",
         "deadline date launch"),
        (r"\b(?:by when|how soon|how quickly do you need|how much time (?:do|have))\b", "deadline date"),
        (r"\bhow (?:much|long|far|many days|many hours) (?:notice|warning|in advance|ahead|before)\b",
         "warning advance ahead deadline"),
        (r"\b(?:give|pass|hand|sell|send|swap) (?:on )?(?:my|your|their|his|her|a|the|our) (?:ticket|place|booking|"
         r"spot|seat)s? (?:to|on)\b", "transfer resell swap"),
        (r"\b(?:a |one )?(?:hundred|thousand|\d{2,}) (?:people|users|seats|employees|staff|members|guests|people)\b",
         "team size many large"),
        (r"\b(?:phone numbers?|home address(?:es)?|email address(?:es)?|contact (?:info|information|numbers?))\b",
         "contact details personal"),
        (r"\b(?:see|view|look at) (?:each other(?:'s)?|other people(?:'s)?|someone(?:'s)?|everyone(?:'s)?)\b",
         "visible share privacy"),
    )
)


def normalise(message: str) -> str:
    """Lower case, typographic apostrophes and dashes made plain, whitespace collapsed."""
    text = message.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class PatternMatch:
    kind: str  # a world key, "general" or "off_world"
    start: int
    end: int
    consuming: bool

    @property
    def length(self) -> int:
        return self.end - self.start


def _matches(text: str, vocabulary: frozenset[str], business_nouns: frozenset[str]) -> list[PatternMatch]:
    found: list[PatternMatch] = []
    for kind, pattern in CONSUMING.items():
        found += [PatternMatch(kind, m.start(), m.end(), True) for m in pattern.finditer(text)]
    for kind, pattern in SOFT.items():
        found += [PatternMatch(kind, m.start(), m.end(), False) for m in pattern.finditer(text)]
    for m in BUSINESS_ASKS.finditer(text):
        if re.sub(r"'s$", "", next(g for g in m.groups() if g)) in business_nouns:
            found.append(PatternMatch("business", m.start(), m.end(), False))
    for m in OFF_WORLD.finditer(text):
        topic = next((g for g in m.groups() if g), None)
        if topic is not None and set(content_stems(topic)) & vocabulary:
            continue  # the scenario's own world speaks of it (a festival's music): not off-world there
        found.append(PatternMatch("off_world", m.start(), m.end(), True))
    return found


@dataclass(frozen=True)
class MessageIntents:
    """The intent patterns found in one message: the best world key, whether it is a general question or outside
    the world, and the message with the consumed phrases blanked out (for trigger matching)."""

    text: str  # normalised message
    residual: str  # ``text`` with consumed phrases blanked out
    expansion: str  # words a trigger would use for what the message asks in other words ("go live": deadline)
    world: str | None  # the best-matching fixed world key
    general: bool
    off_world: bool

    @classmethod
    def of(cls, message: str, vocabulary: frozenset[str] = frozenset(),
           business_nouns: Iterable[str] = ()) -> MessageIntents:
        text = COURTESY.sub(lambda m: " " * len(m.group(0)), normalise(message))
        found = _matches(text, vocabulary, BUSINESS_NOUNS | frozenset(business_nouns))
        residual = list(text)
        for m in found:
            if m.consuming:
                residual[m.start:m.end] = " " * m.length
        for idiom in IDIOM.finditer(text):
            start, end = idiom.span("idiom")
            residual[start:end] = " " * (end - start)
        expansion = " ".join(added for pattern, added in EXPANSIONS if pattern.search(text))
        world = [m for m in found if m.kind not in ("general", "off_world")]
        # A consuming phrase is stronger evidence than a soft one; then the longer phrase, then the earlier one.
        world.sort(key=lambda m: (not m.consuming, -m.length, m.start))
        return cls(text=text, residual="".join(residual), expansion=expansion, world=world[0].kind if world else None,
                   general=any(m.kind == "general" for m in found), off_world=any(m.kind == "off_world" for m in found))


def _tokens_without_courtesy(text: str) -> list[str]:
    return words(POLITE_WORDS.sub(" ", POLITE_OPENING.sub("", normalise(text))))


def _sentences(message: str) -> list[list[str]]:
    return [t for t in (_tokens_without_courtesy(s) for s in re.split(r"[?.!;\n]+", normalise(message))) if t]


def has_question_form(message: str) -> bool:
    """Does the message ask something as a sentence does, rather than list words? A sentence has a pronoun or an
    auxiliary, or starts like a question or a request, or links its words with a couple of small words. "Please,
    hosting monthly cost budget?" does not; "So the non-urgent ones all wait for the weekly round?" does; a
    pasted trigger phrase ("... change the menu ...", "... deadline when launch") is not enough."""
    for tokens in _sentences(message):
        if any(t in PRONOUNS or t in AUXILIARIES for t in tokens) or tokens[0] in SENTENCE_STARTS:
            return True
        if sum(1 for t in tokens if t in STOPWORDS) >= 2:
            return True
    return False


def starts_as_question(message: str) -> bool:
    """Does some sentence start with a question word, an auxiliary, a request verb or "any", or use a pronoun?"""
    return any(tokens[0] in SENTENCE_STARTS or tokens[0] in AUXILIARIES or any(t in PRONOUNS for t in tokens)
               for tokens in _sentences(message))


def is_question(message: str) -> bool:
    """Does the message ask something (a question mark, or a sentence that starts as a question or a request)?"""
    return "?" in message or any(tokens[0] in QUESTION_WORDS or tokens[0] in AUXILIARIES or tokens[0] in ASK_VERBS
                                 for tokens in _sentences(message))


def topic_stems(text: str) -> list[str]:
    """Content stems that name a topic (filler such as "thing", "more", "mean", "I'm" removed)."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and w not in FILLER and w not in PRONOUNS
            and w not in AUXILIARIES and stem(w) not in FILLER]


def _question_part(text: str) -> str:
    """The sentences that ask (end with "?"), without the preamble ("That sounds hard. Can you say more?")."""
    asking = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s.rstrip().endswith("?")]
    return " ".join(asking) if asking else text


def asks_follow_up(message: str, residual: str) -> bool:
    """A follow-up that only points back ("could you tell me more about that?", "why is that a problem?"): a
    follow-up word and at most one other topic word in the sentence that asks."""
    question = _question_part(residual)
    return (bool(FOLLOW_UP_ASK.search(_question_part(message))) and len(topic_stems(question)) <= 1
            and len(words(question)) <= 14)


def asks_about_it(residual: str) -> bool:
    """A short question about "it" or "they" with at most one topic word ("how old are they?")."""
    question = _question_part(residual)
    tokens = words(question)
    return ("?" in question and len(tokens) <= 8 and len(topic_stems(question)) <= 1
            and any(t in ANAPHORA for t in tokens))


def list_segments(message: str) -> list[str]:
    """The parts of a comma / slash / question-mark / "and" list ("hosting, orders, menu and allergens?")."""
    parts = re.split(r"\s*(?:[,;/?]|\band\b|\bor\b|&)\s*", normalise(message))
    return [p.strip(" .!:-—–") for p in parts if p.strip(" .!:-—–")]
