"""Person names: cleaning a credited string to a name (prefixes "Von"/"By", job titles, e-mail addresses,
dates, agencies stripped; particles kept), handles and pen names, splitting "A, B und C", "Last, First" order,
and the stop-word tables that tell a name from other words.
"""

from __future__ import annotations

import re

from .agencies import AGENCIES
from .date_strings import _MONTHS
from .normalise import _DIGIT_RE, _letters, _norm_ws

# author labels in non-Latin scripts, as bylines print them. "Lead" words are followed by the name ("بقلم سامي",
# "מאת דנה", "Γράφει η Μαρία"); "label" words need a colon, a slash or a middle dot after them ("编辑：张三、李四",
# "文・山田太郎", "Автор: Иван Петров"). Sources: the byline conventions of Chinese (编辑 editor, 作者 author, 记者
# reporter, 撰文 written by), Japanese (文 text, 筆者/執筆/著者 author), Korean (글 text, 기자 reporter), Arabic
# (بقلم "by the pen of", بواسطة "by", كتب/كتبت "wrote" (with a colon: it also opens sentences), إعداد "prepared
# by", تحرير "edited by"), Persian (نویسنده writer, به قلم by the pen of), Hebrew (מאת by, כתב/כתבת reporter),
# Hindi (लेखक writer), Cyrillic (автор, аутор, текст, подготовил(а) "prepared by") and Greek (συντάκτης author,
# γράφει "writes") news pages
NONLATIN_LEAD = r"(?:بقلم|بواسطة|به قلم|מאת|γράφ(?:ει|ουν)(?:\s+(?:ο|η|οι))?|(?:本报|本報|新华社|特约)?记者|記者)"
NONLATIN_LABEL = (
    r"(?:авторы?|автори|аутор|автор(?:ка)?|текст|подготовил[аи]?|συντάκτ(?:ης|ρια)|κείμενο|"
    r"كتبت?|إعداد|تحرير|الكاتب|نویسنده|כתב(?:ת|ה)?|लेखक|"
    r"(?:责任)?编辑|(?:責任)?編輯|作者|撰文|撰稿|文|筆者|執筆|著者|글|취재)"
)
# the separator after a non-Latin label: ASCII or full-width colon, slash, a middle dot or "="
NONLATIN_LABEL_SEP = r"\s*[:：/／・=]\s*"

_NAME_PREFIX_RE = re.compile(
    rf"^(?:{NONLATIN_LEAD}\s*[:：]?\s*|{NONLATIN_LABEL}{NONLATIN_LABEL_SEP})|"
    r"^(?:by|vo[nm]|text(?:\s*(?:und|and|&|\+|/)\s*(?:fotos?|photos?|bilder?))?|текст|автор|"
    r"autor(?:in|en)?|authors?|auteurs?|autore|written by|reported by|"
    r"posted by|eingestellt von|verfasst von|geschrieben von|about the author|über (?:den|die) autor(?:in)?|über|about|"
    r"(?:ein(?:e)?\s+)?(?:beitrag|kommentar|gastbeitrag|gastkommentar|kolumne|analyse|reportage) von|"
    r"par|por|di|door|av|af|mit|interview)\s*[:\-]?\s+",
    re.I,
)
# a job title before the name: "Redakteurin Anna Muster", "Rechtsanwalt Sebastian Einbock", "Staff Writer Jane Doe"
_JOB_TITLE_PREFIX_RE = re.compile(
    r"^(?:(?:chef|fach|gast|lokal|online-?|wirtschafts|sport|politik)?redakteur(?:in)?|"
    r"(?:auslands)?korrespondent(?:in)?|reporter(?:in)?|journalist(?:in)?|kolumnist(?:in)?|volontär(?:in)?|"
    r"(?:fach)?rechtsanw(?:a|ä)lt(?:in)?|redaktionsleiter(?:in)?|ressortleiter(?:in)?|"
    r"(?:senior |staff |chief |political |special )?(?:reporter|writer|correspondent|editor|columnist))\s+"
    r"(?=(?-i:[A-ZÄÖÜ]))",
    re.I,
)
_NOT_NAME_RE = re.compile(
    r"@|https?:|www\.|\d|email|e-mail|mail the|author|autor|redaktion|redacci[oó]n|r[ée]daction|redazione|redactie|"
    r"redakcja|editor|staff|newsroom|team|hours? ago|\b(?:contact(?:ar|o|ez)?|kontakt(?:ieren)?|contatt(?:o|are))\b|"
    r"minutes? ago|stunden|updated|aktualisiert|published|veröffentlicht|follow|folgen|twitter|facebook|"
    r"contributor|correspondent|\bnews\b|\bmedia\b|\bonline\b|gmbh|\bverlag\b|writer|reporter|columnist|"
    r"photographer|korrespondent|redakteur|journalist|\bpress\b|\bpresse\b|agentur|agency|\bdesk\b|"
    r"\bsenior\b|\bchief\b|\bleitung\b|share|teilen|comments?\b|kommentar|nachrichten|zeitung|magazin|"
    r"\bproducer\b|\bmoderator(?:in)?\b|\bhost\b|\banchor\b|übersetz|translat|gesponsert|sponsored|"
    r"\badvertorial\b|\banzeige\b|\bdesign(?:ed)?\b|\bpowered\b|student|[():]|\bsaid\b|\bsays\b|"
    r"illustrierte|редакц|редакці|корреспондент|кореспондент|агентств|новост|новин|\s[-–—]\s|\b(?!(?:dr|prof|jr|sr|st|mr|mrs|ms|med|phil|rer|nat)\.)[^\W\d_]{3,}\.\s",
    re.I,
)


