"""The clients of the load benchmark: energy managers, regulators and the public, as browsers would be.

Run by bench/load_bench.py, which seeds the database, writes the plan (accounts, the month to file, the
seeded quantities) to TANJI_BENCH_PLAN and reads back the submissions the clients were told succeeded
from TANJI_BENCH_RESULTS. Everything goes through the real pages: the sign-in form, CSRF tokens read from
each page, the filing form as the browser posts it, the XLSX template downloaded, filled and uploaded.

TANJI_BENCH_MODE=load  energy managers (form or spreadsheet), regulators (queue, dashboard, a filing,
                       approve) and the public (/city/public, /verify/<serial> of certificates issued at seeding);
TANJI_BENCH_MODE=surge energy managers only, each filing one enterprise's month once, then the run ends.

Each simulated person has an address of their own in X-Forwarded-For (the app trusts one proxy in the
bench, as behind nginx), so the per-address sign-in limit sees people, not the one loopback address.
"""
import io
import itertools
import json
import os
import random
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import gevent
import gevent.event
from locust import HttpUser, between, events, task
from locust.exception import StopUser

PLAN = json.loads(Path(os.environ["TANJI_BENCH_PLAN"]).read_text(encoding="utf-8"))
MODE = os.environ.get("TANJI_BENCH_MODE", "load")
MAX_REQUESTS = int(os.environ.get("TANJI_BENCH_MAX_REQUESTS", "0"))
PERIOD = PLAN["period"]  # "YYYY-MM", the month each enterprise files
SUBMITTED = []  # {"org_id", "period", "filing_id", "how"} for every submission answered with success
PROBLEMS = []  # what went wrong, beyond the failure counts
_pool = itertools.count()  # the next enterprise a manager takes on
_addresses = itertools.count(1)
_requests = itertools.count(1)
_done = itertools.count(1)
_signed_in = []
_all_signed_in = gevent.event.Event()


