"""The word lists the name, address and date finders lean on, loaded once per process.

Bundled files (src/heard/redact/data/): ``given_names.txt`` and ``surnames.txt``
(built from Faker's person providers by ``make_name_lists.py``, plus hand-kept
extras), ``allow.txt`` (places, services, organisations and other capitalised words
that are not personal). Word frequencies come from the ``wordfreq`` package, which
ships its lists inside the package and reads nothing from the network.
"""

from __future__ import annotations

import math
import unicodedata
from functools import cache
from importlib import resources

from heard.errors import MissingDependencyError


def words(text: str) -> list[str]:
    """The words of a list written as one string (easier to read and edit than a literal)."""
    return text.split()


def fold(word: str) -> str:
    """The form words are compared in: lower case, curly apostrophes made straight."""
    return word.lower().replace("\u2019", "'")


def strip_accents(word: str) -> str:
    return "".join(
        ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch)
    )


def _read_list(name: str) -> list[str]:
    text = resources.files("heard.redact").joinpath("data", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _with_plain(words: list[str]) -> set[str]:
    out = set()
    for word in words:
        folded = fold(word)
        out.add(folded)
        out.add(strip_accents(folded))
    return out


@cache
def given_names() -> frozenset[str]:
    return frozenset((_with_plain(_read_list("given_names.txt")) | NAME_WORDS) - NOT_NAMES)


@cache
def surnames() -> frozenset[str]:
    return frozenset(_with_plain(_read_list("surnames.txt")) - NOT_NAMES)


@cache
def allow_phrases() -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(fold(entry).split()) for entry in _read_list("allow.txt"))


@cache
def zipf() -> dict[str, float]:
    """Zipf frequency (log10 per billion words) of the ~29,000 commonest English words.

    A word missing from the dict is rarer than 3.0, i.e. under once per million words.
    """
    try:
        import wordfreq
    except ImportError:  # pragma: no cover - a declared dependency
        raise MissingDependencyError("wordfreq", purpose="tell names from ordinary words") from None
    freqs = wordfreq.get_frequency_dict("en", wordlist="small")
    return {word: math.log10(freq) + 9 for word, freq in freqs.items() if freq > 0}


@cache
def ambiguous_names() -> frozenset[str]:
    """Given names that are also everyday words, so a capital at a sentence's start
    proves nothing: "Will", "Hope", "Grace", "Mark"."""
    frequent = {w for w in given_names() if zipf().get(w, 0.0) >= 5.0} - CLEAR_NAMES
    return frozenset(frequent | NAME_WORDS)


# Entries the generated lists carry that are not used as given names or surnames in
# the UK, or are everyday words first (some locales list "Said", "Per", "Line").
NOT_NAMES = frozenset(
    words(
        """
        my an can us made man ever lot job line per else among peace beat gun lady floor sad
        till mad lies tea kick joke loan urban jail mile mate constant marine tone harm
        server wage odd forum valid fancy ties edit toy jet sole nazi isis canal nail beta
        villa yoga raid mar ion harsh lean peer owe vi lo te til tan martial pastor darling
        indie santa junior mac del el von dick nana nan mum mam dad baby son friend council
        judge sister doctor foster social worker team school court family house service
        support adoption care home carer child children mother father brother daughter uncle
        aunt auntie cousin the and of for with from this that they there their them then
        than when what who why how not but all any each our your his her its was were are is
        be been has had have do did done get got go went say says told very just only also
        still even well good bad new old big small first last next one two three four five
        six seven eight nine ten ward love thankyou thanku ty xx xxx lino drs mrs mr ms dr
        """
    )
)

# Frequent words that are first of all names (so not ambiguous at a sentence start).
CLEAR_NAMES = frozenset(
    words(
        """
        john david james michael george paul peter william robert thomas tom louis richard
        joe mary charles henry martin harry tony sam daniel alex steve mike chris jim bob
        scott ben smith jones williams taylor johnson andrew adam kevin sarah elizabeth
        edward joseph
        """
    )
)

# Given names that are everyday words too.
NAME_WORDS = frozenset(
    words(
        """
        will may hope summer june april august bill mark faith jack rose lucky frank grant
        ray don nick chase angel charity crystal hunter gene jean rob robin eve mercy
        patience destiny harmony blessing pearl penny olive carol sandy sue earl dean drew
        joy grace dawn autumn sunny star sky river storm phoenix diamond precious gift honey
        amber ruby holly ivy daisy iris heather jade poppy lily violet willow hazel fern
        brook chance miles cole pat kit guy christian rocky sonny sage prince innocent
        comfort favour mason carter marshall
        """
    )
)

# Words put before a name that are not part of it: "Mrs Achterberg", "Dr. Okafor".
HONORIFICS = frozenset(
    words(
        """
        mr mrs ms miss mx dr prof professor sir dame lord lady rev revd reverend fr father
        cllr councillor judge nurse sister pc dc ds dci sgt sergeant inspector officer
        captain capt master madam madame mme mlle monsieur herr frau imam rabbi pastor
        sheikh sheikha hajji haji
        """
    )
)

# Family words used as a title before a name: "Nana Pat", "Auntie Sue", "Uncle Tony".
KIN_TITLES = frozenset(
    words(
        """
        nana nan nanna nanny nannie gran granny grandma grandmother grandad granddad grandpa
        grandfather grampa gramps papa pops mama auntie aunty aunt uncle
        """
    )
)