# a Han, kana or Hangul character; what no name of an uncased script holds (punctuation, digits)
_CJK_RE = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_CJK_NAME_JUNK_RE = re.compile(r"[^\w\s.'’·・-]|\d")

_KANA_RE = re.compile(r"[\u3040-\u30ff]")


def _cjk_name_max(word: str) -> int:
    """The longest name written as one CJK ``word``: Chinese and Korean names have two to four characters
    (five allows a rare compound surname), Japanese names with kana up to eight ("長谷川さくら")."""
    return 8 if _KANA_RE.search(word) else 5


# a role word printed after the name in Korean, Chinese and Japanese bylines: 기자 reporter (선임 senior, 수석 chief,
# 객원 guest, 인턴 intern), 특파원 correspondent, 记者/記者 reporter
_ROLE_SUFFIX_RE = re.compile(r"\s*(?:(?:선임|수석|객원|전문|인턴)?기자|특파원|记者|記者)$")

_NOT_NAME2_RE = re.compile(
    r"\be\.\s?v\.|\b(?:ag|inc|ltd|llc|s\.a|stiftung|verein|institut|university|universität|foundation|"
    r"association|council|committee|department|ministry|government|police|polizei|gemeinde|rathaus|stadtrat|"
    r"landkreis|kommission|commission|club|group|company)\b|verband\b|^(?:foto|bild|photo|quelle|source|credit)s?\s*:|\.(?:de|com|at|ch|org|net|uk|fr|it|es|nl|pl|tr)\b|"
    r"^(?:ph\.?d|m\.?d|dr|prof|mba|msc|bsc|rn)\.?$|\bmore posts\b|\bzum profil\b|\bprofil von\b",
    re.I,
)

_NAME_PARTICLES = {
    "de",
    "da",
    "di",
    "du",
    "la",
    "le",
    "van",
    "von",
    "der",
    "den",
    "del",
    "dos",
    "das",
    "zu",
    "ten",
    "ter",
    # Spanish/Portuguese/Italian/French plural and contracted articles, Arabic/Hebrew "son of" and article
    # ("Ana de los Rios", "Omar bin Example", "Lena von der Example", "Carla della Sample")
    "los",
    "las",
    "della",
    "delle",
    "degli",
    "dei",
    "des",
    "do",
    "zur",
    "op",
    "bin",
    "ibn",
    "bint",
    "ben",
    "al",
    "el",
}
# a particle glued to the name it precedes: "al-Sample", "el-Masri", "d'Exemple", "dell'Esempio"
_PARTICLE_PREFIX_RE = re.compile(r"(?:al|el|ad|as|ash|at|az|ud|ul|ed|d|l|dall|dell|degl)['’-]")


def _particle(word: str) -> bool:
    """True for a lowercase name particle ("de", "bin", "von") or a particle glued to a capitalised name
    ("al-Sample", "d'Exemple")."""
    if word in _NAME_PARTICLES:
        return True
    m = _PARTICLE_PREFIX_RE.match(word)
    return m is not None and word[m.end() : m.end() + 1].isupper()


