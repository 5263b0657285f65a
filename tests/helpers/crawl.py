"""Follow every same-origin GET link from a start page, breadth-first, with the Flask test client; and the text a
person reads on a page (visible text plus the attributes a browser shows or speaks).

A route reached under many ids (every filing, every calculation line) renders the same template each time, so
only the first few URLs of each endpoint are fetched: enough to see every template with real data, fast enough
to run for every role and language.
"""
import io
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

from werkzeug.exceptions import HTTPException

SHOWN_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
# Never followed: signing out (a form, but a stray link must not end the crawl), static files, and the API,
# which is a machine contract in English (its reference page /help/api is crawled).
SKIPPED_PREFIXES = ("/logout", "/static/", "/bootstrap/static/", "/api/")
PER_ENDPOINT = 3


@dataclass
class Fetched:
    url: str
    status: int
    content_type: str
    data: bytes
    found_on: str


@dataclass
class Text:
    """What a page shows: `prose` is checked for English words and codes; `code` is the content of
    <code>/<pre>/<kbd>/<samp>/<cite> or of an element marked lang="en", shown as written (a digest, a receipt number,
    a bibliographic citation, a name the enterprise registered in English)."""
    prose: list[str] = field(default_factory=list)
    code: list[str] = field(default_factory=list)


class _Reader(HTMLParser):
    HIDDEN = {"script", "style", "template"}
    CODE = {"code", "pre", "kbd", "samp", "cite"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text = Text()
        self.links: list[str] = []
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        hidden = attrs.get("type") == "hidden"
        for name in SHOWN_ATTRIBUTES:
            if attrs.get(name) and not hidden:
                self.text.prose.append(attrs[name])
        if tag not in self.VOID:
            self._stack.append("code" if attrs.get("lang") == "en" else tag)

    def handle_endtag(self, tag):
        # An element marked lang="en" is on the stack as "code": close up to the innermost open element of the tag.
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i] in (tag, "code"):
                del self._stack[i:]
                return

    def handle_data(self, data):
        if not data.strip() or any(t in self.HIDDEN for t in self._stack):
            return
        (self.text.code if any(t in self.CODE for t in self._stack) else self.text.prose).append(data.strip())


def read_html(page: str) -> tuple[Text, list[str]]:
    reader = _Reader()
    reader.feed(page)
    reader.close()
    return reader.text, reader.links


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _local(url: str, base: str) -> str | None:
    """The path and query of a same-origin link, or None."""
    if url.startswith(("mailto:", "tel:", "javascript:", "data:")):
        return None
    absolute = urljoin("http://localhost" + base, urldefrag(url)[0])
    parts = urlsplit(absolute)
    if parts.netloc != "localhost" or not parts.path:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return None if path.startswith(SKIPPED_PREFIXES) else path


def _endpoint(app, path: str) -> str:
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _ = adapter.match(urlsplit(path).path, method="GET")
    except HTTPException:
        return path
    return endpoint


def crawl(app, client, start: str = "/", per_endpoint: int = PER_ENDPOINT, limit: int = 400) -> list[Fetched]:
    """Every page reachable from `start` by GET links (redirects followed), at most `per_endpoint` URLs of each
    endpoint (query-string variants of a page count towards its endpoint)."""
    seen: set[str] = set()
    per: dict[str, int] = {}
    queue = deque([(start, "")])
    fetched: list[Fetched] = []
    while queue and len(fetched) < limit:
        url, found_on = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        endpoint = _endpoint(app, url)
        if per.get(endpoint, 0) >= per_endpoint:
            continue
        per[endpoint] = per.get(endpoint, 0) + 1
        response = client.get(url)
        content_type = response.headers.get("Content-Type", "").split(";")[0]
        fetched.append(Fetched(url, response.status_code, content_type, response.data, found_on))
        if response.status_code in (301, 302, 303, 307, 308):
            target = _local(response.headers["Location"], url)
            if target:
                queue.append((target, url))
        elif content_type == "text/html":
            _text, links = read_html(response.get_data(as_text=True))
            for link in links:
                target = _local(link, url)
                if target and target not in seen:
                    queue.append((target, url))
    return fetched
