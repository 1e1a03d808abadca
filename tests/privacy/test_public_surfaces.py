"""Every public surface holds no full ID number, no hidden birth date of one, no complainant
and no firm's contact phone. A crawl in both languages follows every link from the home page and from search
and API answers, and visits every GET route of the URL map with every real parameter (so a new route cannot
be forgotten); the public export and the open-data downloads are scanned too."""
import gzip
import itertools
import json
import re
from collections import Counter
from urllib.parse import urljoin, urlsplit

from sqlalchemy import select
from werkzeug.exceptions import HTTPException

from public_portal.opendata import CSV_KINDS
from registry.extensions import db
from registry.models import (Account, Complaint, CreditReport, Penalty, Person, Project, ProjectCorrection,
                             RecordCorrection, Unit)
from tests.pdf import pdf_text
from tests.portal.conftest import JINGTU, LVYUAN, SUJING, YUEQING
from tests.privacy.conftest import LARGE_FIRM, file_a_complaint, issue_reports, private_journeys, url_paths

PUBLIC_BLUEPRINTS = ("portal", "lists", "api")
# reached by anyone without signing in, and holding no record
ANONYMOUS_FORMS = {"auth.login", "practitioner.register", "practitioner.accept_invitation"}
LIMIT = 4000


def route_parameters() -> dict[str, list]:
    """Real values for every argument of the URL map: every firm, person and project, ids of other records."""
    def ends(model):
        ids = sorted(db.session.scalars(select(model.id)))
        return [ids[0], ids[-1]] if ids else [1]

    return {
        "uscc": sorted(db.session.scalars(select(Unit.uscc))) + ["911111111111111111"],
        "public_id": sorted(db.session.scalars(select(Person.public_id))) + ["no-such-person"],
        "ref": sorted(db.session.scalars(select(Project.ref))) + ["NO-SUCH-REF"],
        "kind": list(CSV_KINDS) + ["account"],
        "person_id": ends(Person), "project_id": ends(Project), "unit_id": ends(Unit), "penalty_id": ends(Penalty),
        "complaint_id": ends(Complaint), "account_id": ends(Account), "record_id": ends(Unit),
        "correction_id": ends(ProjectCorrection) + ends(RecordCorrection),
        "receipt": sorted(db.session.scalars(select(Complaint.ref))) + ["JB00000000000000"],
        "number": sorted(db.session.scalars(select(CreditReport.number))) + ["XYBG-0000-0000-0000-0000", "no-number"],
    }


def speak_up(app) -> str:
    """A firm publishes a statement beside a penalty about it and asks for a correction of it (the statement
    refuses a full ID number; the crawl reads what it does hold); returns the firm's page."""
    from registry.access import Actor
    from registry.services.corrections import request_record_correction
    from registry.services.statements import save_statement

    penalty = db.session.scalar(select(Penalty).where(Penalty.unit_id.is_not(None)).order_by(Penalty.id))
    firm = Actor(account_id=None, label="firm", role="unit", unit_id=penalty.unit_id)
    save_statement(firm, "penalty", penalty.id, "罚款已缴清，涉事报告已重新编制。联系人王建国。")
    request_record_correction(firm, "penalty", penalty.id, "决定书载明的罚款金额与登记的不一致，附决定书。")
    page = f"/units/{db.session.get(Unit, penalty.unit_id).uscc}"
    assert "罚款已缴清" in app.test_client().get(page).get_data(as_text=True)
    return page


def url_map_urls(app) -> tuple[list[str], set[str]]:
    """One URL for every GET route and every combination of real parameters; and the public endpoints."""
    values = route_parameters()
    adapter = app.url_map.bind("localhost")
    urls, public = [], set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":  # static files hold no records
            continue
        if rule.endpoint.split(".")[0] in PUBLIC_BLUEPRINTS or rule.endpoint in ANONYMOUS_FORMS:
            public.add(rule.endpoint)
        names = sorted(rule.arguments)
        choices = [sorted(rule._converters[name].items) if hasattr(rule._converters[name], "items")
                   else values[name] for name in names]  # a KeyError here: a new argument needs real values
        for combination in itertools.product(*choices):
            urls.append(adapter.build(rule.endpoint, dict(zip(names, combination))))
    return urls, public