# Unicode bidirectional formatting characters (UAX #9: LRM/RLM, embeddings, overrides, isolates): invisible,
# they only steer display; in a stored name they make equal names compare unequal. Also C0/C1 control characters
# other than whitespace and the noncharacters U+FFFE/U+FFFF, which no name holds ("Todd\x00" in JSON-LD)
_INVISIBLE_IN_NAME_RE = re.compile(
    "[\u200e\u200f\u202a-\u202e\u2066-\u2069\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]"
)


def _clean_person(
    raw: str, site_name: str | None = None, structured: bool = True, handle_ok: bool = False
) -> str | None:
    """Return a cleaned person name or None when ``raw`` is not one (e-mail, URL, agency, job title ...).

    ``structured`` names come from JSON-LD/meta; HTML bylines (``structured=False``) must have two words.
    """
    s = _norm_ws(_INVISIBLE_IN_NAME_RE.sub("", raw))
    s = re.sub(r"\s*\([^()]{1,30}\)\s*$", "", s)  # "Elena Oberholzer (obe)": desk initials; "(Gastautor)": a role
    s = re.sub(r"\s*[|•·]\s*.*$", "", s)
    for _ in range(2):
        s = _NAME_PREFIX_RE.sub("", s).strip(" ,;:|-–—")
    s = _JOB_TITLE_PREFIX_RE.sub("", s, count=1)
    s = re.sub(r"\s+@\w{1,30}$", "", s)  # "Anna Muster @annamuster": the Twitter handle after the name
    s = _ROLE_SUFFIX_RE.sub("", s)  # "김철수 기자", "山田太郎記者": the role word after the name
    # "Jens Bergmann Foto: Michael Hudler", "Mark Newton: EN": the name ends at a credit label or colon
    s = re.split(r"\s+(?:fotos?|photos?|bilder?|illustrations?|grafik)\s*:|\s*:\s*\S{1,4}$", s, maxsplit=1, flags=re.I)[
        0
    ]
    # "陈大文 来源：本站": a further labelled field (full-width colon) after the name
    s = re.split(r"\s+[^\s:：]{1,8}：", s, maxsplit=1)[0]
    s = s.strip(" ,;:|-–—*\"'“”„©")
    # a Chinese, Japanese or Korean name may have two characters ("张三"; their scripts have no letter case), and
    # so may a handle the page credits explicitly ("<a href=/author/mh/>mh</a>")
    uncased = any(ch.isalpha() for ch in s) and not any(ch.isupper() or ch.islower() for ch in s)
    if not s or len(s) < (2 if handle_ok or uncased else 3) or len(s) > 60:
        return None
    if handle_ok and " " not in s and _bad_handle(s, site_name):
        return None
    if handle_ok and " " not in s and _DIGIT_RE.search(s):
        return _clean_handle(s, site_name)
    if _NOT_NAME_RE.search(s) or _NOT_NAME2_RE.search(s):
        return None
    if s.lower().strip(". ") in AGENCIES:
        return None
    words = s.split()
    half = len(words) // 2
    if len(words) % 2 == 0 and half and words[:half] == words[half:] and not words[0].endswith("."):
        words = words[:half]  # "Sidney Wiltgen Sidney Wiltgen": an image alt text glued to the name
        s = " ".join(words)
    if len(words) > 5:
        return None
    if uncased and (_CJK_NAME_JUNK_RE.search(s) or any(len(w) > _cjk_name_max(w) for w in words if _CJK_RE.search(w))):
        return None  # "从市政府获悉", "走访了当地居民": a sentence after a lead word, no name
    # the letter-case rules hold for every cased script (Latin, Cyrillic, Greek, Armenian): "иван петров" is no
    # byline either
    has_latin = any(ch.isupper() or ch.islower() for ch in s)
    if has_latin and not any(ch.isupper() for ch in s) and not (handle_ok and len(words) == 1):
        return None
    first = words[0]
    if len(words) > 1 and first.islower() and first.isalpha() and len(first) <= 3 and not _particle(first):
        return None  # "ku Frankfurt": desk abbreviation + dateline place
    if not structured and has_latin and (len(words) < 2 or any(w[0].islower() and not _particle(w) for w in words)):
        return None
    lower = [w.isalpha() and w.islower() and not _particle(w) for w in words]
    if len(words) >= 2 and (lower[0] or (len(words) >= 3 and any(lower))):
        return None  # "Jetzt in der App", "deinen Hochzeitsbloggern": a phrase, not a name
    if site_name and len(_letters(site_name)) >= 3:
        sk, nk = _letters(site_name), _letters(s)
        if nk == sk or sk in nk or (len(nk) >= 4 and sk.endswith(nk)):
            return None  # "ORF at" for news.ORF.at, "MDR THÜRINGEN" for MDR
        first = _letters(words[0])
        if len(words) > 1 and first == sk:
            return None
    if s.isupper() and len(words) >= 2:
        s = " ".join("-".join(p.capitalize() for p in w.split("-")) for w in words)
    return s


