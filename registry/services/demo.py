"""The demo data set: deterministic, realistic, loaded through the same import service as a bulk file.

Hundreds of firms across provinces, thousands of projects on parcels of real GB/T 4754-2017 former industries,
reviews with a spread of first-pass rates, penalties (some with bans, some repaired, some expired), complaints
in every status, and one demo account for each role. The generator is shared with the benchmark (bench/).
"""
import random
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import pyotp
from flask import current_app
from sqlalchemy import select
from stdnum.cn import ric, uscc

from registry.access import SYSTEM, Actor
from registry.clock import today as beijing_today
from registry.extensions import db
from registry.models import Account, Employment, Unit
from registry.reference import CATEGORIES
from registry.services import second_factor
from registry.services.accounts import create_account
from registry.services.commitments import latest_text, sign_person_commitment, sign_unit_commitment
from registry.exchange import import_records

DEMO_PERSON = "person-demo"
DEMO_PASSWORD = "demo-password-2026"  # nosec B105: published in the README; demo data is refused in production
# The second factor of the demo's regulators and administrator: published like the password, printed by `make run`.
DEMO_TOTP_SECRET = "DEMOTOTPKEYFORSOILREGISTRYDEMOXX"  # nosec B105
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# (city code, city name, its districts): real GB/T 2260 codes in 16 provinces.
CITIES = [
    ("320500", "苏州", ["320505", "320506", "320507", "320508", "320583"]),
    ("320200", "无锡", ["320211", "320213"]),
    ("320100", "南京", ["320102", "320115"]),
    ("310100", "上海", ["310104", "310112", "310115"]),
    ("110100", "北京", ["110105", "110108"]),
    ("120100", "天津", ["120116"]),
    ("130100", "石家庄", ["130104"]),
    ("140100", "太原", ["140105"]),
    ("210200", "大连", ["210211"]),
    ("330100", "杭州", ["330106", "330110"]),
    ("340100", "合肥", ["340104", "340111"]),
    ("350200", "厦门", ["350206"]),
    ("370200", "青岛", ["370202", "370203", "370211", "370212"]),
    ("370100", "济南", ["370102"]),
    ("410100", "郑州", ["410105"]),
    ("420100", "武汉", ["420106", "420111"]),
    ("430100", "长沙", ["430104"]),
    ("440100", "广州", ["440106"]),
    ("440300", "深圳", ["440305"]),
    ("500100", "重庆", ["500103", "500106"]),
    ("510100", "成都", ["510107", "510115"]),
    ("610100", "西安", ["610113"]),
]

BRANDS = ["苏净", "绿源", "清土", "华测", "中环", "碧水", "蓝天", "瑞景", "博瑞", "正清", "禾润", "恒泰", "鑫源",
          "新地", "宏宇", "安澜", "青禾", "润泽", "益民", "科立", "明德", "远航", "金石", "天润", "嘉禾", "同济",
          "华新", "东方", "泰和", "德信", "创绿", "尚净", "优土", "力源", "长清", "开元"]
BRAND_CHARACTERS = "净源清华中碧蓝瑞博正禾恒鑫新宏安青润益科明远金天嘉同泰德创尚优力长开绿盛达信诚宇航泽通环昌洁美丰"
BUSINESS = [("环保科技有限公司", ["investigation", "risk_assessment", "monitoring"]),
            ("土壤修复有限公司", ["remediation_design", "remediation_construction", "remediation_effect_evaluation"]),
            ("环境检测有限公司", ["monitoring", "investigation"]),
            ("环境工程有限公司", ["risk_control_design", "risk_control_construction", "remediation_construction"]),
            ("生态环境研究院有限公司", ["investigation", "risk_assessment", "risk_control_effect_evaluation",
                                   "remediation_effect_evaluation"]),
            ("工程监理有限公司", ["supervision", "post_management"])]

# Former uses of contaminated parcels, with their GB/T 4754-2017 class.
FORMER_USES = [("焦化厂", "C2521"), ("炼油厂", "C2511"), ("化工厂", "C2614"), ("电镀厂", "C3360"), ("化肥厂", "C2621"),
               ("农药厂", "C2631"), ("钢铁厂", "C3120"), ("炼铁厂", "C3110"), ("涂料厂", "C2641"), ("制药厂", "C2710"),
               ("印染厂", "C1713"), ("造纸厂", "C2221"), ("铝厂", "C3216"), ("树脂厂", "C2651"), ("试剂厂", "C2661"),
               ("火电厂", "D4411"), ("轧钢厂", "C3130")]
