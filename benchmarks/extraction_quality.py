"""Extraction quality of the parse stage vs. trafilatura alone, on the shared evaluation corpus.

Usage::

    python benchmarks/extraction_quality.py [--corpus DIR] [--limit N] [--workers W] [--out FILE]
        [--no-baseline] [--baseline-comments] [--source PREFIX] [--compare EARLIER.jsonl] [--studied IDS]

The corpus directory (default ``../shared/corpus/extraction/dev`` next to the repo, or ``$NEWSFLOW_CORPUS``)
holds ``<id>.html.gz`` and ``ground_truth.jsonl``; when it is absent the script prints a message and exits 0.

Both systems run in the same process on the same bytes:

* ours: ``tasks.parse.parse_html(bytes, url)``; scored text = teaser + body (teaser left out when the body
  already starts with it).
* trafilatura: ``trafilatura.bare_extraction`` with default settings and ``with_metadata=True``; its text
  is the main text ``trafilatura.extract`` returns with defaults; the comment section that ``extract``
  appends by default (``include_comments=True``) is added only with ``--baseline-comments`` (without it the
  figures reproduce the corpus README baselines); title/date/author are its metadata fields.

Metrics (as in the corpus README):

* body P/R/F1 on full-body pages (Zyte/ScrapingHub method): word 4-gram shingles over ``\\w+`` tokens,
  case-sensitive, per-page multiset overlaps normalised to sum to 1; precision averaged over pages with
  output, recall over pages with reference, F1 from the two means;
* snippet P/R/F1 on snippet pages: ``with`` snippets found = TP, missing = FN; ``without`` snippets found =
  FP, absent = TN (substring tests after :func:`norm`: whitespace collapsed, invisible soft hyphens and
  zero-width characters removed), micro-averaged;
* title exact match (whitespace + case normalised), date same ``YYYY-MM-DD``, authors mean set F1 — each
  over the pages whose ground truth has the field; author names are compared after NFKC, case folding,
  dropping a leading "By"/"Von" and ignoring punctuation (:func:`norm_name`); only ``authors`` count
  (``agencies`` are a separate field, so agency-only ground truth stays a miss);
* date: our ``published_at`` is UTC, the ground truth is the calendar day the page shows (its local day), so
  our day is ``published_at + published_offset_min`` when the page stated an offset and the UTC day otherwise
  (a page at ``2026-07-10T00:50+02:00`` was published on 2026-07-10 for its readers, 2026-07-09 in UTC);
  trafilatura's date is already the page's local day;
* credits (the users' view of authors): ``authors_f1`` above scores ``authors`` alone; ``credits_f1`` is the set F1
  of our authors and agencies together against every name the ground truth credits, agencies compared as canonical
  codes (:func:`credit_keys`), and ``persons_f1`` our authors against the ground truth's persons only
  (:func:`is_person_credit`: no agency, outlet or desk), over the pages whose ground truth names a person;
* ground truth: ``ground_truth.corrections.jsonl`` beside it (values corrected with page evidence) is applied first;
* leave-sites-out: pages fall into 5 folds by a stable hash of their site (:func:`site_fold`); the table after the
  main one shows each figure per fold, and with ``--compare EARLIER.jsonl`` the gain of a change per fold and, with
  ``--studied ID,...`` (or ``@file``), on pages of the sites not studied when the change was written;
* comment leak: share of pages with ``comments_snippets`` where one of them appears in the output;
* agencies (ours only; trafilatura has no such field, its cells print ``-``). No corpus field lists wire
  agencies, but some ground-truth ``authors`` credit one ("Associated Press", "dsw / DPA", "APA/AP", "Agencia
  EFE", "AFP, MANILA", "FR mit dpa", "Anadolu Ajansı"). :func:`agency_codes` maps such strings to canonical
  codes with the table the parser itself uses (``tasks.parse.AGENCIES``): every run of one to three tokens
  (split at whitespace and ``/ , ; ( ) [ ] : |``) that is a key of the table; a single token must be the
  canonical spelling ("dpa", "Reuters"), all capitals ("DPA", "JIJI") or capitalised from four letters
  ("Anadolu"), so common words ("pa", "Pa", "tt") are not read as agencies.

  - agency recall: per page, the share of the ground truth's agencies that our ``agencies`` field holds,
    averaged over the pages whose ground-truth authors name at least one agency;
  - agency precision (a proxy; no ground truth lists every agency of a page): on full-body pages whose
    ground truth lists authors (fundus; the zyte pages have no author field, so a byline "By Reuters" would
    go unseen there) an agency we report counts as supported when the ground-truth authors or the
    ground-truth body (the article text a reader sees: no photo credits, teasers or comments) name it, as
    read by :func:`agency_codes`; micro-averaged over all agencies we report on those pages. An unsupported
    agency is a suspect, not a proven error (an end tag "(Quelle: APA/dpa)" or a meta-only credit that the
    ground truth leaves out counts against us), so the figure is a lower bound on precision;
* speed: pages per CPU-second (``time.process_time`` around each call, summed over workers).

Per-page scores go to ``benchmarks/out/extraction_quality.jsonl``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable
from datetime import timedelta
from multiprocessing import Pool
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DEFAULT_CORPUS = Path(os.environ.get("NEWSFLOW_CORPUS", REPO.parent / "shared" / "corpus" / "extraction" / "dev"))
DEFAULT_OUT = REPO / "benchmarks" / "out" / "extraction_quality.jsonl"

_TOKEN_RE = re.compile(r"\w+", re.UNICODE)
_WS = re.compile(r"\s+")


# ---------------------------------------------------------------------------------------------------------
# scoring
# ---------------------------------------------------------------------------------------------------------


def shingles(text: str | None, n: int = 4) -> Counter[str]:
    tokens = _TOKEN_RE.findall(text or "")
    return Counter(" ".join(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def shingle_match(true: str, pred: str) -> tuple[float, float, float]:
    """(tp, fp, fn) normalised to sum to 1, as in the article-extraction-benchmark."""
    t, p = shingles(true), shingles(pred)
    tp = fp = fn = 0.0
    for key in set(t) | set(p):
        tc, pc = t.get(key, 0), p.get(key, 0)
        tp += min(tc, pc)
        fp += max(0, pc - tc)
        fn += max(0, tc - pc)
    s = tp + fp + fn
    if s > 0:
        tp, fp, fn = tp / s, fp / s, fn / s
    return tp, fp, fn


_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))


def norm(s: str | None) -> str:
    """Whitespace collapsed; invisible characters (soft hyphen, zero-width space/joiners, BOM) removed, as a
    reader sees the text (both systems and the ground truth go through this)."""
    return _WS.sub(" ", (s or "").translate(_INVISIBLE)).strip()


_NAME_PREFIX = re.compile(r"^(?:by|von|par|por|door|autor(?:in)?|author)\b\s*:?\s*", re.I)
_NON_WORD = re.compile(r"[\W_]+")


def norm_name(s: str | None) -> str:
    """Name normalisation for the author score: Unicode NFKC, case-folded, a leading "By"/"Von" dropped,
    punctuation ignored ("Günter W. Kienitz" = "Günter W Kienitz", "Rodolfo Costa." = "Rodolfo Costa")."""
    s = unicodedata.normalize("NFKC", norm(s))
    s = _NAME_PREFIX.sub("", s)
    return _NON_WORD.sub(" ", s).strip().casefold()


def _author_list(raw: Any) -> list[str]:
    """The ground truth's author names: a list as given, a string split at ``; , und and &``."""
    if not raw:
        return []
    return list(raw) if isinstance(raw, list) else re.split(r"\s*(?:;|,|\bund\b|\band\b|&)\s*", str(raw))