# Words for a person's role or relation, which often come right before their name:
# "social worker Dawn", "my son Tyler", "our family finder, Marcus".
ROLE_WORDS = frozenset(
    words(
        """
        worker workers sw finder manager officer teacher head headteacher headmaster
        headmistress deputy chair chairperson coordinator co-ordinator lead practitioner
        nurse doctor gp therapist counsellor counselor psychologist psychiatrist
        paediatrician pediatrician consultant visitor midwife solicitor barrister lawyer
        guardian advocate carer carers mentor tutor assistant ta senco iro supervisor
        director receptionist volunteer adviser advisor caseworker keyworker interpreter
        colleague boss neighbour neighbor friend partner husband wife fiance fiancé fiancee
        fiancée boyfriend girlfriend son sons daughter daughters child kid baby boy girl
        brother sister sibling twin cousin niece nephew aunt auntie aunty uncle nan nana
        nanna nanny gran granny grandma grandmother grandad granddad grandpa grandfather
        grandson granddaughter grandchild mum mam mom mummy mother dad daddy father stepmum
        stepmom stepdad stepson stepdaughter stepbrother stepsister godmother godfather
        godson goddaughter foster adopter adopters parent parents mentee pupil student
        trainee coach surgeon dentist optician pharmacist physio physiotherapist paramedic
        chaplain vicar priest imam rabbi pastor magistrate clerk administrator admin
        secretary lodger flatmate housemate mate mates bestie bezzie pal buddy
        """
    )
)

# Words that introduce a name: "a boy called Tyler", "known as Ellie".
NAMING_WORDS = frozenset(
    words(
        """
        called named name name's nicknamed calls call known
        """
    )
)

# The last word of an organisation's or place's name: "Virtual School", "Hope House".
ORG_HEADS = frozenset(
    words(
        """
        school schools academy college university nursery preschool pre-school court courts
        council hospital hospice clinic surgery practice centre center unit ward trust
        foundation charity service services team teams hub fund board panel group agency
        partnership network alliance association society club church chapel mosque temple
        gurdwara synagogue cathedral house lodge hall home homes library museum park gardens
        road street lane avenue close drive way crescent estate village town city county
        borough district region department ministry office authority commission committee
        project programme program scheme initiative campaign network company ltd limited plc
        inc llp cic bank station airport prison police fire ambulance army navy
        """
    )
)

# Words that start an organisation's or place's name: "St Mary's", "Royal Victoria".
ORG_STARTS = frozenset(["st", "st.", "saint", "royal", "national", "the"])

# A place, not a person, usually follows these: "we moved to Harlow".
PLACE_PREPOSITIONS = frozenset(
    words(
        """
        in at from to near around outside across towards toward into via through within
        """
    )
)
# ...unless the verb before "to" is about talking to someone: "spoke to Okafor".
TALK_VERBS = frozenset(
    words(
        """
        spoke speak speaking talk talked talking said say saying wrote write writing listen
        listened listening complained explained introduced referred reached thanks thank
        grateful owe owed go went goes going sent send sending gave give giving handed
        passed emailed texted messaged replied reply replying
        """
    )
)

# The last word of a place's name: "Hebden Bridge", "Bethnal Green", "Hampstead Heath".
PLACE_HEADS = frozenset(
    words(
        """
        bridge green heath hill hills moor moors bay cross gate end vale dale wood woods
        marsh common ford field fields park valley island isle forest beach sands point head
        market town city village upon on le under spa regis magna parva grange manor
        priory abbey
        """
    )
)

# Words after a name at the start of a sentence that make it the subject, so a name
# that is also an everyday word is a name there: "Amber is six", "Hope started school".
SUBJECT_VERBS = frozenset(
    words(
        """
        is was has had does did isn't wasn't hasn't hadn't doesn't didn't can't cannot
        couldn't won't wouldn't would could should might must loves loved likes liked
        started starts asks asked goes went gets got came comes says said told tells wants
        wanted needs needed seems seemed lives lived moved stays stayed sleeps slept plays
        played turned turns keeps kept finds found thinks thought knows knew hates hated
        struggles struggled cries cried talks talked calls called feels felt became becomes
        made makes takes took attends attended joined joins still always never really just
        now adores adored remembers remembered misses missed writes wrote rang phoned
        visited visits helped helps listened explained promised arranged left leaves spent
        spends runs ran sees saw saw gave gives
        """
    )
)

# Words right after a name that show it is a person: "Okafor said", "Okafor, who".
PERSON_CUES = frozenset(
    words(
        """
        said says told tells rang rings phoned phones called calls emailed texted messaged
        visited visits came comes helped helps listened listens explained explains asked
        asks promised promises arranged arranges chaired laughed cried smiled replied wrote
        writes knew knows understood understands cared cares loves loved likes liked wants
        wanted hates hated got gets went goes who whom herself himself themselves
        """
    )
)

# Lower-case name particles inside a name: "van der Berg", "bin Hamad", "de Souza".
PARTICLES = frozenset(
    words(
        """
        van der den de da das dos di del della la le du von bin binti ibn al el ter ten ap
        """
    )
)

# Determiners that put a capitalised word into an organisation's or title's name.
ARTICLES = frozenset(
    words(
        """
        the a an this that these those
        """
    )
)