REPORT_FOR_CATEGORY = {"investigation": "investigation_report", "risk_assessment": "risk_assessment_report",
                       "risk_control_effect_evaluation": "risk_control_effect_report",
                       "remediation_effect_evaluation": "remediation_effect_report",
                       "remediation_construction": "remediation_effect_report"}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力永健宁海燕波志斌鹏"
OWNERS = ["{city}市土地储备中心", "{city}城市建设投资集团有限公司", "{city}市国有资产经营有限公司", "{city}高新区管理委员会"]


class DemoRefused(Exception):
    """The registry already holds data: the demo loads only into an empty registry."""


def make_uscc(rng: random.Random, division_code: str) -> str:
    body = "91" + division_code + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    return body + uscc.calc_check_digit(body)


def make_id_number(rng: random.Random, division_code: str) -> str:
    """A valid ID number; stdnum refuses a region code that did not exist in the birth year, so draw again."""
    while True:
        birth = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 365 * 38))
        body = f"{division_code}{birth:%Y%m%d}{rng.randrange(0, 1000):03d}"
        number = body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check character
        if ric.is_valid(number):
            return number
        division_code = rng.choice([division_code[:4] + "00", division_code[:4] + "02", division_code])


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def generate_records(*args, **kwargs) -> Iterator[dict]:
    """Deterministic exchange-format records (see `_generate_records`), each person employed since the first
    project they held a role on (or the firm's first project), not since the day of the import."""
    firm: list[dict] = []
    for record in _generate_records(*args, **kwargs):
        if record["kind"] == "unit" and firm:
            yield from _with_employment_dates(firm)
            firm = []
        firm.append(record)
    yield from _with_employment_dates(firm)


def _with_employment_dates(firm: list[dict]) -> list[dict]:
    """One firm's records, its staff's `employed_since` set from the starts of the projects they worked on."""
    projects = [r for r in firm if r["kind"] == "project" and r.get("started_on")]
    for person in (r for r in firm if r["kind"] == "person"):
        starts = [p["started_on"] for p in projects if any(x["id_number"] == person["id_number"] for x in p["people"])]
        starts = starts or [p["started_on"] for p in projects]
        if starts:
            person["employed_since"] = min(starts)
    return firm


