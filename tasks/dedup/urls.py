"""Canonical article URLs: which URLs name the same article (the key of ``url`` duplicates).

Tracking parameters, AMP renderings and caches, mobile hosts, trailing slashes and a same-site ``rel=canonical``
hint are folded away by :func:`canonical_url`; :func:`url_key` is what ``url_hash`` hashes.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import SplitResult, unquote, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, url_query_cleaner

#: Query parameters that only track the visit (compared case-insensitively, after percent-decoding).
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
        "igshid", "igsh", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "ref", "ref_src",
        "ref_url", "referrer", "referer", "cmpid", "cmp", "wt_mc", "wt.mc_id", "wt_mc_id", "icid", "ocid",
        "xtor", "smid", "smtyp", "guccounter", "guce_referrer", "guce_referrer_sig", "spm", "usqp", "s_cid",
        "soc_src", "soc_trk", "sr_share", "ito", "__twitter_impression", "rss_id", "feature_id",
    }
)  # fmt: skip
#: Prefixes of tracking parameters (Google Analytics/UTM, Matomo/Piwik, HubSpot, Adobe/AT Internet, Webtrends
#: …).
TRACKING_PREFIXES = (
    "utm_", "ga_", "pk_", "mtm_", "matomo_", "piwik_", "hsa_", "itm_", "at_", "ns_", "oly_", "vero_", "wt.",
    "wt_", "_hs",
)  # fmt: skip
#: Parameters (name → values, empty set = any value) that only select the AMP rendering of a page.
AMP_PARAMS: dict[str, frozenset[str]] = {
    "amp": frozenset({"", "1", "true", "yes"}),
    "_amp": frozenset({"", "1", "true", "yes"}),
    "outputtype": frozenset({"amp"}),
    "output": frozenset({"amp"}),
}
#: Host prefixes of mobile/AMP editions, mapped to ``www.`` (see :func:`canonical_url`).
MOBILE_PREFIXES = ("m.", "mobile.", "amp.", "mobil.")
_SITE_PREFIXES = ("www.", *MOBILE_PREFIXES)
_AMP_CACHE_RE = re.compile(r"^/(?:c|v|i|wp)/(s/)?([^/?#]+(?:/.*)?)$", re.S)
_GOOGLE_AMP_RE = re.compile(r"^/amp/(s/)?([^/?#]+(?:/.*)?)$", re.S)
_DEFAULT_PORTS = {"http": 80, "https": 443}

#: Session-id parameters (query or ``;`` path parameters, any value): they name a visitor's session, not the page.
#: Sources: Java Servlet spec 4.0 §7.1.3 (URL rewriting: the path parameter ``jsessionid``); PHP's default
#: ``session.name`` ``PHPSESSID`` (php.ini, used by ``session.use_trans_sid``); ColdFusion client variables
#: ``CFID``/``CFTOKEN``; the shop systems osCommerce (``osCsid``) and Zen Cart (``zenid``); the generic
#: ``sessionid``/``session_id``/``sessid``. courlan's ``TRACKERS_RE`` strips every name containing ``session``,
#: unanchored, which would also hit content parameters (``session=plenary``), so the names are listed.
SESSION_PARAMS = frozenset(
    {"jsessionid", "phpsessid", "sessionid", "session_id", "sessid", "cfid", "cftoken", "oscsid", "zenid"}
)
#: Prefixes of session parameters (classic ASP's ``ASPSESSIONID<random>``).
SESSION_PREFIXES = ("aspsessionid",)
#: Short names that are session ids only when the value is a random token (``sid`` is phpBB's session id, 32 hex
#: digits, but also a story id on some sites: ``sid=4711`` and ``sid=08/01/01/1234`` are kept). ``s`` is not
#: here: it is WordPress's search parameter.
TOKEN_SESSION_PARAMS = frozenset({"sid"})
#: A session token: 16 or more letters/digits/``-_`` with at least one digit and one letter (≥ 64 bits of
#: randomness in hex; PHP's default ids are 26–32 characters).
_TOKEN_RE = re.compile(r"^(?=[^/]*\d)(?=[^/]*[a-z])[a-z0-9_-]{16,}$", re.I)
#: ASP.NET cookieless session state puts the id into a path segment: ``/(S(lit3py55t21z5v55vlm25s55))/page``
#: (also ``(X(1)S(…))``; Microsoft Learn, "Session identifiers": cookieless="UseUri").
_ASPNET_SESSION_SEGMENT_RE = re.compile(r"^\((?:[A-Z]\([^()/]*\))+\)$", re.I)


def _is_session(name: str, value: str) -> bool:
    """Whether ``name=value`` (a query or ``;`` path parameter) only carries a session id."""
    key = unquote(name).strip().lower()
    if key in SESSION_PARAMS or key.startswith(SESSION_PREFIXES):
        return True
    return key in TOKEN_SESSION_PARAMS and bool(_TOKEN_RE.match(unquote(value).strip()))


def _is_tracking(name: str, value: str) -> bool:
    key = unquote(name).strip().lower()
    if key in TRACKING_PARAMS or key.startswith(TRACKING_PREFIXES) or _is_session(name, value):
        return True
    amp_values = AMP_PARAMS.get(key)
    return amp_values is not None and unquote(value).strip().lower() in amp_values


def _without_session(segment: str) -> str:
    """A path segment without its session ``;name=value`` parameters (``a.html;jsessionid=AB12`` → ``a.html``)."""
    if ";" not in segment:
        return segment
    head, *params = segment.split(";")
    kept = [p for p in params if not _is_session(*p.partition("=")[::2])]
    return ";".join([head, *kept])


def route_fragment(fragment: str) -> str:
    """The fragment when it is a route of a single-page application, else ``""``.

    A hash-bang (``#!/story/123``; Google's retired AJAX crawling scheme mapped it to
    ``?_escaped_fragment_=``) or a hash route (``#/story/123``: the hash mode of the Angular, Vue and React
    routers) selects the content the page shows, so it is part of the article's identity. Any other fragment
    (``#comments``, ``#section-2``) is a position within the same page and is dropped. A route to the root
    (``#!``, ``#/``, ``#!/``) is the page itself."""
    if fragment.startswith(("!", "/")) and fragment.lstrip("!/"):
        return fragment
    return ""


def _clean_path(path: str) -> str:
    segments = [_without_session(s) for s in path.split("/") if not _ASPNET_SESSION_SEGMENT_RE.match(s)]
    segments = [s for s in segments if s.lower() != "amp"]
    path = "/".join(segments)
    lowered = path.lower()
    if lowered.endswith((".amp.html", ".amp.htm")):
        cut = lowered.rfind(".amp.")
        path = path[:cut] + path[cut + 4 :]
    elif lowered.endswith(".amp"):
        path = path[:-4]
    if not path.startswith("/"):
        path = "/" + path
    while len(path) > 1 and path.endswith("/"):
        path = path[:-1]
    return path


def _strip_site_prefix(host: str, prefixes: tuple[str, ...]) -> str:
    """``host`` without one leading prefix, unless what remains has no dot (``m.de`` is a domain itself)."""
    for prefix in prefixes:
        if host.startswith(prefix) and "." in host[len(prefix) :]:
            return host[len(prefix) :]
    return host


def _canonical_once(url: str) -> str:
    url = url.strip()
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS or not parts.hostname:
            return url
        host = parts.hostname.lower().rstrip(".")
        port = parts.port
    except ValueError:  # bad port, bad IPv6 literal …
        return url
    # AMP caches: https://www-example-com.cdn.ampproject.org/c/s/www.example.com/path →
    # https://www.example.com/path and Google's AMP viewer https://www.google.com/amp/s/www.example.com/path.
    cache = None
    if host.endswith(".cdn.ampproject.org") or host == "cdn.ampproject.org":
        cache = _AMP_CACHE_RE.match(parts.path)
    elif host in ("google.com", "www.google.com"):
        cache = _GOOGLE_AMP_RE.match(parts.path)
    if cache:
        target = ("https://" if cache.group(1) else "http://") + cache.group(2)
        if parts.query:
            target += "?" + parts.query
        return target
    host = _strip_site_prefix(host, MOBILE_PREFIXES)
    if host != parts.hostname.lower().rstrip(".") and not host.startswith("www."):
        host = "www." + host
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc += f":{port}"
    rebuilt = urlunsplit((scheme, netloc, _clean_path(parts.path), parts.query, ""))
    if parts.query:
        drop = [
            name for name, _, value in (p.partition("=") for p in parts.query.split("&")) if _is_tracking(name, value)
        ]
        if drop:
            rebuilt = url_query_cleaner(rebuilt, drop, remove=True, unique=False)
    route = route_fragment(parts.fragment)
    # w3lib: percent-encoding normalised (unreserved characters decoded, the rest upper-case %XX), IDN hosts
    # to punycode, query parameters sorted, fragment dropped unless it is a route.
    return canonicalize_url(
        rebuilt + ("#" + route if route else ""), keep_blank_values=True, keep_fragments=bool(route)
    )


def _canonical_fixpoint(url: str) -> str:
    # Every rewrite can expose another (an AMP-cache URL reveals a mobile host, decoding %5F reveals utm_…),
    # so apply the single pass until nothing changes: that is what makes the function idempotent.
    for _ in range(10):
        nxt = _canonical_once(url)
        if nxt == url:
            break
        url = nxt
    return url


def _site(host: str | None) -> str:
    return _strip_site_prefix((host or "").lower().rstrip("."), _SITE_PREFIXES)


def _usable_hint(url: str | None, hint: str) -> str | None:
    """The canonicalised hint when it is sane and on the same site as ``url`` (``None`` otherwise)."""
    hint = hint.strip()
    if not hint or any(c.isspace() for c in hint):
        return None
    if url:
        hint = urljoin(url, hint)  # relative rel=canonical
    cand = _canonical_fixpoint(hint)
    try:
        cparts = urlsplit(cand)
    except ValueError:
        return None
    if cparts.scheme not in _DEFAULT_PORTS or not cparts.hostname:
        return None
    if not url:
        # No URL of our own (a local file): the declared canonical is the best URL there is, unless it is a
        # bare home page, which CMSs emit by mistake on every page.
        return None if cparts.path in ("", "/") and not cparts.query else cand
    uparts = urlsplit(url)
    if _site(uparts.hostname) != _site(cparts.hostname):
        return None
    if cparts.path in ("", "/") and not cparts.query and uparts.path not in ("", "/"):
        return None  # article page claiming the home page as canonical: a template bug, not a redirect target
    if is_later_page(url, cand):
        return None  # page 2 of an article naming page 1: its text is not page 1's (field case D16)
    return cand


#: Query parameters that number the pages of a paginated article or list (``?page=2``; WordPress ``paged``;
#: German/Spanish/Polish/Finnish sites). ``p`` is not one: it is WordPress's post id (``?p=123``).
PAGE_PARAMS = frozenset({"page", "pg", "paged", "pagenum", "pageno", "seite", "pagina", "strona", "sivu"})
#: Page markers at the end of a path: ``/2`` (WordPress ``<!--nextpage-->``), ``/page/2``, ``/seite-2``.
_PAGE_SEGMENT_RE = re.compile(r"^(.*?)/(?:(?:page|seite|pagina|strona|sivu)[/_-]?)?(\d{1,4})$", re.I)
#: A page marker before a file extension: ``story-2.html``, ``story_seite2.html``, ``story,2.html``.
_PAGE_FILE_RE = re.compile(r"^(.*?)[-_,](?:page|seite|pagina)?[-_]?(\d{1,4})(\.[a-z]{2,5})$", re.I)


def _unpaged(parts: SplitResult) -> Iterator[tuple[str, int]]:
    """``(URL without one page marker, page number)`` for each page marker the URL may carry."""
    for regex, keep in ((_PAGE_SEGMENT_RE, (1,)), (_PAGE_FILE_RE, (1, 3))):
        m = regex.match(parts.path)
        if m:
            path = "".join(m.group(g) for g in keep) or "/"
            yield urlunsplit(parts._replace(path=path)), int(m.group(2))
    pairs = [p.partition("=") for p in parts.query.split("&")] if parts.query else []
    for i, (name, _, value) in enumerate(pairs):
        if unquote(name).lower() in PAGE_PARAMS and value.isdigit():
            query = "&".join(n + "=" + v for j, (n, _, v) in enumerate(pairs) if j != i)
            yield urlunsplit(parts._replace(query=query)), int(value)


def is_later_page(url: str, hint: str) -> bool:
    """Whether canonical ``url`` is page 2, 3 … of a paginated article whose first page is canonical ``hint``.

    Such pages often declare page 1 as their ``rel=canonical``; Google's Search Central documentation
    ("Pagination, incremental page loading, and their impact on Google Search") calls that a mistake: each page
    has its own content and should be its own canonical. Following the hint would fold page 2 into page 1 as a
    URL copy and drop its text, so the hint is ignored and the page keeps its own URL. A page marker is a last
    path segment ``/N``, ``/page/N``, ``/seite-N`` …, a ``-N``/``_N`` before the file extension, or a
    :data:`PAGE_PARAMS` query parameter, with N ≥ 2; removing it must give the hint's URL."""
    try:
        parts, target = urlsplit(url), url_key(hint)
        return any(n >= 2 and url_key(stripped) == target for stripped, n in _unpaged(parts))
    except ValueError:
        return False


def canonical_url(url: str, canonical_hint: str | None = None) -> str:
    """Canonical form of an article URL, the key of ``url`` duplicates.

    Rules (applied until a fixpoint, so ``canonical_url(canonical_url(u)) == canonical_url(u)``, field case
    C18):

    * scheme and host lower-cased, trailing dot of the host and user info dropped, default ports (80/443)
      dropped, percent-encoding normalised and query parameters sorted (``w3lib.url.canonicalize_url``);
    * the fragment dropped unless it is a route (``#!/story/123``, ``#/story/123``; :func:`route_fragment`);
    * session ids removed like tracking parameters: the query or ``;`` path parameters in
      :data:`SESSION_PARAMS`/:data:`SESSION_PREFIXES` (``;jsessionid=…``, ``PHPSESSID``, ``sessionid`` …),
      ``sid`` when its value is a random token, and ASP.NET's cookieless ``/(S(…))/`` path segment;
    * tracking parameters removed: every name in :data:`TRACKING_PARAMS` and every name starting with one of
      :data:`TRACKING_PREFIXES` (``utm_*``, ``ga_*``, ``pk_*`` …), matched case-insensitively. courlan's
      ``TRACKERS_RE`` is not used because it is unanchored and also strips content parameters such as
      ``source``, ``cid``, ``uid`` or ``gallery``; courlan's ``clean_url`` is not idempotent on root URLs
      (C18);
    * AMP renderings mapped to the regular page: any ``amp`` path segment removed (``/amp/x``, ``/x/amp/``),
      ``.amp.html`` → ``.html``, trailing ``.amp`` removed, ``?amp=1``/``?amp``/``outputType=amp`` removed;
      AMP cache URLs ``https://<x>.cdn.ampproject.org/c/s/host/path`` and
      ``https://www.google.com/amp/s/host/path`` become ``https://host/path`` (without ``s/``: ``http://``);
    * mobile/AMP hosts ``m.``, ``mobile.``, ``mobil.``, ``amp.`` become ``www.`` (``m.spiegel.de`` →
      ``www.spiegel.de``): most publishers with a mobile host serve the desktop site on ``www``. For the few
      that use the bare domain, ``url_hash`` (see :func:`url_key`) ignores ``www.``, so the keys still agree;
    * trailing slashes of non-root paths removed (``/a/b/`` = ``/a/b``), the root path is always ``/``.

    ``canonical_hint`` (the page's ``rel=canonical``, possibly relative) replaces the URL when, after the same
    canonicalisation, it is http(s), on the same site (hosts equal ignoring a
    ``www.``/``m.``/``mobile.``/``amp.`` prefix; an AMP-cache URL is first mapped to its publisher, so the
    publisher's hint is accepted), does not point an article to the bare home page and does not point page 2, 3 …
    of a paginated article to its first page (:func:`is_later_page`, field case D16). A hint on another site
    (syndication partners naming the original) is ignored: such copies are found as ``near`` duplicates
    instead. Without an http(s) ``url`` (local files) a sane http(s) hint is used as is.

    Strings that are not http(s) URLs (file paths, ``urn:…``) are returned stripped, unchanged otherwise. Never
    raises: a URL the rules cannot handle (an unclosed IPv6 bracket, a lone surrogate) is returned stripped, and
    such a hint is ignored.
    """
    try:
        base = _canonical_fixpoint(url) if url else ""
    except (ValueError, UnicodeError):
        return url.strip()
    if canonical_hint:
        try:
            hinted = _usable_hint(base if is_http_url(base) else None, canonical_hint)
        except (ValueError, UnicodeError):
            hinted = None
        if hinted is not None:
            return hinted
    return base


def is_http_url(url: str | None) -> bool:
    """Whether ``url`` is an absolute http(s) URL with a host."""
    if not url:
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in _DEFAULT_PORTS and bool(parts.netloc)


def url_key(canonical: str) -> str:
    """The string hashed into ``url_hash``: the canonical URL without scheme and without a leading ``www.``
    (``http``/``https`` and ``www``/bare-domain variants of one page are the same article)."""
    try:
        parts = urlsplit(canonical)
    except ValueError:
        return canonical
    if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
        return canonical
    netloc = parts.netloc.lower()
    if netloc.startswith("www.") and "." in netloc[4:]:
        netloc = netloc[4:]
    return urlunsplit(("", netloc, parts.path, parts.query, parts.fragment)).lstrip("/")
