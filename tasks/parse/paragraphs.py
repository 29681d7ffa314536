"""Which body paragraphs are boilerplate, for HTML and plain-text articles alike: CMS shortcodes,
"read more" and related lines (their article ids kept), agency end tags (kept as agencies), promotion lines,
reader-comment sections, tail sections, caption and credit lines, subheadings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .agencies import _COPYRIGHT_HOLDER_RE, _DATELINE_RE, _MATERIAL_RE, _agencies_in, _agency_tag, _credit_agencies
from .date_strings import parse_date_string
from .normalise import _dedupe, _letters, _norm_ws

_SHORTCODE_RE = re.compile(
    r"\[/?([a-z][a-z0-9]*(?:[_-][a-z0-9]+)+|[a-z][a-z0-9_-]*(?=\s+[\w-]+\s*=))([^\[\]]{0,400})\]"
)
_SHORTCODE_ID_RE = re.compile(r"https?://[^\s\"'“”″,\]]+|\b\d{3,}\b")

_RELATED_LINE_RE = re.compile(
    r"^(?:lesen sie (?:auch|mehr|hier|dazu)|mehr zum thema|mehr dazu|auch interessant|ebenfalls interessant|"
    r"das könnte sie auch interessieren|weitere artikel|weiterlesen|zum thema|passend zum thema|siehe auch|"
    r"read more|read also|also read|see also|related(?: articles?| stories| coverage)?|more on this|"
    r"recommended|más información|lea también|leia também|à lire aussi|lire aussi|leggi anche|"
    r"les også|læs også|läs också|lue myös|lees ook|čtěte také|přečtěte si také|czytaj też|"
    r"ayrıca bakınız|okumaya devam|lea(?: más| también)?(?=\s*:)|mire(?=\s*:)|vea (?:también|más)|"
    r"ver (?:también|más)|leia mais|veja também|pour (?:lire la suite|accéder)|voir aussi|puedes ver|"
    r"dowiedz się więcej|auch lesen|mehr themen|weitere (?:aktuelle )?themen|top-themen|lust auf mehr|"
    r"vorschau auf den nächsten artikel|das (?:thema|könnte dich) .{0,30}interessieren|"
    r"you (?:may|might) also (?:like|be interested))(?=\W|$)\s*[:>»\-–?]?",
    re.I,
)

_COMMENT_START_RE = re.compile(
    r"^(?:\d+\s+)?(?:kommentare?|leserkommentare|comments?|reader comments|discussion|diskussion|"
    r"liebe leser(?:innen)?(?: und leser)?|dear readers?|kommentar schreiben|kommentieren|"
    r"leave a (?:comment|reply)|write a comment|schreiben sie einen kommentar|join the conversation|"
    r"\d+ antworten|antworten)\s*[:,.!]?\s*(?:\(\d+\))?$|"
    r"^(?:kommentare|comments|antworten|replies)\s+(?:werden geladen|are loading|loading)\W*$|^loading comments\W*$|"
    r"^#?\d+\.?\s+(?:kommentar|comment|antwort|reply|commentaire)\s+(?:von|by|de|di)\s+\S.{0,60}$",
    re.I,
)
# client-side template placeholders ({{#title}}, {{{text}}}) left in the HTML
_TEMPLATE_LINE_RE = re.compile(r"^(?:\{\{\{?[#/^!>&]?\s*[\w.\-]+\s*\}?\}\}\s*)+$")

# widget/promo lines dropped wherever they occur (short lines only)
_PROMO_LINE_RE = re.compile(
    r"^(?:click here (?:to|for)\b|tap here (?:to|for)\b|"
    r"(?:get|download) (?:the|our) [\w .'’-]{1,40} (?:app|newsletter|daily edition)\b|"
    r"czytaj (?:więcej|też|także|również)|zobacz (?:też|także|również)|leggi (?:anche|tutto)|lees (?:ook|meer)|"
    r"hauptinhalt$|zum inhalt(?: springen)?$|skip to (?:main )?content$|main content$|"
    r"\d+ (?:wochen|tage|monate) (?:kostenlos|gratis) (?:testen|lesen)|jetzt (?:kostenlos )?(?:testen|abonnieren)\b|"
    r"(?:start|begin) (?:your|a) free trial\b|subscribe (?:now|today)\b|"
    r"(?:more from|more stories from|most read|meistgelesen|top stories)\b.{0,40}$|more\s*:\s|"
    r"for more stories like this\b|follow [\w .'’-]{2,40} on (?:twitter|facebook|instagram|x)\b|"
    r"(?:photo|foto|bild|image|credit)s?\s*:\s*\S.{0,50}$|thanks? (?:you )?for (?:signing up|subscribing)\b|"
    r"keep an eye on your inbox\b|there was an error processing your subscription|"
    r"an error (?:has )?occurred,? please try again|order reprints$|print article$|"
    r"this copy is for your personal,? non-commercial use|write to [\w .'’-]{2,60} at \S+@\S+$|"
    r"never miss (?:the latest|a story)|sign up (?:for|to) (?:our|the) .{0,30}newsletter|"
    r"mit unserem newsletter|abonnieren sie (?:unseren|den) newsletter|bild anzeigen$|weiter$|"
    r"(?:getty images|imago images|picture alliance|shutterstock|istock(?:photo)?)$|"
    r"(?:anzeige|advertisement|werbung|sponsored|publicidad|pubblicità)\b\s*[-:–.]|\*?werbung\.|"
    r"this (?:post|article) contains (?:references to products|affiliate links)|"
    r"for the latest (?:stories|news)\b.{0,60}\b(?:download|app|follow)|sign up to get\b|"
    r"(?:titelbild|title image|credit)\s*:\s*\S{0,60}$|(?:image illustrative|symbolbild)\W*$|inhaltsverzeichnis$|"
    r"table of contents$|alle angaben ohne gewähr\W*$|hazte miembro\b|"
    r"(?:datenschutz(?:erklärung|hinweise)?(?:- und nutzungsbedingungen)?|privacy policy|terms of (?:use|service)|"
    r"impressum|nutzungsbedingungen|cookie-?einstellungen|cookie settings)\W*$|"
    r"(?:abbildung|abb\.|figure|fig\.)\s*\d+\s*[:.]\s|(?:\.{3}|…)?\s*weiter zu\b|"
    r"sign up for\b.{0,80}\b(?:newsletter|updates|alerts)\b|subscribe to (?:the|our)\b.{0,40}\bnewsletter\b|"
    r"(?:follow|folgen sie|folgt|folgst du)\b.{0,50}\b(?:on|auf) (?:google news|whatsapp|telegram|twitter|facebook|"
    r"instagram|x)\b|(?:wie )?hat ihnen (?:dieser|der) (?:artikel|beitrag|text) gefallen|"
    r"if you (?:enjoyed|liked) this (?:article|story|post)\b|(?:ihre|deine) meinung ist uns wichtig|"
    r"get in touch with (?:our|the)\b.{0,30}\bteam|unabhängiger journalismus braucht|tell us what you think\b|"
    r"(?:like this story\W+)?share (?:it|this(?: story| article)?) with (?:a friend|your friends)|"
    r"this is a (?:breaking|developing) (?:news? )?story|follow along with the latest updates\b|"
    r"updated at \d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?\W*$|"
    r"(?:read|lest|lesen sie) (?:the|den) original(?:artikel| article)\b|"
    r"(?:see more|read next|also on \S+\.\w{2,4})\s*:?\s)",
    re.I,
)
# lines that start the page furniture after the article: everything from here on is dropped ("Dieses Thema im
# Programm:" closes the articles of ARD broadcasters' sites: tagesschau.de and mdr.de pages in the dev corpus)
_TAIL_START_RE = re.compile(
    r"^(?:join (?:our|the) (?:commenting|conversation|discussion|debate)\b|got a story\?|"
    # an editorial-standards notice closing the article ("Our Standards: …", "Editorial standards: …")
    r"(?:our|editorial) (?:standards|guidelines|principles|ethics(?: policy)?)\s*:|"
    r"(?:presse)?kontakt\s*:|media contacts?\s*:|press contacts?\s*:|"
    r"(?:über (?:den|die) autor(?:in)?|about the author|zur person|originalpublikation|original publication)\W*$|"
    r"(?:sie müssen|du musst|you must be) .{0,40}(?:angemeldet|eingeloggt|logged in).{0,40}(?:kommentar|comment)|"
    r"dieses thema im programm\s*:|(?:etiketler|tags?|schlagw(?:ö|oe)rter|stichw(?:ö|oe)rter|mots[- ]clés|"
    r"etiquetas|tagi|ämnen|emner|onderwerpen)\s*:|ähnliche(?: artikel| beiträge)?\s*:|"
    r"(?:informieren sie sich|testen sie)\b.{0,120}\b(?:(?:zwei|drei|vier|\d+) wochen|gratis|kostenlos))",
    re.I,
)

_TAG_LABEL_RE = re.compile(
    r"^(?:kategorien|categories|temas|themen|schlagworte|schlagwörter|etiquetas|tags|stichworte)\W*$", re.I
)

_DATE_LINE_RE = re.compile(
    r"^(?:published|updated|posted|last updated|first published|veröffentlicht|aktualisiert|erstellt|stand|"
    r"publié|mis à jour|publicado|actualizado|pubblicato|aggiornato)\b(?:\s+(?:am|on|le|el|il))?\s*:?\s*\S",
    re.I,
)

# a rule line ("___", "* * *") that news agencies put between the story and its credits/notes
_SEPARATOR_LINE_RE = re.compile(r"^[_*=~\-–—•·\s]{3,}$")
# contributor credits after the story: "Reporting by X; Editing by Y", "Übersetzung: X, Redaktion: Y",
# "Associated Press writers X and Y contributed to this report", "Aus dem Englischen von X"
_CREDIT_LINE_RE = re.compile(
    r"^(?i:(?:additional |with )?reporting by|writing by|editing by|edited by|translated by|translation\s*:|"
    r"(?:übersetzung|redaktion|schlussredaktion|mitarbeit|recherche)\s*:|"
    r"aus dem (?:englischen|französischen|amerikanischen|spanischen|italienischen|russischen) (?:übersetzt )?von)"
    r"\s*[A-ZÄÖÜ]|^(?i:(?:the )?associated press (?:writers?|reporters?|correspondents?)\b.{0,300}\bcontributed\b)"
)
# a copyright notice line: "Copyright ©2019 Dow Jones", "© The Financial Times Ltd. 2024"
_COPYRIGHT_LINE_RE = re.compile(r"^(?:©|\(c\)\s|copyright\s*(?:©|\(c\)|\d{4}|:))", re.I)

# an image caption or credit that the extractor kept as a paragraph: it ends with the credit
# ("... © ZUMA Press Wire / Imago Images", "... Photograph by X/AFP/Getty Images", "(Credit: X / Grist)")
_CAPTION_CREDIT_RE = re.compile(
    r"(?:©|\((?:photo|foto|bild|image)s?\s*:|\b(?:photo(?:graph)?s?|fotos?|bild|image|credit)\s*(?:by\s|:)\s*)"
    r"[^.!?]{2,80}\)?$",
    re.I,
)

# a caption that names who is in the picture: "Pictured left, ...", "Pictured: ...", "Im Bild: ..."
_PICTURED_RE = re.compile(
    r"^(?:pictured|im bild|auf dem bild|on the photo|en la (?:foto|imagen)|sur la photo)\b\s*"
    r"(?:[:,]|(?:left|right|above|below|here|from left|at the back|in front|links|rechts|von links)\b)",
    re.I,
)

# the label of an embedded video: its description ending in "date | duration" ("... 18.04.2024 | 0:21 min")
_VIDEO_LABEL_RE = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{2,4}\s*\|\s*\d{1,2}:\d{2}\s*min\W*$")

# a byline line at the top of the text: "Von Anna Muster, Frankfurt", "By Jane Doe and John Roe"
_BYLINE_PARA_RE = re.compile(r"^(?i:von|by|par|por|door|av|di|written by)(?:\s*:)?\s+[A-ZÄÖÜÀ-Þ][^.!?]{1,70}$")
# reading-time labels: "Lesedauer: 4 Minuten", "3 Minuten Lesezeit", "Tempo de leitura: 2 minutos", "5 min read"
_READING_TIME_RE = re.compile(
    r"^(?:(?:lesedauer|lesezeit|reading time|read time|tempo de leitura|tiempo de lectura|temps de lecture|"
    r"tempo di lettura)\s*:?\s*(?:ca\.\s*)?\d+\s*\w*|(?:ca\.\s*)?\d+\s*(?:min\.?|minuten?|minutes?|minutos?|minuti)\s*"
    r"(?:lesezeit|lesedauer|read|reading time|de leitura|de lectura|de lecture|di lettura))\W*$",
    re.I,
)

# possessive: "Ihre" + 10,000 tabs backtracked over every split of the whitespace run (10 s for one paragraph)
_SIGNOFF_RE = re.compile(
    r"^(?:ihre?|your|the)\s++(.{2,60}?)\s*+[-–—]?\s*+(?:redaktion|team|editors?|newsroom)\s*$", re.I
)

_CREDIT_RE = re.compile(
    r"(?:^|(?<=[\s.!?)(\]“”\"']))\s*(?:(?:Fotos?|Bild(?:er)?|Photos?|Images?|Credits?|Quelle|Source|Grafik|Video|Illustration)"
    r"\s*:\s*|©\s*|\(c\)\s*|Copyright\s+)(.+)$",
)


def split_credit(caption: str) -> tuple[str | None, str | None]:
    """Split ``'Text.Foto: X/AP/dpa'`` into ``('Text.', 'X/AP/dpa')`` (Foto/Bild/Photo/©/Credit ...)."""
    caption = _norm_ws(caption)
    if not caption:
        return None, None
    m = _CREDIT_RE.search(caption)
    if not m:
        return caption, None
    credit = m.group(1).strip(" ()|")
    text = caption[: m.start()].rstrip(" (|")
    return (text or None), (credit or None)


def _strip_shortcodes(text: str, related: list[str]) -> str:
    def repl(m: re.Match[str]) -> str:
        name, attrs = m.group(1), m.group(2) or ""
        if re.search(r"related|post|article|read|teaser|embed|link|ids?\b", name + " " + attrs, re.I):
            related.extend(_SHORTCODE_ID_RE.findall(attrs))
        return " "

    return _SHORTCODE_RE.sub(repl, text)


def clean_paragraphs(
    paragraphs: list[str],
    captions: Iterable[str] = (),
    site_name: str | None = None,
) -> dict[str, Any]:
    """Apply general news-body cleanup to a list of paragraphs.

    Removes CMS shortcodes (``[name attr=...]``; ids/URLs in related-type shortcodes go to
    ``related_ids``), "read more"/"Lesen Sie auch" link lines, a reader-comment section and everything
    after it, a byline line among the first paragraphs ("Von Anna Muster", "By Jane Doe"), editorial
    sign-offs ("Ihre X-Redaktion"), trailing agency tags such as ``(afp/dpa/red)`` and
    "Mit Material von ..." lines (agencies collected), paragraphs that repeat an image caption/credit or end
    with a photo credit, contributor credits ("Reporting by X") and copyright notices.
    Returns ``{"paragraphs", "agencies", "related_ids", "signoff"}``.
    """
    related: list[str] = []
    agencies: list[str] = []
    signoff: str | None = None
    cap_set = {k for k in (_letters(c) for c in captions if c) if len(k) >= 12}
    out: list[str] = []
    n = len(paragraphs)
    for i, p in enumerate(paragraphs):
        if "[" in p:
            p = _norm_ws(_strip_shortcodes(p, related))
        p = p.strip()
        if not p:
            continue
        if _COMMENT_START_RE.match(p) and (i >= n * 0.4 or i >= 3):
            # reader-comment section: everything from here on is not article text
            rest = paragraphs[i + 1 :]
            for r in rest:
                sm = _SIGNOFF_RE.match(r.strip())
                if sm:
                    signoff = sm.group(1)
            break
        sm = _SIGNOFF_RE.match(p)
        if sm and len(p) < 80:
            signoff = sm.group(1)
            continue
        if _RELATED_LINE_RE.match(p) and len(p) < 250:
            continue
        if len(out) < 3 and len(p) < 80 and _BYLINE_PARA_RE.match(p) and len(p.split()) <= 12:
            agencies.extend(_credit_agencies(p))  # "Por Agencia EFE", "Von Max Muster, dpa"
            continue
        if len(p) < 50 and _READING_TIME_RE.match(p):
            continue
        if len(p) < 400 and (_PICTURED_RE.match(p) or _VIDEO_LABEL_RE.search(p)):
            continue
        if len(out) < 3 and len(p) <= 60 and len(re.findall(r"[^\W\d_]{4,}", p)) <= 3 and parse_date_string(p):
            continue  # a date line above the text ("05.08.2024, 20:59 Uhr", "30. Januar 2024")
        if p.startswith("{{") and _TEMPLATE_LINE_RE.match(p):
            continue
        if len(p) < 200 and _PROMO_LINE_RE.match(p):
            continue
        if len(p) < 300 and _CREDIT_LINE_RE.match(p):
            continue
        if i < n - 1 and len(p) < 250 and (_COPYRIGHT_LINE_RE.match(p) or _CAPTION_CREDIT_RE.search(p)):
            continue  # (a final copyright line is read for agencies below)
        if _SEPARATOR_LINE_RE.match(p):
            if i >= 2 and n - i <= 4:
                break  # "___" before the last few lines: the story ends here, notes and credits follow
            continue
        if i >= 2 and i >= n * 0.5 and len(p) < 400 and _TAIL_START_RE.match(p):
            break
        if i >= 2 and _TAG_LABEL_RE.match(p) and all(len(x) < 80 for x in paragraphs[i + 1 :]):
            break  # "Kategorien" / "Temas" followed only by short labels: a tag or category list
        if len(p) < 90 and _DATE_LINE_RE.match(p) and parse_date_string(p):
            continue
        if cap_set and _letters(p) in cap_set:
            continue
        mm = _MATERIAL_RE.search(p) if len(p) < 200 else None
        if mm:
            found = _agencies_in(mm.group(1))
            if found and (len(p) < 120 or mm.start() > len(p) - 130):
                if i >= n - 3 or not re.match(r"(?i:quellen?|source)\s*:", mm.group(0)):
                    # (a "Quelle: AFP" line amid the text is a picture's or a chart's source, not the text's)
                    agencies.extend(found)
                rest_text = p[: mm.start()].strip()
                if not rest_text:
                    continue
                p = rest_text
        out.append(p)
    # a final "Quelle: ntv.de" / "Source: X" line names the source, it is not article text
    if out and len(out[-1]) < 80 and re.match(r"^(?:quellen?|source)\s*:", out[-1], re.I):
        agencies.extend(_agencies_in(out[-1].split(":", 1)[1]))
        out.pop()
    # a final copyright/credit line "© dpa-infocom, dpa:230428-99-483045/5", "© 2024 The Associated Press. All
    # rights reserved.": its holder is the text's agency (a longer one, "Copyright © AFP 2017-2026. Für die
    # kommerzielle Nutzung ...", is read for its first sentence and stays)
    if out and re.match(r"^(?:©|\(c\)|copyright\b)", out[-1], re.I):
        first = out[-1] if len(out[-1]) <= 120 else re.split(r"(?<=[.!?])\s", out[-1][:300], maxsplit=1)[0]
        if len(first) <= 120:
            agencies.extend(
                _agencies_in(re.sub(r"[:\d/-]+", " ", first.lstrip("©").strip()))
                or _agencies_in(_COPYRIGHT_HOLDER_RE.sub("", first.split(". ")[0].rstrip(".")))
            )
            if first is out[-1]:
                out.pop()
    # a final source tag "MDR (dst)": outlet + editor initials
    if out and len(out[-1]) <= 30 and re.fullmatch(r"[\w.\- ]{2,20}\s*\([a-z]{2,4}\)", out[-1]):
        agencies.extend(_agencies_in(out[-1].split("(")[0]))
        out.pop()
    # trailing agency tags: last paragraphs only
    tagged = False
    while out:
        tag = _agency_tag(out[-1])
        if not tag:
            break
        tagged = True
        rest_text, found = tag
        agencies = found + agencies
        if rest_text:
            out[-1] = rest_text
            break
        out.pop()
    if not tagged:
        # the story's tag before a note or two ("... hieß es. (FR mit dpa)", "*fr.de ist Teil des ...
        # Redaktionsnetzwerks", "Rubriklistenbild: © KCNA/dpa"): the story's last paragraph carries it
        for k in (2, 3):
            if len(out) <= k or any(len(x) >= 120 for x in out[-k + 1 :]):
                break
            tag = _agency_tag(out[-k])
            if tag and tag[1] and tag[0]:
                out[-k] = tag[0]
                agencies = tag[1] + agencies
                break
    # dateline at the start: "BERLIN (dpa) - ..."
    if out:
        m = _DATELINE_RE.match(out[0])
        if m:
            found = _agencies_in(m.group(1))
            if found:
                agencies = found + agencies
    return {
        "paragraphs": out,
        "agencies": _dedupe(agencies),
        "related_ids": _dedupe(related),
        "signoff": signoff,
    }


def _is_subheading(p: str) -> bool:
    if len(p) > 120 or len(p) < 3:
        return False
    if p[-1] in ".!?:;,…\"“”»«'’)" or p[-1] == "]":
        return False
    words = p.split()
    return (1 <= len(words) <= 15 and p[0].isupper()) or p[0].isdigit()