def _generate_records(firms: int, seed: int = 20261126, projects_per_firm: tuple[int, int] = (3, 14),
                     persons_per_firm: tuple[int, int] = (1, 4), today: date = date(2026, 11, 26),
                     first_firm: int = 0, tag: str | None = None) -> Iterator[dict]:
    """Deterministic exchange-format records: firms, their staff, projects, reviews, penalties, complaints.

    `tag` goes into project references, decision numbers and complaint references (default: from the seed);
    a loader calling this batch after batch gives each batch its own tag so no two batches share a key."""
    rng = random.Random(seed)  # nosec B311: reproducible demo data, never a secret
    tag = tag if tag is not None else f"{seed % 1000:03d}"
    used_names: set[str] = set()
    project_number = 0
    for firm_number in range(first_firm, first_firm + firms):
        city_code, city, districts = CITIES[firm_number % len(CITIES)] if firm_number < len(CITIES) * 3 \
            else rng.choice(CITIES)
        suffix, categories = rng.choice(BUSINESS)
        brand = BRANDS[firm_number] if firm_number < len(BRANDS) else rng.choice(BRANDS)
        name = f"{city}{brand}{suffix}"
        while name in used_names:  # beyond the named brands, two characters of a brand pool
            name = f"{city}{rng.choice(BRAND_CHARACTERS)}{rng.choice(BRAND_CHARACTERS)}{suffix}"
        used_names.add(name)
        district = rng.choice(districts)
        firm_uscc = make_uscc(rng, city_code)
        signed = rng.random() < 0.85
        yield {"kind": "unit", "uscc": firm_uscc, "name": name, "legal_representative": person_name(rng),
               "division_code": district, "address": f"{city}市{rng.choice(['人民路', '建设路', '解放大道', '科技园路', '长江路'])}"
               f"{rng.randrange(1, 999)}号", "categories": sorted(rng.sample(categories, k=rng.randint(1, len(categories)))),
               "established_on": f"{rng.randint(1998, 2020)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
               "contact_phone": f"0{rng.randint(10, 999)}-{rng.randint(60000000, 89999999)}",
               "commitment": {"signed_at": f"{rng.randint(2021, 2025)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T09:30:00+08:00",
                              "signer": "法定代表人"} if signed else None}
        staff = []
        for _ in range(rng.randint(*persons_per_firm)):
            id_number = make_id_number(rng, rng.choice(districts))
            staff.append(id_number)
            yield {"kind": "person", "id_number": id_number, "name": person_name(rng), "unit_uscc": firm_uscc,
                   "title": rng.choice(["项目经理", "技术负责人", "总工程师", "项目负责人"]),
                   "commitment": {"signed_at": "2025-03-01T10:00:00+08:00", "signer": "本人"} if signed and rng.random() < 0.8 else None}
        skill = rng.betavariate(5, 2)  # a firm's chance of passing a first review: most good, a few poor
        firm_projects = []
        for _ in range(rng.randint(*projects_per_firm)):
            project_number += 1
            use, industry = rng.choice(FORMER_USES)
            category = rng.choice(categories)
            start = date(2019, 1, 1) + timedelta(days=rng.randrange(0, 365 * 7))
            deadline = start + timedelta(days=rng.randint(60, 540))
            completed = deadline + timedelta(days=rng.randint(-60, 90)) if rng.random() < 0.85 else None
            if completed and completed > today:
                completed = None
            ref = f"D-{tag}-{project_number:07d}"
            firm_projects.append(ref)
            parcel_district = rng.choice(districts)
            yield {"kind": "project", "ref": ref, "unit_uscc": firm_uscc, "category": category,
                   "name": f"原{city}{use}地块{CATEGORIES[category].zh}项目", "parcel_name": f"原{city}{use}地块",
                   "division_code": parcel_district, "area_m2": rng.choice([rng.randint(3000, 30000),
                                                                          rng.randint(30000, 150000), rng.randint(150000, 600000)]),
                   "owner": rng.choice(OWNERS).format(city=city), "former_industry": industry,
                   "started_on": start.isoformat(), "contract_deadline": deadline.isoformat(),
                   "completed_on": completed.isoformat() if completed else None,
                   "people": [{"id_number": staff[0], "role": "responsible_manager"}]
                   + ([{"id_number": staff[1], "role": "other_responsible"}] if len(staff) > 1 else [])}
            report = REPORT_FOR_CATEGORY.get(category)
            if report and completed:
                reviewed = completed + timedelta(days=rng.randint(10, 40))
                round_number, passed = 1, rng.random() < skill
                while reviewed <= today:
                    yield {"kind": "review", "project_ref": ref, "report_type": report, "round": round_number,
                           "reviewed_on": reviewed.isoformat(), "passed": passed, "authority": f"{city}市生态环境局",
                           "authority_division_code": city_code}
                    if passed or round_number == 3:
                        break
                    round_number += 1
                    reviewed += timedelta(days=rng.randint(20, 60))
                    passed = rng.random() < 0.8
        if skill < 0.45 and rng.random() < 0.5:
            decided = today - timedelta(days=rng.randint(20, 1400))
            severity = rng.choice(["ordinary", "serious"])
            ban = None
            if severity == "serious" and rng.random() < 0.6:
                ban = {"lifetime": True} if rng.random() < 0.2 else {"until": (decided + timedelta(days=3650)).isoformat()}
            penalty = {"kind": "penalty", "decision_number": f"{city}环罚〔{decided.year}〕{tag}-{project_number}号",
                       "subject": {"uscc": firm_uscc}, "authority": f"{city}市生态环境局",
                       "authority_division_code": city_code, "decided_on": decided.isoformat(),
                       "kinds": ["fine"] + (["practice_ban"] if ban else []), "severity": severity,
                       "fine_yuan": rng.choice([100000, 200000, 500000, 800000]),
                       "violation_type": "出具虚假报告", "violation": "出具的调查报告与实际情况严重不符",
                       "basis": "《中华人民共和国土壤污染防治法》第九十条", "ban": ban}
            if rng.random() < 0.25 and severity == "ordinary" and decided < today - timedelta(days=200):
                penalty["repaired_on"] = (decided + timedelta(days=190)).isoformat()
            yield penalty
            if ban and staff and rng.random() < 0.5:
                yield {**penalty, "decision_number": penalty["decision_number"].replace("号", "-1号"),
                       "subject": {"id_number": staff[0]}, "fine_yuan": 30000,
                       "ban": {"until": (decided + timedelta(days=3650)).isoformat()}}
        if firm_projects and rng.random() < 0.06:
            status = rng.choice(["received", "verifying", "substantiated", "unsubstantiated"])
            received = today - timedelta(days=rng.randint(10, 400))
            verified = status in ("substantiated", "unsubstantiated")
            yield {"kind": "complaint", "ref": f"DC-{tag}-{project_number:07d}", "project_ref": rng.choice(firm_projects),
                   "received_on": received.isoformat(), "status": status,
                   "description": "项目实际由其他单位完成，该单位填报的业绩不实",
                   "verified_on": min(received + timedelta(days=20), today).isoformat() if verified else None,
                   "finding": "经核查，该单位未实际参与该项目，填报业绩不实" if status == "substantiated"
                   else ("经核查，举报内容不属实" if status == "unsubstantiated" else None),
                   "authority": f"{city}市生态环境局", "authority_division_code": city_code,
                   "complainant": {"name": "市民", "phone": "13800000000"}}