def probes(secrets) -> list[str]:
    """What a visitor might type: searches by full ID number, by name, by phone; filters; API pages."""
    number = sorted(secrets.id_numbers)[0]
    return ["/", f"/search?q={number}", f"/search?q=王建国 {number}", f"/api/v1/persons?q={number}",
            f"/api/v1/persons?q=王建国 {number}", f"/api/v1/units?q={number}",
            "/api/v1/units?q=13912340001", "/search?q=有限公司", "/search?has_penalty=true", "/search?banned=true",
            "/search?q=王建国", "/search?q=李四", "/similar?industry=C", "/api/v1/units?per_page=100",
            "/api/v1/persons?per_page=100", "/api/v1/projects?per_page=100", "/api/v1/projects?per_page=100&page=2",
            "/api/v1/units?q=修复", f"/api/v1/units/{LARGE_FIRM}?projects_page=2&reviews_page=2",
            # the comparison: a withheld firm and one whose staff member never consented, an unlisted firm's code
            # (a 404 that must not name it), similar-parcel criteria; and search hits carrying a choice to it
            f"/compare?uscc={SUJING}&uscc={LVYUAN}&uscc={YUEQING}&uscc={LARGE_FIRM}",
            f"/compare?uscc={SUJING}&uscc={JINGTU}", f"/compare?uscc={SUJING}&uscc={LVYUAN}&industry=C26&province=33",
            f"/search?q=有限公司&industry=C26&compare={SUJING}&compare={LVYUAN}",
            f"/similar?industry=C26&compare={YUEQING}", f"/units/{LVYUAN}?compare={SUJING}",
            "/bans?kind=person", "/penalties?banned=true", f"/penalties?authority={number}", "/findings",
            "/api/v1/penalties?per_page=100", "/api/v1/bans?per_page=100", f"/api/v1/penalties?authority={number}"]


class Crawler:
    """Breadth-first over one browser's view of the site: same-site links and the records API answers name."""

    def __init__(self, app, client, secrets, label: str):
        self.client, self.secrets, self.label = client, secrets, label
        self.adapter = app.url_map.bind("localhost")
        self.seen: set[str] = set()
        self.answers: dict[str, int] = {}  # url: status
        self.statuses: Counter = Counter()
        self.endpoints_answered: set[str] = set()
        self.leaks: list[str] = []
        self.languages: Counter = Counter()
        self.labelled = 0  # pages that show `label`: the crawl read translated pages, not only their lang attribute

    def crawl(self, start: list[str]) -> None:
        queue = list(start)
        while queue:
            url = queue.pop(0)
            if url in self.seen:
                continue
            assert len(self.seen) < LIMIT, "the crawl did not end: a link generates links without end"
            self.seen.add(url)
            queue += self.visit(url)

    def endpoint(self, path: str) -> str | None:
        try:
            return self.adapter.match(path, method="GET")[0]
        except HTTPException:  # no route, or a redirect to one
            return None

    def visit(self, url: str) -> list[str]:
        response = self.client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        self.statuses[response.status_code] += 1
        self.answers[url] = response.status_code
        path = urlsplit(url).path
        endpoint = self.endpoint(path)
        if endpoint and endpoint.split(".")[0] in PUBLIC_BLUEPRINTS:  # a public page answers, or is not found
            assert response.status_code in (200, 404), (url, response.status_code)
        if response.status_code == 200:
            self.endpoints_answered.add(endpoint)
        if response.is_json:
            body = json.dumps(response.json, ensure_ascii=False)  # Chinese as text, not \u escapes
            links = record_links(response.json)
        elif response.mimetype == "application/pdf":  # a credit report: its words, as a reader sees them
            body, links = pdf_text(response.get_data()), []
        else:
            body = response.get_data(as_text=True)
            self.languages.update(re.findall(r'<html lang="([^"]+)"', body))
            self.labelled += self.label in body
            links = [urljoin(url, link) for link in url_paths(body)] if response.mimetype == "text/html" else []
        body += "\n".join(f"{name}: {value}" for name, value in response.headers.items())
        self.leaks += self.secrets.in_text(url, body)
        return [link for link in links if same_site(link)]


def same_site(link: str) -> bool:
    parts = urlsplit(link)
    return not parts.scheme and not parts.netloc and parts.path.startswith("/") \
        and not parts.path.startswith(("/static/", "/logout")) and "lang=" not in parts.query  # each crawl keeps
    # its language


def record_links(answer) -> list[str]:
    """Pages and API answers of every firm, person and project an API answer names."""
    links = []
    if isinstance(answer, dict):
        for key, value in answer.items():
            if key in ("uscc", "unit_uscc") and isinstance(value, str):
                links += [f"/units/{value}", f"/api/v1/units/{value}"]
            elif key == "public_id" and isinstance(value, str):
                links += [f"/persons/{value}", f"/api/v1/persons/{value}"]
            elif key in ("ref", "project_ref") and isinstance(value, str):
                links.append(f"/projects/{value}")
            else:
                links += record_links(value)
    elif isinstance(answer, list):
        for item in answer:
            links += record_links(item)
    return links