# a user handle with digits ("c1ph4", "freeman1984", "Bo2man"): starts with a letter, holds two or more
_HANDLE_RE = re.compile(r"[^\W\d_][\w.\-]{2,29}")


# one-token bylines that are a role, a section or a credit label, not a pen name ("Kolumnist", "Letters")
_NOT_HANDLE_WORDS = frozenset(
    [
        "kolumnist",
        "kolumnistin",
        "columnist",
        "correspondent",
        "korrespondent",
        "korrespondentin",
        "reporter",
        "reporterin",
        "redakteur",
        "redakteurin",
        "journalist",
        "journalistin",
        "fotograf",
        "fotografin",
        "photographer",
        "letters",
        "leserbriefe",
        "leserbrief",
        "opinion",
        "meinung",
        "courtesy",
        "cortesia",
        "cortesía",
        "foto",
        "fotos",
        "photo",
        "photos",
        "video",
        "bild",
        "bilder",
        "quelle",
        "source",
        "news",
        "home",
        "startseite",
        "pressestelle",
        "pressemitteilung",
        "pressemeldung",
        "pressedienst",
        "kategorie",
        "category",
        "archiv",
        "archive",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "montag",
        "dienstag",
        "mittwoch",
        "donnerstag",
        "freitag",
        "samstag",
        "sonntag",
    ]
)


def _bad_handle(s: str, site_name: str | None) -> bool:
    """True when one token ``s`` from author markup is no pen name: a role/section/credit word, a full month
    name (a date: "November"), or one of the site name's words ("Google" of "Google Online Security Blog")
    unless the site is named after a person."""
    low = s.lower().strip(".")
    if low in _NOT_HANDLES or low in _NOT_HANDLE_WORDS:
        return True
    if len(low) >= 6 and low in _MONTHS and not low.startswith("aug"):
        return True
    # "mady" of the site "Mady Morrison - Yoga Lifestyle" is her pen name
    if site_name and not any(_personal_name(p) for p in re.split(r"\s[-–|:]\s", site_name[:200])):
        key = _letters(s)
        return len(key) >= 3 and key in {_letters(w) for w in site_name.split()}
    return False


def _clean_handle(s: str, site_name: str | None) -> str | None:
    """A one-token user handle that holds digits, from explicit author markup (the caller's ``handle_ok``):
    the ordinary name checks reject any digit. Still no desk word, date, e-mail or the site's own name."""
    if not _HANDLE_RE.fullmatch(s) or sum(ch.isalpha() for ch in s) < 2:
        return None
    if s.lower() in _NOT_HANDLES or re.search(r"\d{5}|^(?:kw|q|h)\d|^(?:user|guest|gast|member|anonymous)\d", s, re.I):
        return None
    if site_name and _letters(s) == _letters(site_name):
        return None
    return s


# a byline's trailing team or desk after a dash: "X and Y - Chrome Safe Browsing team", "X – Redaktion Politik"
_TEAM_TAIL_RE = re.compile(
    r"\s[-–—]\s[^-–—]{0,60}\b(?:team|desk|redaktion|ressort|staff|newsroom)\b[^-–—]{0,30}$", re.I
)