# Each demo regulator's own cases, appended after the generated data with their own seed and
# reference prefix so that the generated data stays as it is: in the regulator's jurisdiction, a firm with a
# penalty that may be repaired, one that may not be yet and one already repaired, a complaint in every status,
# and completed projects awaiting a review outcome. Dates are relative to the day the demo is loaded.
# (authority, its division, its abbreviation in decision numbers, the firm's city, name and county-level district)
REGULATOR_CASES_SEED = 20261203
REGULATOR_AREAS = [
    ("苏州市生态环境局", "320500", "苏", "苏州", "苏州恒清环境修复工程有限公司", "320506"),
    ("青岛市生态环境局", "370200", "青", "青岛", "青岛澄源环境修复工程有限公司", "370212"),
    ("山东省生态环境厅", "370000", "鲁", "济南", "济南泉润环境修复工程有限公司", "370102"),
]


def regulator_records(today: date, seed: int = REGULATOR_CASES_SEED) -> list[dict]:
    """Exchange-format records giving each demo regulator something to act on in its own jurisdiction."""
    rng = random.Random(seed)  # nosec B311: reproducible demo data, never a secret
    records: list[dict] = []
    for number, (authority, authority_code, abbreviation, city, firm_name, district) in enumerate(REGULATOR_AREAS, 1):
        firm: list[dict] = []
        firm_uscc = make_uscc(rng, district)
        firm.append({"kind": "unit", "uscc": firm_uscc, "name": firm_name, "legal_representative": person_name(rng),
                     "division_code": district, "address": f"{city}市环保产业园{rng.randrange(1, 99)}号",
                     "categories": ["investigation", "remediation_construction", "remediation_effect_evaluation"],
                     "established_on": "2015-06-18", "contact_phone": f"0{rng.randint(500, 539)}-{rng.randint(60000000, 89999999)}",
                     "commitment": {"signed_at": "2024-03-15T09:30:00+08:00", "signer": "法定代表人"}})
        staff = [make_id_number(rng, district) for _ in range(2)]
        for id_number, title in zip(staff, ("项目负责人", "技术负责人")):
            firm.append({"kind": "person", "id_number": id_number, "name": person_name(rng), "unit_uscc": firm_uscc,
                         "title": title, "commitment": {"signed_at": "2024-03-20T10:00:00+08:00", "signer": "本人"}})
        people = [{"id_number": staff[0], "role": "responsible_manager"},
                  {"id_number": staff[1], "role": "other_responsible"}]
        # (category, former use and its industry, started, completed): one reviewed, two awaiting review, one under way
        projects = [("investigation", FORMER_USES[0], today - timedelta(days=700), today - timedelta(days=560)),
                    ("investigation", FORMER_USES[2], today - timedelta(days=240), today - timedelta(days=35)),
                    ("remediation_effect_evaluation", FORMER_USES[4], today - timedelta(days=300),
                     today - timedelta(days=12)),
                    ("remediation_construction", FORMER_USES[6], today - timedelta(days=150), None)]
        refs = []
        for index, (category, (use, industry), started, completed) in enumerate(projects, 1):
            ref = f"DR-{authority_code}-{index:03d}"
            refs.append(ref)
            firm.append({"kind": "project", "ref": ref, "unit_uscc": firm_uscc, "category": category,
                         "name": f"原{city}{use}地块{CATEGORIES[category].zh}项目", "parcel_name": f"原{city}{use}地块",
                         "division_code": district, "area_m2": rng.randint(8000, 90000),
                         "owner": OWNERS[0].format(city=city), "former_industry": industry,
                         "started_on": started.isoformat(),
                         "contract_deadline": (started + timedelta(days=rng.randint(200, 260))).isoformat(),
                         "completed_on": completed.isoformat() if completed else None, "people": people})
        firm.append({"kind": "review", "project_ref": refs[0], "report_type": "investigation_report", "round": 1,
                     "reviewed_on": (today - timedelta(days=530)).isoformat(), "passed": True, "authority": authority,
                     "authority_division_code": authority_code})
        records += _with_employment_dates(firm)
        records += _regulator_penalties(today, number, authority, authority_code, abbreviation, firm_uscc)
        records += _regulator_complaints(today, authority, authority_code, refs)
    return records