def _split_authors(raw: Any) -> set[str]:
    return {norm_name(x) for x in _author_list(raw) if norm_name(x)}


def set_f1(pred: Iterable[str], true: set[str]) -> float:
    """Set F1 of the names ``pred`` (normalised with :func:`norm_name`) against the normalised names ``true``."""
    return _key_f1({norm_name(x) for x in pred if norm_name(x)}, true)


_DESK_RE = re.compile(
    r"\b(?:redaktion|redaktionen|newsroom|staff|desk|team|editorial|editors?|online|agentur|agency|presse|press"
    r"|nachrichten|news)\b",
    re.I,
)


def credit_keys(names: Iterable[str], agencies: Iterable[str] = ()) -> set[str]:
    """The credited names of a page as comparable keys: a name that names wire agencies ("Associated Press",
    "dsw / DPA", "AFP, MANILA") becomes ``agency:<code>`` keys (:func:`agency_codes`), any other name its
    :func:`norm_name`; ``agencies`` are our agency codes."""
    keys: set[str] = {f"agency:{code}" for code in agencies}
    for name in names:
        codes = agency_codes(name)
        if codes:
            keys |= {f"agency:{code}" for code in codes}
        elif norm_name(name):
            keys.add(norm_name(name))
    return keys


def is_person_credit(name: str, gt: dict[str, Any]) -> bool:
    """A ground-truth author that names a person: not a wire agency, not the outlet (its publisher name or its
    domain's label) and no desk ("Redaktion", "Newsroom", "Staff", "Team" ...)."""
    key = norm_name(name)
    if not key or agency_codes(name) or _DESK_RE.search(name):
        return False
    outlet = {norm_name(gt.get("fundus_publisher") or "")}
    host = (urlsplit(gt.get("url") or "").hostname or "").removeprefix("www.")
    outlet |= {norm_name(host.split(".")[0]), norm_name(host.rsplit(".", 1)[0])}
    return key.replace(" ", "") not in {o.replace(" ", "") for o in outlet if o}


