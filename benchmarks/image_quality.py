"""Image quality of the parse stage on a hand-labelled sample of the dev corpus.

Usage::

    python benchmarks/image_quality.py [--corpus DIR] [--labels FILE] [--out FILE] [--show]

Labels (``benchmarks/data/images_labels.jsonl``, one page a line): ``id`` (a page of the extraction corpus),
``url``, ``site``, ``language``, ``images`` (the article's pictures: the lead image and the in-body figures, galleries
included; not logos, ads, avatars, related-story thumbnails, share icons, trackers) and ``note`` (how the page was
decided). Each picture is ``{"urls": [...]}``: every URL under which the page shows that one picture (``src``, lazy
``data-*`` attributes, every ``srcset``/``<source>`` candidate, a link to the picture's own file, and ``og:image`` /
``twitter:image`` when they name the same picture or are the article's own picture not shown in the body). The
labels were written from the page HTML before the parser's output for the page was looked at.
``benchmarks/data/images_labels_heldout.jsonl`` (``--labels``) holds 12 more pages of 12 other sites, labelled the
same way after the rules were written and never used to write them: the leave-sites-out check for images.

For each page ``tasks.parse.parse_html(bytes, url)["images"]`` is compared with the labels. URLs are compared after
:func:`norm_url` (scheme ``http``/``https`` alike, host case, fragment, percent-encoding). A listed image is:

* an *article image* when its URL is one of a labelled picture's URLs and no earlier listed image matched that
  picture;
* a *duplicate* when it matches a picture an earlier listed image already matched (the og:image and the same
  picture in the body, two sizes of one picture);
* *other* otherwise (logo, avatar, teaser, an entry without a URL ...).

Figures (micro-averaged over all listed images / all labelled pictures):

* precision: article images / listed images (the issue's "article images among those listed");
* recall: labelled pictures matched / labelled pictures;
* absolute: listed images whose URL is absolute ``http(s)`` with a host / listed images;
* duplicates and URL-less entries, counted.

Per-page results go to ``--out`` (default ``benchmarks/out/image_quality.jsonl``); ``--show`` prints each page's
misses and false entries.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tasks.parse import parse_html  # noqa: E402


def norm_url(url: str | None) -> str | None:
    """A comparison key for ``url``: ``https`` for ``http``/``https``, lower-case host, no fragment, percent-decoded
    path and query; None when ``url`` is empty or cannot be split."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    scheme = "https" if parts.scheme in ("http", "https", "") else parts.scheme
    return f"{scheme}://{host}{unquote(parts.path)}?{unquote(parts.query)}"


def is_absolute(url: str | None) -> bool:
    """True for an absolute ``http``/``https`` URL with a host (a form that can be fetched)."""
    if not url:
        return False
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def score_page(listed: list[dict[str, Any]], pictures: list[dict[str, Any]]) -> dict[str, Any]:
    """Classify each listed image (``article``, ``duplicate``, ``other``) against the labelled ``pictures``."""
    keys = [{norm_url(u) for u in p["urls"]} - {None} for p in pictures]
    matched: set[int] = set()
    kinds: list[str] = []
    for img in listed:
        key = norm_url(img.get("url"))
        hit = next((i for i, k in enumerate(keys) if key is not None and key in k), None)
        if hit is None:
            kinds.append("other")
        elif hit in matched:
            kinds.append("duplicate")
        else:
            matched.add(hit)
            kinds.append("article")
    return {
        "listed": len(listed),
        "article": kinds.count("article"),
        "duplicate": kinds.count("duplicate"),
        "other": kinds.count("other"),
        "no_url": sum(1 for img in listed if not img.get("url")),
        "absolute": sum(1 for img in listed if is_absolute(img.get("url"))),
        "labelled": len(pictures),
        "missed": [pictures[i]["urls"][0] for i in range(len(pictures)) if i not in matched],
        "false": [img.get("url") for img, k in zip(listed, kinds, strict=True) if k != "article"],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_corpus = os.environ.get("NEWSFLOW_CORPUS") or str(ROOT.parent / "shared/corpus/extraction/dev")
    ap.add_argument("--corpus", default=default_corpus, help="corpus dir (<id>.html.gz)")
    ap.add_argument("--labels", default=str(ROOT / "benchmarks/data/images_labels.jsonl"))
    ap.add_argument("--out", default=str(ROOT / "benchmarks/out/image_quality.jsonl"), help="per-page results")
    ap.add_argument("--show", action="store_true", help="print each page's misses and false entries")
    args = ap.parse_args(argv)
    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"corpus not found: {corpus}")
        return 0
    labels = [json.loads(line) for line in Path(args.labels).read_text(encoding="utf-8").splitlines() if line]
    rows = []
    for lab in labels:
        data = gzip.decompress((corpus / f"{lab['id']}.html.gz").read_bytes())
        images = parse_html(data, lab["url"])["images"]
        row = {"id": lab["id"], "site": lab["site"], "language": lab["language"], **score_page(images, lab["images"])}
        rows.append(row)
        if args.show and (row["missed"] or row["false"]):
            print(f"{lab['id']}: listed {row['listed']}, article {row['article']}/{row['labelled']}")
            for u in row["missed"]:
                print(f"   missed {u}")
            for u in row["false"]:
                print(f"   false  {u}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")

    def total(key: str) -> int:
        return sum(r[key] for r in rows)

    listed, labelled = total("listed"), total("labelled")
    print(f"{len(rows)} labelled pages, {len({r['site'] for r in rows})} sites, {labelled} article pictures")
    print(f"listed images            {listed}")
    print(f"precision (article/listed) {total('article') / listed if listed else 0:.3f}")
    print(f"recall (pictures found)    {total('article') / labelled if labelled else 0:.3f}")
    print(f"absolute http(s) URLs      {total('absolute') / listed if listed else 0:.3f}")
    print(f"duplicates                 {total('duplicate')}")
    print(f"entries without URL        {total('no_url')}")
    print(f"other (not article)        {total('other')}")
    print(f"per-page results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