def _regulator_penalties(today: date, number: int, authority: str, authority_code: str, abbreviation: str,
                         firm_uscc: str) -> list[dict]:
    """Three ordinary decisions against the firm: the minimum publicity period passed (repairable), not yet passed
    (a serious case: twelve months at least), and one already repaired."""
    cases = [(200, "ordinary", None, "未按规定开展土壤污染状况调查", "《中华人民共和国土壤污染防治法》第九十四条", 100000),
             (40, "serious", None, "出具虚假调查报告", "《中华人民共和国土壤污染防治法》第九十条", 500000),
             (420, "ordinary", 150, "未按规定报送修复效果评估报告", "《中华人民共和国土壤污染防治法》第九十四条", 50000)]
    penalties = []
    for index, (days_ago, severity, repaired_after, violation, basis, fine) in enumerate(cases, 1):
        decided = today - timedelta(days=days_ago)
        penalties.append({"kind": "penalty", "decision_number": f"{abbreviation}环罚〔{decided.year}〕{700 + 10 * number + index}号",
                          "subject": {"uscc": firm_uscc}, "authority": authority, "authority_division_code": authority_code,
                          "decided_on": decided.isoformat(), "kinds": ["fine"], "severity": severity, "fine_yuan": fine,
                          "violation_type": violation, "violation": f"{violation}，经立案调查属实", "basis": basis,
                          "ban": None,
                          **({"repaired_on": (decided + timedelta(days=repaired_after)).isoformat()}
                             if repaired_after else {})})
    return penalties


def _regulator_complaints(today: date, authority: str, authority_code: str, refs: list[str]) -> list[dict]:
    """One complaint in each status, received by the regulator on the firm's projects."""
    cases = [("received", refs[1], 5, None), ("verifying", refs[2], 24, None),
             ("substantiated", refs[0], 300, "经核查，项目负责人未实际到场开展调查，填报的人员信息不实"),
             ("unsubstantiated", refs[3], 90, "经核查，举报内容不属实")]
    complaints = []
    for index, (status, ref, days_ago, finding) in enumerate(cases, 1):
        received = today - timedelta(days=days_ago)
        complaints.append({"kind": "complaint", "ref": f"DRC-{authority_code}-{index:03d}", "project_ref": ref,
                           "received_on": received.isoformat(), "status": status,
                           "description": "该项目的现场工作与填报情况不符，请核查",
                           "verified_on": (received + timedelta(days=30)).isoformat() if finding else None,
                           "finding": finding, "authority": authority, "authority_division_code": authority_code,
                           "complainant": {"name": "市民", "phone": "13800000000"}})
    return complaints