# the credit of another medium after the text author's: "Text von A, Illustration von B", "By A; photos by B",
# "A mit Fotos von B": the illustrator or photographer is no author of the text (only the first part is read)
_OTHER_MEDIA_CREDIT_RE = re.compile(
    r"\s*(?:[,;|]\s*|\s(?:mit|with|und|and|&)\s+)(?:illustrations?|illustriert|zeichnungen?|fotos?|fotografie|"
    r"photos?|photography|bilder?|grafiken?|graphics?|kamera|camera|videos?|images?|pictures?)\s*(?:von|by|:)\s",
    re.I,
)


def _split_names(raw: str) -> list[str]:
    """The names of a credit string: the lead ("By", "Von", "编辑：") dropped, a team tail and another medium's
    credit cut, split at commas, "and" words (several languages) and ideographic separators."""
    raw = _norm_ws(raw)
    raw = _NAME_PREFIX_RE.sub("", raw)
    raw = _OTHER_MEDIA_CREDIT_RE.split(raw, maxsplit=1)[0]
    if len(raw) <= 300:
        raw = _TEAM_TAIL_RE.sub("", raw)
    parts = re.split(
        # ideographic and full-width separators ("张三、李四", "山田太郎・鈴木花子", "김철수·이영희"); "and" in
        # Russian, Ukrainian, Greek, Turkish (и, і, та, και, ve); not the Catalan "l·l" in a name ("Marcel·lí")
        r"\s*(?:[、，；／・]|·(?!l)|\b(?:и|і|та|και|ve)\b|"
        r",|;|\band\b|\bund\b|\bet\b|\by\b|\be\b(?!\.)|\bog\b|\boch\b|\ben\b|&|/|\||"
        r"\bim [Gg]espräch mit\b|\bin conversation with\b)\s*",
        raw,
    )
    return [p for p in parts if p.strip()]


def _unflip(name: str) -> str:
    """``Adwan, Marwan H.`` -> ``Marwan H. Adwan`` (one comma between two name parts)."""
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2 and all(parts) and len(parts[0].split()) <= 2 and not _DIGIT_RE.search(name):
        return f"{parts[1]} {parts[0]}"
    return name


_NOT_PERSONAL_FIRST = frozenset({"der", "die", "das", "the", "la", "le", "les", "el", "los", "il", "lo", "de", "het"})


def _personal_name(name: str) -> bool:
    """True for a person-shaped name (2-4 capitalised words, no desk/outlet words): a site named after its author
    ("Wolfgang Schmale" on wolfgangschmale.eu) credits that person, not an organisation."""
    words = _norm_ws(name).split()
    if not 2 <= len(words) <= 4 or words[0].lower() in _NOT_PERSONAL_FIRST:
        return False
    if not all(re.fullmatch(r"[^\W\d_][\w.'’-]*", w) and w[0].isupper() for w in words):
        return False
    return _clean_person(name, None, structured=False) is not None


# one-word "authors" that are desk labels, not pen names
_NOT_HANDLES = frozenset(
    {
        "redaktion",
        "agenturen",
        "admin",
        "administrator",
        "staff",
        "team",
        "editor",
        "gast",
        "name",
        "posted",
        "datum",
        "date",
        "stand",
        "auteurs",
        "auteur",
        "autoren",
        "authors",
        "jobs",
        "anonymous",
        "anonym",
        "guest",
        "newsdesk",
        "text",
        "red",
        "red.",
        # role, desk and placeholder words in other languages (a one-token byline that names no person)
        "webmaster",
        "moderator",
        "sysop",
        "root",
        "user",
        "benutzer",
        "nutzer",
        "member",
        "mitglied",
        "unknown",
        "unbekannt",
        "inconnu",
        "desconocido",
        "sconosciuto",
        "anonyme",
        "anonimo",
        "anónimo",
        "anonim",
        "redacción",
        "redaccion",
        "redazione",
        "rédaction",
        "redaction",
        "redactie",
        "redakcja",
        "redaktionen",
        "toimitus",
        "editors",
        "editorial",
        "newsroom",
        "desk",
        "kommentare",
        "kommentar",
        "comments",
        "comment",
        "leser",
        "leserin",
        "gastautor",
        "gastautorin",
        "gastbeitrag",
        "autor",
        "autorin",
        "author",
        "blog",
        "blogger",
        "support",
        "info",
        "kontakt",
        "contact",
        "presse",
        "press",
        "marketing",
        "service",
        "verlag",
        "publisher",
        "herausgeber",
        "community",
        "system",
    }
)