def _key_f1(pred: set[str], true: set[str]) -> float:
    if not pred and not true:
        return 1.0
    inter = len(pred & true)
    if not inter:
        return 0.0
    prec, rec = inter / len(pred), inter / len(true)
    return 2 * prec * rec / (prec + rec)


def score(
    gt: dict[str, Any],
    text: str,
    title: str | None,
    date: str | None,
    authors: list[str],
    agencies: list[str] | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if gt["gt_type"] == "body":
        out["shingle"] = shingle_match(gt["body"], text)
    else:
        t = norm(text)
        w = [norm(s) for s in gt.get("with") or []]
        wo = [norm(s) for s in gt.get("without") or []]
        out["snip"] = [
            sum(s in t for s in w),
            sum(s in t for s in wo),
            sum(s not in t for s in w),
            sum(s not in t for s in wo),
        ]  # tp, fp, fn, tn
    if gt.get("title"):
        out["title_ok"] = norm(title).casefold() == norm(gt["title"]).casefold()
    if gt.get("published"):
        out["date_ok"] = bool(date) and date == str(gt["published"])[:10]
    if gt.get("authors"):
        out["authors_f1"] = set_f1(authors, _split_authors(gt["authors"]))
        gt_names = _author_list(gt["authors"])
        # the page's credits: our authors and agencies against every name the ground truth credits
        out["credits_f1"] = _key_f1(credit_keys(authors, agencies or ()), credit_keys(gt_names))
        persons = {norm_name(n) for n in gt_names if is_person_credit(n, gt)}
        if persons:  # pages that credit only an outlet, desk or agency have no person to find
            out["persons_f1"] = _key_f1({norm_name(a) for a in authors if norm_name(a)}, persons)
    if gt.get("comments_snippets"):
        t = norm(text)
        out["comment_leak"] = any(norm(s) in t for s in gt["comments_snippets"] if norm(s))
    return out


_AGENCY_SPLIT_RE = re.compile(r"[\s/,;()\[\]:|]+")


def agency_codes(text: str | list[str] | None) -> set[str]:
    """Canonical agency codes that ``text`` (a credit string, a list of them or a whole article text) names,
    read with the parser's own table (``tasks.parse.AGENCIES``): each run of 1-3 tokens that is a key; one
    token must be spelled as the canonical code ("dpa", "Reuters"), in capitals ("DPA", "JIJI") or, from four
    letters, capitalised ("Anadolu"): common words ("pa", "Pa", "tt") are no agency."""
    from tasks.parse import AGENCIES

    if not text:
        return set()
    items = text if isinstance(text, list) else [text]
    codes: set[str] = set()
    for item in items:
        toks = [t.strip(".-'\"’“”«»") for t in _AGENCY_SPLIT_RE.split(str(item))]
        toks = [t for t in toks if t]
        for i in range(len(toks)):
            for n in (1, 2, 3):
                if i + n > len(toks):
                    break
                phrase = " ".join(toks[i : i + n])
                code = AGENCIES.get(phrase.lower())
                if code is None:
                    continue
                if n == 1 and phrase != code and not phrase.isupper() and (len(phrase) < 4 or phrase.islower()):
                    continue
                codes.add(code)
    return codes


def agency_scores(gt: dict[str, Any], ours: list[str]) -> dict[str, Any]:
    """Per-page agency scores: ``agency_recall`` (pages whose ground-truth authors name an agency) and
    ``agency_support`` = [supported, reported] (full-body pages with ground-truth authors; see the module
    docstring)."""
    out: dict[str, Any] = {}
    reported = set(ours)
    gt_codes = agency_codes(gt.get("authors"))
    if gt_codes:
        out["agency_recall"] = len(gt_codes & reported) / len(gt_codes)
    if gt["gt_type"] == "body" and gt.get("authors"):
        named = gt_codes | agency_codes(gt.get("body"))
        out["agency_support"] = [len(reported & named), len(reported)]
    return out


# ---------------------------------------------------------------------------------------------------------
# ground truth and folds
# ---------------------------------------------------------------------------------------------------------

FOLDS = 5


def site_fold(gt: dict[str, Any]) -> int:
    """The leave-sites-out fold (0-4) of a page: a stable hash of its site (the record's ``group``: the fundus
    publisher or the host, ``www.`` dropped), so that every page of one site falls in one fold."""
    site = str(gt.get("group") or urlsplit(gt.get("url") or "").hostname or gt["id"]).removeprefix("www.")
    return int(hashlib.sha256(site.encode()).hexdigest(), 16) % FOLDS


def load_records(corpus: Path) -> tuple[list[dict[str, Any]], int]:
    """The ground-truth records with ``ground_truth.corrections.jsonl`` applied (each line: ``id``, ``field``,
    ``new``; a ``new`` of null removes the field from scoring), and the number of corrections applied."""
    records = [json.loads(line) for line in (corpus / "ground_truth.jsonl").read_text("utf-8").splitlines() if line]
    by_id = {r["id"]: r for r in records}
    applied = 0
    fixes = corpus / "ground_truth.corrections.jsonl"
    if fixes.exists():
        for line in fixes.read_text(encoding="utf-8").splitlines():
            if line.strip():
                fix = json.loads(line)
                if fix["id"] in by_id:
                    by_id[fix["id"]][fix["field"]] = fix["new"]
                    applied += 1
    return records, applied


def print_folds(rows: list[dict[str, Any]], before: list[dict[str, Any]] | None, studied: set[str]) -> None:
    """Leave-sites-out: each metric of ours per fold of sites; with ``before`` (an earlier run's per-page rows)
    the change's gain per fold, on all pages, and on pages of sites not among ``studied`` (page ids whose sites
    the rules were written on): a rule that gains only where it was studied is noise."""
    keys = ["body_f1", "snip_f1", "title", "date", "credits_f1", "persons_f1", "comment_leak"]
    sites = {r["site"] for r in rows if r["id"] in studied}
    groups = [(f"fold {k}", [r for r in rows if r["fold"] == k]) for k in range(FOLDS)]
    groups.append(("all", rows))
    if studied:
        groups.append(("unstudied sites", [r for r in rows if r["site"] not in sites]))
    old = {r["id"]: r for r in before or []}
    label = "gain vs before" if before else "ours"
    print(f"\nleave-sites-out ({FOLDS} folds by site; {label}):")
    print(f"{'group':<16}{'pages':>6}" + "".join(f"{k:>13}" for k in keys))
    for name, sub in groups:
        now = aggregate(sub, "ours")
        cells = []
        for k in keys:
            if before:
                prev = aggregate([old[r["id"]] for r in sub if r["id"] in old], "ours")
                v = None if now[k] is None or prev[k] is None else now[k] - prev[k]
                cells.append("-" if v is None else f"{v:+.3f}")
            else:
                cells.append(_fmt(now[k]))
        print(f"{name:<16}{len(sub):>6}" + "".join(f"{c:>13}" for c in cells))


# ---------------------------------------------------------------------------------------------------------
# running
# ---------------------------------------------------------------------------------------------------------


def scoring_text(result: dict[str, Any]) -> str:
    body = result.get("body") or ""
    teaser = result.get("teaser") or ""
    if teaser and not norm(body).startswith(norm(teaser)):
        return teaser + "\n\n" + body
    return body


def run_ours(data: bytes, url: str | None) -> tuple[dict[str, Any], float]:
    from tasks.parse import parse_html

    t0 = time.process_time()
    result = parse_html(data, url)
    cpu = time.process_time() - t0
    pub = result.get("published_at")
    if pub is not None and result.get("published_offset_min") is not None:
        pub = pub + timedelta(minutes=result["published_offset_min"])  # the page's local calendar day
    return {
        "text": scoring_text(result),
        "title": result.get("title"),
        "date": pub.strftime("%Y-%m-%d") if pub else None,
        "authors": result.get("authors") or [],
        "agencies": result.get("agencies") or [],
    }, cpu


def run_trafilatura(data: bytes, url: str | None) -> tuple[dict[str, Any], float]:
    import trafilatura

    t0 = time.process_time()
    doc = trafilatura.bare_extraction(data, url=url, with_metadata=True)
    cpu = time.process_time() - t0
    if doc is None:
        return {"text": "", "title": None, "date": None, "authors": []}, cpu
    text = doc.text or ""
    if doc.comments and _BASELINE_COMMENTS:
        text = text + "\n" + doc.comments
    authors = [a for a in re.split(r"\s*;\s*", doc.author or "") if a]
    return {"text": text, "title": doc.title, "date": (doc.date or "")[:10] or None, "authors": authors}, cpu


_CORPUS: Path = DEFAULT_CORPUS
_BASELINE = True
_BASELINE_COMMENTS = False


def _init(corpus: Path, baseline: bool, baseline_comments: bool = False) -> None:
    global _CORPUS, _BASELINE, _BASELINE_COMMENTS
    _CORPUS, _BASELINE, _BASELINE_COMMENTS = corpus, baseline, baseline_comments


def evaluate_page(gt: dict[str, Any]) -> dict[str, Any]:
    data = gzip.decompress((_CORPUS / f"{gt['id']}.html.gz").read_bytes())
    row: dict[str, Any] = {
        "id": gt["id"],
        "source": gt["source"],
        "language": gt.get("language"),
        "site": gt.get("group"),
        "fold": site_fold(gt),
    }
    systems = [("ours", run_ours)] + ([("trafilatura", run_trafilatura)] if _BASELINE else [])
    for name, fn in systems:
        try:
            out, cpu = fn(data, gt.get("url"))
            error = None
        except Exception as exc:  # a crash counts as empty output
            out, cpu, error = {"text": "", "title": None, "date": None, "authors": []}, 0.0, repr(exc)
        row[name] = score(gt, out["text"], out["title"], out["date"], out["authors"], out.get("agencies"))
        row[name].update(cpu_s=cpu, has_output=bool(norm(out["text"])), error=error)
        row[name]["title"] = out["title"]
        row[name]["date"] = out["date"]
        row[name]["authors"] = out["authors"]
        if "agencies" in out:
            row[name].update(agency_scores(gt, out["agencies"]))
            row[name]["agencies"] = out["agencies"]
    return row


# ---------------------------------------------------------------------------------------------------------
# aggregation
# ---------------------------------------------------------------------------------------------------------


def _mean(xs: list[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def aggregate(rows: list[dict[str, Any]], system: str) -> dict[str, Any]:
    res = [r[system] for r in rows if system in r]
    prec, rec = [], []
    for s in res:
        if "shingle" in s:
            tp, fp, fn = s["shingle"]
            if tp + fp > 0:
                prec.append(tp / (tp + fp))
            if tp + fn > 0:
                rec.append(tp / (tp + fn))
    p, r = _mean(prec), _mean(rec)
    f1 = 2 * p * r / (p + r) if p is not None and r is not None and p + r > 0 else None
    tp = sum(s["snip"][0] for s in res if "snip" in s)
    fp = sum(s["snip"][1] for s in res if "snip" in s)
    fn = sum(s["snip"][2] for s in res if "snip" in s)
    sp = tp / (tp + fp) if tp + fp else None
    sr = tp / (tp + fn) if tp + fn else None
    sf1 = 2 * sp * sr / (sp + sr) if sp is not None and sr is not None and sp + sr > 0 else None
    cpu = sum(s["cpu_s"] for s in res)
    supported = sum(s["agency_support"][0] for s in res if "agency_support" in s)
    reported = sum(s["agency_support"][1] for s in res if "agency_support" in s)
    return {
        "pages": len(res),
        "body_p": p,
        "body_r": r,
        "body_f1": f1,
        "n_body": len(rec),
        "snip_p": sp,
        "snip_r": sr,
        "snip_f1": sf1,
        "n_snip": sum(1 for s in res if "snip" in s),
        "title": _mean([float(s["title_ok"]) for s in res if "title_ok" in s]),
        "date": _mean([float(s["date_ok"]) for s in res if "date_ok" in s]),
        "authors_f1": _mean([s["authors_f1"] for s in res if "authors_f1" in s]),
        "credits_f1": _mean([s["credits_f1"] for s in res if "credits_f1" in s]),
        "persons_f1": _mean([s["persons_f1"] for s in res if "persons_f1" in s]),
        "agency_r": _mean([s["agency_recall"] for s in res if "agency_recall" in s]),
        "agency_p": supported / reported if reported else None,
        "comment_leak": _mean([float(s["comment_leak"]) for s in res if "comment_leak" in s]),
        "pages_per_cpu_s": len(res) / cpu if cpu > 0 else None,
        "errors": sum(1 for s in res if s.get("error")),
    }


METRICS = (
    ("body_p", "body precision"),
    ("body_r", "body recall"),
    ("body_f1", "body F1"),
    ("snip_p", "snippet precision"),
    ("snip_r", "snippet recall"),
    ("snip_f1", "snippet F1"),
    ("title", "title exact"),
    ("date", "date (day)"),
    ("authors_f1", "authors set F1"),
    ("credits_f1", "authors+agencies"),
    ("persons_f1", "persons only"),
    ("agency_r", "agency recall"),
    ("agency_p", "agency prec proxy"),
    ("comment_leak", "comment leak"),
    ("pages_per_cpu_s", "pages/CPU-s"),
    ("errors", "errors"),
)


def _fmt(v: Any) -> str:
    if v is None:
        return "-"
    if isinstance(v, int):
        return str(v)
    return f"{v:.3f}" if v < 10 else f"{v:.1f}"


def print_table(rows: list[dict[str, Any]], systems: list[str]) -> None:
    groups: list[tuple[str, list[dict[str, Any]]]] = [("all", rows)]
    for src, label in (
        ("zyte-article-extraction-benchmark", "zyte"),
        ("fundus", "fundus"),
        ("trafilatura-evaldata", "traf-eval"),
    ):
        sub = [r for r in rows if r["source"] == src]
        if sub:
            groups.append((label, sub))
    de = [r for r in rows if r.get("language") == "de"]
    if de:
        groups.append(("german", de))
    aggs = {(g, s): aggregate(sub, s) for g, sub in groups for s in systems}
    short = {"ours": "ours", "trafilatura": "traf"}
    header = f"{'metric':<18}" + "".join(f"{g + ':' + short[s]:>16}" for g, _ in groups for s in systems)
    print(header)
    print(f"{'pages':<18}" + "".join(f"{aggs[(g, s)]['pages']:>16}" for g, _ in groups for s in systems))
    for key, label in METRICS:
        print(f"{label:<18}" + "".join(f"{_fmt(aggs[(g, s)][key]):>16}" for g, _ in groups for s in systems))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="corpus dir (html.gz + ground_truth.jsonl)")
    ap.add_argument("--limit", type=int, default=None, help="evaluate only the first N pages")
    ap.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="per-page scores (jsonl)")
    ap.add_argument("--no-baseline", action="store_true", help="skip trafilatura-alone")
    ap.add_argument(
        "--baseline-comments",
        action="store_true",
        help="append the comment section trafilatura extracts by default (as extract() output does)",
    )
    ap.add_argument("--source", default=None, help="only pages whose id starts with this prefix")
    ap.add_argument("--compare", type=Path, default=None, help="an earlier run's per-page jsonl: print gains")
    ap.add_argument(
        "--studied", default="", help="page ids (comma-separated, or @file with one per line) the rules were written on"
    )
    args = ap.parse_args(argv)

    gt_path = args.corpus / "ground_truth.jsonl"
    if not gt_path.exists():
        print(f"corpus not found at {args.corpus} (no ground_truth.jsonl); skipping benchmark")
        return 0
    records, corrected = load_records(args.corpus)
    if args.source:
        records = [r for r in records if r["id"].startswith(args.source)]
    if args.limit:
        records = records[: args.limit]
    baseline = not args.no_baseline
    t0 = time.time()
    if args.workers > 1:
        with Pool(args.workers, initializer=_init, initargs=(args.corpus, baseline, args.baseline_comments)) as pool:
            rows = list(pool.imap(evaluate_page, records, chunksize=4))
    else:
        _init(args.corpus, baseline, args.baseline_comments)
        rows = [evaluate_page(r) for r in records]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    systems = ["ours"] + (["trafilatura"] if baseline else [])
    print(f"{len(rows)} pages from {args.corpus} in {time.time() - t0:.0f}s wall, {args.workers} worker(s)")
    print(f"ground-truth corrections applied: {corrected}")
    print_table(rows, systems)
    before = None
    if args.compare:
        with args.compare.open(encoding="utf-8") as fh:
            before = [json.loads(line) for line in fh if line.strip()]
    studied_arg = args.studied
    if studied_arg.startswith("@"):
        studied_arg = ",".join(Path(studied_arg[1:]).read_text(encoding="utf-8").split())
    print_folds(rows, before, {x for x in studied_arg.split(",") if x})
    print(f"per-page scores: {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