def test_no_public_page_or_api_answer_in_either_language_holds_a_secret(app, secrets):
    private_journeys(app, secrets)  # a firm, its staff member and a regulator typed ID numbers on the web
    receipt = file_a_complaint(app, app.test_client(), secrets)
    issue_reports(app, app.test_client())  # credit reports of a large firm and of persons whose numbers are known
    stated_on = speak_up(app)  # a firm's statement beside its penalty, and its request to correct it
    urls, public = url_map_urls(app)
    urls.append(receipt)  # the complainant's own receipt page: no trace of who complained
    number, check = re.fullmatch(r"/complaints/([^?]+)\?check=(\w+)", urlsplit(receipt)._replace(
        scheme="", netloc="").geturl()).groups()
    tracking = f"/complaints/track?receipt={number}&check={check}"
    urls.append(tracking)  # and its tracking page
    chinese = Crawler(app, app.test_client(), secrets, label="评审一次性通过率")
    chinese.crawl(probes(secrets) + urls)
    english_client = app.test_client()
    english_client.get("/?lang=en")
    english = Crawler(app, english_client, secrets, label="First-pass review rate")
    english.crawl(probes(secrets) + urls)

    assert chinese.leaks == [] and english.leaks == []
    assert chinese.answers[stated_on] == 200 and english.answers[stated_on] == 200  # read with its statement
    assert chinese.answers[receipt] == 200 and english.answers[receipt] == 200  # the complaint's receipt was read
    assert chinese.answers[tracking] == 200 and english.answers[tracking] == 200
    for crawl in (chinese, english):
        assert public <= crawl.endpoints_answered, public - crawl.endpoints_answered  # every public route, a 200
        for second_page in ("projects_page=2", "reviews_page=2"):  # a large firm's lists, through their page links
            assert any(url.startswith(f"/units/{LARGE_FIRM}?") and second_page in url
                       for url in crawl.seen), second_page
        assert any(url.startswith("/persons/") and "roles_page=2" in url for url in crawl.seen)  # its engineer's
        assert any(url.startswith("/compare?uscc=") and crawl.answers[url] == 200 for url in crawl.seen)
    assert set(chinese.languages) == {"zh-CN"} and set(english.languages) == {"en"}
    assert chinese.labelled > 10 and english.labelled > 10  # firms' profiles, in each crawl's own words
    assert "370202********7316" in app.test_client().get("/search?q=隐私测试员").get_data(as_text=True)  # public,
    # masked: the staff member typed on the web signed their own letter
    print(f"\ncrawled {len(chinese.seen)} Chinese and {len(english.seen)} English URLs "
          f"({dict(chinese.statuses + english.statuses)}); {len(secrets.id_numbers)} ID numbers, "
          f"{len(secrets.strings)} other secrets; {secrets.scanned['texts']} answers, "
          f"{secrets.scanned['characters']:,} characters scanned; leaks: 0")


def test_the_public_export_and_the_open_data_downloads_hold_no_secret(secrets, runner, client, tmp_path):
    exported = tmp_path / "open-data.jsonl"
    result = runner.invoke(args=["registry", "export", "--public", str(exported)])
    assert result.exit_code == 0, result.output
    files = {"flask registry export --public": exported.read_bytes(),
             "/open-data/registry-public.jsonl": client.get("/open-data/registry-public.jsonl").get_data()}
    for kind in CSV_KINDS:
        files[f"/open-data/{kind}.csv"] = client.get(f"/open-data/{kind}.csv").get_data()
    # the built files as served compressed, the manifest that describes them, and the page that lists them
    for path in ["/open-data/registry-public.jsonl"] + [f"/open-data/{kind}.csv" for kind in CSV_KINDS]:
        files[f"{path} (gzip)"] = gzip.decompress(client.get(path, headers={"Accept-Encoding": "gzip"}).get_data())
    for path in ("/open-data/manifest.json", "/open-data", "/open-data?lang=en"):
        files[path] = client.get(path).get_data()
    leaks = []
    for name, data in files.items():
        leaks += secrets.in_bytes(name, data) + secrets.in_text(name, data.decode("utf-8"))
    assert leaks == []
    records = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    assert sum(r["kind"] == "person" for r in records) > 10  # persons are there, masked
    assert files["flask registry export --public"] == files["/open-data/registry-public.jsonl"]
    print(f"\nexports: {len(files)} files, {sum(map(len, files.values())):,} bytes scanned; leaks: 0")


def test_every_credit_report_and_its_pdf_and_verify_page_hold_no_secret(app, secrets):
    """A report for every listed firm and person, through the profile's form, in both languages: the page, the PDF
    (its text, by pdftotext) and the verify page hold no full ID number and nothing that is not public."""
    numbers = issue_reports(app, app.test_client(), everyone=True)
    assert len(numbers) > 40
    leaks, pdfs = [], 0
    for language in ("zh", "en"):
        client = app.test_client()
        client.get(f"/?lang={language}")
        for number in numbers:
            for path in (f"/reports/{number}", f"/verify/{number}", f"/reports/{number}.pdf"):
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
                if path.endswith(".pdf"):
                    body, pdfs = pdf_text(response.get_data()), pdfs + 1
                    assert number in body  # the text was really read
                else:
                    body = response.get_data(as_text=True)
                leaks += secrets.in_text(path, body)
    masked = [r for r in db.session.scalars(select(CreditReport)) if '"id_number_masked"' in r.content]
    assert masked and all("********" in r.content for r in masked)
    leaks += [leak for r in db.session.scalars(select(CreditReport)) for leak in secrets.in_text(r.number, r.content)]
    assert leaks == []
    print(f"\ncredit reports: {len(numbers)} issued, {pdfs} PDFs read back; leaks: 0")