class Forms(HTMLParser):
    """The forms of a page: action, method and the values a browser would post (first option by default)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.forms, self._select, self._textarea = [], None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "fields": {}})
            return
        if not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "file", "image") or (kind in ("checkbox", "radio") and "checked" not in a):
                return
            fields[name] = a.get("value") or ""
        elif tag == "select" and name:
            self._select = (name, False)
            fields[name] = ""
        elif tag == "option" and self._select:
            name, chosen = self._select
            if not chosen and ("selected" in a or fields[name] == ""):
                fields[name] = a.get("value") or ""
                self._select = (name, "selected" in a)
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data

    def having(self, *names: str, action: str | None = None) -> dict | None:
        for form in self.forms:
            if all(any(k == n or k.startswith(n) for k in form["fields"]) for n in names) and (
                    action is None or form["action"].endswith(action)):
                return form
        return None


def _note(problem: str) -> None:
    if len(PROBLEMS) < 200:
        PROBLEMS.append(problem)


class Person(HttpUser):
    abstract = True
    wait_time = between(1, 3)

    def on_start(self):
        n = next(_addresses)
        self.client.headers["X-Forwarded-For"] = f"10.{n // 250 % 250}.{n % 250 + 1}.{random.randint(1, 250)}"
        self.client.headers["Accept-Language"] = "zh-CN,zh;q=0.9"

    def get(self, url: str, name: str, **kwargs):
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False, **kwargs) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code}")
            return r

    def post(self, url: str, data: dict, name: str, expect=(302,), **kwargs):
        with self.client.post(url, data=data, name=name, catch_response=True, allow_redirects=False, **kwargs) as r:
            if r.status_code not in expect:
                text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r.text or ""))
                errors = re.findall(r"(?:invalid-feedback|alert-danger)[^>]*>([^<]{0,200})", r.text or "")
                r.failure(f"{r.status_code}: {' | '.join(e.strip() for e in errors) or text[-200:]}")
                _note(f"{name} {r.status_code}: {errors[:3]}")
            return r

    def sign_in(self, email: str) -> bool:
        page = self.get("/login", "GET /login")
        form = Forms(page.text).having("email", "password", "csrf_token")
        if form is None:
            return False
        r = self.post("/login", {**form["fields"], "email": email, "password": PLAN["password"]}, "POST /login")
        return r.status_code == 302

    def sign_out(self):
        page = self.get("/", "GET / (home)")
        form = Forms(page.text).having("csrf_token", action="/logout")
        if form:
            self.post("/logout", form["fields"], "POST /logout")
        self.client.cookies.clear()


class EnergyManager(Person):
    """Takes an enterprise with its month open, files it (form or spreadsheet), submits, then takes the next."""

    weight = 5

    def on_start(self):
        super().on_start()
        self.account = None

    @task
    def file_a_month(self):
        index = next(_pool)
        if index >= len(PLAN["managers"]):
            _note("the pool of open enterprises ran out")
            raise StopUser()
        self.account = PLAN["managers"][index]
        try:
            self.file(double_click=MODE == "surge" and index % 5 == 0)
        finally:
            # Each surge manager files once; the last one to finish ends the run.
            if MODE == "surge" and next(_done) >= int(os.environ.get("TANJI_BENCH_USERS", "0")):
                gevent.spawn_later(0.1, self.environment.runner.quit)
        if MODE == "surge":
            raise StopUser()
        self.sign_out()

    def file(self, double_click: bool) -> None:
        signed_in = self.sign_in(self.account["email"])
        if MODE == "surge":
            # People sign in over the morning; the surge is everyone saving and submitting at once. So the
            # managers wait until all are signed in (argon2 is costly by design), then file together.
            _signed_in.append(signed_in)
            if len(_signed_in) >= int(os.environ.get("TANJI_BENCH_USERS", "0")):
                _all_signed_in.set()
            _all_signed_in.wait(timeout=90)
            # Then each starts within the surge window (0: all in the same instant, a thundering herd).
            gevent.sleep(random.uniform(0, float(os.environ.get("TANJI_BENCH_SURGE_WINDOW", "0"))))
        if not signed_in:
            return
        self.get("/filings/", "GET /filings/")
        if MODE == "load" and random.random() < 0.3:
            self.upload_template()
        filing_id = self.open_month(double_click)
        if filing_id and self.save(filing_id):
            self.wait()
            self.submit(filing_id, double_click=double_click)

    def quantity(self, source_id: str, spread: float = 0.1) -> str:
        base = Decimal(self.account["sources"].get(source_id, "10"))
        if random.random() < 0.05:
            spread = 0.8  # now and then a month far from the last: a warning to explain at submission
        return str((base * Decimal(str(1 + random.uniform(-spread, spread)))).quantize(Decimal("0.001")))

    def open_month(self, double_click: bool = False) -> int | None:
        page = self.get("/filings/", "GET /filings/") if random.random() < 0.3 else None
        token = self.token(page.text if page is not None else None)
        data = {"period": PERIOD, "csrf_token": token}
        if double_click:
            # Two clicks on "File a month": both posts leave at once; both must land on the one draft.
            answers = gevent.joinall([gevent.spawn(self.post, "/filings/open", data, "POST /filings/open")
                                      for _ in range(2)])
            answers = [g.value for g in answers if g.value is not None]
        else:
            answers = [self.post("/filings/open", data, "POST /filings/open")]
        ids = {m[1] for r in answers if (m := re.search(r"/filings/(\d+)$", r.headers.get("Location", "")))}
        if len(ids) != 1:
            _note(f"open: {len(ids)} filings from {[r.status_code for r in answers]}")
            return None
        return int(ids.pop())

    def token(self, html: str | None) -> str:
        if html is None:
            html = self.get("/filings/", "GET /filings/").text
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
        return match[1] if match else ""

    def save(self, filing_id: int) -> bool:
        page = self.get(f"/filings/{filing_id}", "GET /filings/[id]")
        form = Forms(page.text).having("version", "quantity_")
        if form is None:
            _note(f"filing {filing_id}: no activity form (status?)")
            return False
        fields = dict(form["fields"])
        for name in fields:
            if name.startswith("quantity_"):
                fields[name] = self.quantity(name.removeprefix("quantity_"))
            elif name.startswith("production_"):
                fields[name] = str(random.randint(800, 1200))
        fields["output_value"] = str(random.randint(900, 1100))
        self.wait()
        r = self.post(f"/filings/{filing_id}", fields, "POST /filings/[id] (save)")
        return r.status_code == 302

    def submit(self, filing_id: int, double_click: bool = False) -> None:
        page = self.get(f"/filings/{filing_id}/submit", "GET /filings/[id]/submit")
        form = next((f for f in Forms(page.text or "").forms if "version" in f["fields"]), None)
        if form is None:
            _note(f"filing {filing_id}: no submit form")
            return
        fields = {k: (v or "季节性波动，已核对计量表读数。") if k.startswith("explanation-") else v
                  for k, v in form["fields"].items()}
        fields["password"] = PLAN["password"]  # submitting is a signature: the password again
        url, name = f"/filings/{filing_id}/submit", "POST /filings/[id]/submit"
        if double_click:
            # Two clicks on "submit": both posts leave at once with the same form.
            answers = gevent.joinall([gevent.spawn(self.post, url, fields, name, (302, 200)) for _ in range(2)])
            answers = [g.value for g in answers if g.value is not None]
        else:
            answers = [self.post(url, fields, name)]
        if any(r.status_code == 302 and r.headers.get("Location", "").endswith(f"/filings/{filing_id}")
               for r in answers):
            SUBMITTED.append({"org_id": self.account["org_id"], "period": PERIOD, "filing_id": filing_id,
                              "clicks": len(answers)})

    def upload_template(self) -> None:
        from openpyxl import load_workbook

        page = self.get("/filings/import/", "GET /filings/import/")
        token = self.token(page.text)
        r = self.get(f"/filings/import/template.xlsx?from={PERIOD}&to={PERIOD}",
                     "GET /filings/import/template.xlsx")
        if r.status_code != 200:
            return
        book = load_workbook(io.BytesIO(r.content))
        activity, production, output = book.worksheets[:3]
        for sheet, key, value in ((activity, "Quantity", None), (production, "Quantity", "900"),
                                  (output, "10^4 CNY", "1000")):
            headers = [str(c.value or "") for c in sheet[2]]
            column = next(i for i, h in enumerate(headers, start=1) if h.endswith(key))
            source = next((i for i, h in enumerate(headers, start=1) if h.endswith("Source ID")), None)
            for row in range(3, sheet.max_row + 1):
                if sheet.cell(row, 1).value in (None, ""):
                    continue
                if value is None:
                    value_here = self.quantity(str(sheet.cell(row, source).value))
                else:
                    value_here = value
                sheet.cell(row, column).value = float(value_here)
        data = io.BytesIO()
        book.save(data)
        files = {"file": (f"bench-{self.account['org_id']}.xlsx", data.getvalue(),
                          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
        if random.random() < 0.2:
            # Two clicks on "upload": one import is done, the other is done too (after it) or refused whole (409).
            answers = gevent.joinall([gevent.spawn(self.post_upload, token, files, True) for _ in range(2)])
            if not any(g.value for g in answers):
                _note("double upload: neither import was done")
        else:
            self.post_upload(token, files)

    def post_upload(self, token: str, files: dict, double_click: bool = False) -> bool:
        with self.client.post("/filings/import/", data={"csrf_token": token}, files=files,
                              name="POST /filings/import/ (upload)", catch_response=True,
                              allow_redirects=False) as r:
            done = r.status_code == 200 and 'data-testid="import-done"' in r.text
            if done or (double_click and r.status_code == 409 and "import-done" not in r.text):
                r.success()  # the refused twin of a double click is the expected answer
            else:
                problems = re.findall(r"<li[^>]*>([^<]{0,200})", r.text or "")[:3]
                r.failure(f"{r.status_code}: {problems}")
                _note(f"upload {r.status_code}: {problems}")
            if double_click and r.status_code == 409:
                _note("double upload: the twin was refused (409), as designed")
            return done


class Regulator(Person):
    weight = 2 if MODE == "load" else 0

    def on_start(self):
        super().on_start()
        self.sign_in(random.choice(PLAN["regulators"]))
        self.waiting = []

    @task(3)
    def queue(self):
        page = self.get("/review/", "GET /review/")
        self.waiting = [int(i) for i in re.findall(r'href="/review/filings/(\d+)"', page.text or "")]

    @task(2)
    def dashboard(self):
        self.get("/city/", "GET /city/")

    @task(2)
    def review_and_approve(self):
        if not self.waiting:
            return
        filing_id = self.waiting.pop(random.randrange(len(self.waiting)))
        page = self.get(f"/review/filings/{filing_id}", "GET /review/filings/[id]")
        form = Forms(page.text or "").having("csrf_token", action=f"/review/filings/{filing_id}/approve")
        if form is not None and random.random() < 0.5:
            self.wait()
            # Another regulator may have approved it meanwhile: that answer is a redirect too.
            self.post(f"/review/filings/{filing_id}/approve", form["fields"], "POST /review/filings/[id]/approve")


class Public(Person):
    weight = 3 if MODE == "load" else 0

    @task(4)
    def public_index(self):
        self.get("/city/public", "GET /city/public")

    @task(1)
    def verify(self):
        serials = PLAN.get("verify_serials") or []
        serial = random.choice(serials) if serials else "TJ-2025-00000000X"  # a short history: an unknown serial
        with self.client.get(f"/verify/{serial}", name="GET /verify/[serial]", catch_response=True) as r:
            if r.status_code in ((200,) if serials else (200, 404)):
                r.success()
            else:
                r.failure(str(r.status_code))


@events.request.add_listener
def _count(**kwargs):
    if MAX_REQUESTS and next(_requests) == MAX_REQUESTS:
        _note(f"stopped at the request bound ({MAX_REQUESTS})")
        gevent.spawn(_environment.runner.quit)


_environment = None


@events.init.add_listener
def _init(environment, **kwargs):
    global _environment
    _environment = environment


@events.quitting.add_listener
def _write_results(environment, **kwargs):
    stats = []
    for entry in [*sorted(environment.stats.entries.values(), key=lambda e: e.name), environment.stats.total]:
        stats.append({"name": entry.name, "requests": entry.num_requests, "failures": entry.num_failures,
                      "rps": entry.total_rps, "max": entry.max_response_time,
                      **{p: entry.get_response_time_percentile(q) if entry.num_requests else 0
                         for p, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))}})
    errors = [{"name": e.name, "error": str(e.error), "count": e.occurrences}
              for e in environment.stats.errors.values()]
    with open(os.environ["TANJI_BENCH_RESULTS"], "w", encoding="utf-8") as f:
        json.dump({"submitted": SUBMITTED, "problems": PROBLEMS, "stats": stats, "errors": errors,
                   "pool_used": min(next(_pool), len(PLAN["managers"]))}, f, ensure_ascii=False)