DEMO_ACCOUNTS = [
    ("admin", "国家管理员 National administrator", "admin", None, None),
    ("regulator-shandong", "山东省生态环境厅", "regulator", "370000", "山东省生态环境厅"),
    ("regulator-qingdao", "青岛市生态环境局", "regulator", "370200", "青岛市生态环境局"),
    ("regulator-suzhou", "苏州市生态环境局", "regulator", "320500", "苏州市生态环境局"),
]


def _previous_code(secret: str) -> str:
    """The previous half-minute's code, taken where the half-minute does not turn before the code is checked: the
    check accepts a neighbouring half-minute's code only, and a code taken in the last instant of one was two
    half-minutes old by its check (a loaded machine failed the demo's loading so)."""
    totp = pyotp.TOTP(secret)
    left = totp.interval - time.time() % totp.interval
    if left < 2:
        time.sleep(left)
    return totp.at(time.time() - totp.interval)


def load_demo(firms: int = 300, progress: Callable[[int], None] | None = None) -> str:
    """Load the demo into an empty registry and create one account per role; returns what to tell the user."""
    if db.session.scalar(select(Unit.id).limit(1)) is not None:
        if db.session.scalar(select(Account.id).where(Account.username == "admin")) is not None:
            return "the demo is already loaded; " + demo_accounts_text()
        raise DemoRefused("登记系统中已有数据，演示数据只能载入空库 / the registry is not empty; the demo loads only into an empty one")
    records = list(generate_records(firms))
    step = max(1, len(records) // 10)
    for start in range(0, len(records), step):
        import_records(SYSTEM, records[start:start + step])
        if progress:
            progress(min(step, len(records) - start) * 100 // len(records))
    cases = regulator_records(beijing_today())
    import_records(SYSTEM, cases)
    for username, display, role, division, authority in DEMO_ACCOUNTS:
        staff = create_account(SYSTEM, username=username, password=DEMO_PASSWORD, role=role, display_name=display,
                               division_code=division, authority_name=authority)
        # enrolled with the previous half-minute's code, so that the code shown now is still free for a sign-in
        second_factor.enrol(Actor.of(staff), DEMO_TOTP_SECRET, _previous_code(DEMO_TOTP_SECRET))
    firm = _demo_firm()
    firm_account = create_account(SYSTEM, username=firm.uscc, password=DEMO_PASSWORD, role="unit",
                                  display_name=firm.name, unit_id=firm.id)
    # The demo firm and person have signed the letter in force, so their dashboards show no pending signature.
    letter = latest_text().version
    sign_unit_commitment(Actor.of(firm_account), firm.id, text_version=letter, signer=firm.legal_representative,
                         truthfulness=True, consent_to_publish=True)
    person = next((e.person for e in _current_staff(firm) if e.person.commitment_signed_at), None)
    if person is not None:
        person_account = create_account(SYSTEM, username=DEMO_PERSON, password=DEMO_PASSWORD, role="person",
                                        display_name=person.name, person_id=person.id, unit_id=firm.id)
        sign_person_commitment(Actor.of(person_account), text_version=letter, signer=person.name, truthfulness=True,
                               consent_to_publish=True)
    current_app.logger.info("demo data loaded")
    return f"{len(records) + len(cases)} records loaded; " + demo_accounts_text()


def _demo_firm() -> Unit:
    """The firm the demo firm account signs in as: the first firm that had signed its commitment."""
    return db.session.scalar(select(Unit).where(Unit.commitment_signed_at.is_not(None)).order_by(Unit.id))


def demo_accounts_text() -> str:
    """The demo accounts, one per line, as the console and the README show them (never an account someone
    registered while trying the demo: it has its own password)."""
    lines = [f"demo accounts (password {DEMO_PASSWORD}):"]
    firm = _demo_firm()
    usernames = [username for username, *_rest in DEMO_ACCOUNTS] + [DEMO_PERSON] + ([firm.uscc] if firm else [])
    accounts = db.session.scalars(select(Account).where(Account.username.in_(usernames)).order_by(Account.id))
    for account in accounts:
        lines.append(f"  {account.role:10} {account.username:20} {account.display_name}")
    lines.append(f"second factor of the regulators and the administrator: TOTP key {DEMO_TOTP_SECRET} "
                 "(add it to an authenticator app)")
    return "\n".join(lines)


def _current_staff(firm: Unit):
    return db.session.scalars(select(Employment).where(Employment.unit_id == firm.id, Employment.ended_on.is_(None)))
