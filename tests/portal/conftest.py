"""Shared data for the public portal's tests: the contract example, loaded through the exchange import."""
from pathlib import Path

import pytest

from registry.access import SYSTEM
from registry.exchange import import_jsonl
from tests.factories import (
    complaint_record, create, make_id_number, make_uscc, penalty_record, person_record, project_record, review_record,
    unit_record,
)

CONTRACT = Path(__file__).resolve().parents[1] / "data" / "contract_sample.jsonl"

QINGDAO = "9137020035791357M0"
HEFEI = "9134010024681357NB"
LIN_ID = "370202198403120458"
GAO_ID = "340102198808080668"


@pytest.fixture
def contract(app):
    """The worked example of the contract, imported into an empty registry."""
    with CONTRACT.open(encoding="utf-8") as f:
        report = import_jsonl(SYSTEM, f)
    return report


# -- a small registry of firms, each showing one rule of what is public ------------------------------------

SUJING = make_uscc("320500", 101)  # signed; 3 projects; first pass 1/2; on time 1/2
JIAOHUA = make_uscc("140100", 102)  # signed; banned until 2027-12-31 by a public penalty
LVYUAN = make_uscc("330100", 103)  # signed; 2/2 first pass; a substantiated finding on one project; a minor penalty
JINGTU = make_uscc("310100", 104)  # unsigned; only a repaired penalty: listed nowhere
YUEQING = make_uscc("440100", 105)  # signed but withheld (non-disclosed); a public penalty: name and code only
JINGHUA = make_uscc("110100", 106)  # signed; a lifetime ban whose penalty's publicity has ended
HUAXIA = make_uscc("420100", 107)  # unsigned; a public review of its project: listed by name and code

WANG_ID = make_id_number("110105", "19800101", 201)  # 王建国, signed, roles on SU-1 and SU-2
LI_ID = make_id_number("370202", "19860505", 202)  # 李四, unsigned, a public penalty: listed
ZHAO_ID = make_id_number("110105", "19900909", 203)  # 赵六, unsigned, nothing public: not listed

ALL_FULL_ID_NUMBERS = [WANG_ID, LI_ID, ZHAO_ID, LIN_ID, GAO_ID]
SECRET_STRINGS = ["0532-80000000", "13900000000", "举报人甲", "市民甲", "13600000000", "0532-80000001",
                  "赵六", "上海净土修复工程有限公司", "粤清路8号", "尚未核实的举报内容"]


def registry_records() -> list[dict]:
    """Firms, persons, projects, reviews, penalties and complaints covering every rule of publication."""
    return [
        unit_record(SUJING, name="江苏苏净环保科技有限公司", division_code="320506",
                    categories=["remediation_construction", "investigation"]),
        unit_record(JIAOHUA, name="山西焦化土壤修复有限公司", division_code="140105", categories=["risk_assessment"]),
        unit_record(LVYUAN, name="浙江绿源环境检测有限公司", division_code="330106", categories=["monitoring"]),
        unit_record(JINGTU, name="上海净土修复工程有限公司", division_code="310115", signed=False),
        unit_record(YUEQING, name="广东粤清环境有限公司", division_code="440106", address="广州市粤清路8号",
                    non_disclosed={"reason": "依法不予公开"}),
        unit_record(JINGHUA, name="北京京华修复有限公司", division_code="110105"),
        unit_record(HUAXIA, name="湖北华夏环境工程有限公司", division_code="420106", signed=False),
        person_record(SUJING, WANG_ID, name="王建国"),
        person_record(JIAOHUA, LI_ID, name="李四", signed=False),
        person_record(LVYUAN, ZHAO_ID, name="赵六", signed=False),
        project_record(SUJING, "SU-1", name="苏州某农药厂地块修复工程", parcel_name="原苏州农药厂地块",
                       division_code="320505", area_m2=30000, former_industry="C2631", owner="苏州市土地储备中心",
                       contract_deadline="2024-06-30", completed_on="2024-06-01",
                       people=[{"id_number": WANG_ID, "role": "responsible_manager"}]),
        project_record(SUJING, "SU-2", name="无锡某焦化厂地块风险评估", parcel_name="原无锡焦化厂地块",
                       category="risk_assessment", division_code="320206", area_m2=60000, former_industry="C2521",
                       owner="无锡城投集团", contract_deadline="2024-03-31", completed_on="2024-04-10",
                       people=[{"id_number": WANG_ID, "role": "other_responsible"}]),
        project_record(SUJING, "SU-3", name="南京某电镀厂地块调查", parcel_name="原南京电镀厂地块",
                       category="investigation", division_code="320105", area_m2=5000, former_industry="C3360",
                       owner="南京市土地储备中心", contract_deadline="2027-03-31", completed_on=None),
        project_record(JIAOHUA, "JH-1", name="太原某焦化厂地块风险评估", parcel_name="原太原焦化厂地块",
                       category="risk_assessment", division_code="140105", area_m2=80000, former_industry="C2521",
                       owner="太原市土地储备中心", contract_deadline="2023-12-31", completed_on="2023-12-01"),
        project_record(LVYUAN, "LY-1", name="杭州某化工厂地块调查", parcel_name="原杭州化工厂地块",
                       category="investigation", division_code="330106", area_m2=12000, former_industry="C2614",
                       owner="杭州市土地储备中心"),
        project_record(LVYUAN, "LY-2", name="宁波某印染厂地块调查", parcel_name="原宁波印染厂地块",
                       category="investigation", division_code="330203", area_m2=15000, former_industry="C1713",
                       owner="宁波市土地储备中心", people=[{"id_number": ZHAO_ID, "role": "responsible_manager"}]),
        project_record(LVYUAN, "LY-3", name="温州某皮革厂地块监测", parcel_name="原温州皮革厂地块（保密）",
                       category="monitoring", division_code="330302", area_m2=9000, former_industry="C1910",
                       non_disclosed={"reason": "涉及国家秘密"}),
        project_record(YUEQING, "YQ-1", name="广州某钢铁厂地块修复", division_code="440106", area_m2=70000,
                       former_industry="C3110"),
        project_record(HUAXIA, "HX-1", name="武汉某化肥厂地块调查", parcel_name="原武汉化肥厂地块",
                       category="investigation", division_code="420106", area_m2=40000, former_industry="C2621"),
        review_record("SU-1", 1, True, report_type="remediation_effect_report", reviewed_on="2024-07-01"),
        review_record("SU-2", 1, False, report_type="risk_assessment_report", reviewed_on="2024-05-01"),
        review_record("SU-2", 2, True, report_type="risk_assessment_report", reviewed_on="2024-06-01"),
        review_record("JH-1", 1, True, report_type="risk_assessment_report", reviewed_on="2024-01-15"),
        review_record("LY-1", 1, True, report_type="investigation_report", reviewed_on="2025-03-01"),
        review_record("LY-2", 1, True, report_type="investigation_report", reviewed_on="2025-04-01"),
        review_record("HX-1", 1, False, report_type="investigation_report", reviewed_on="2025-05-01"),
        penalty_record({"uscc": JIAOHUA}, "晋环罚〔2026〕5号", authority="山西省生态环境厅", decided_on="2026-06-01",
                       kinds=["fine", "practice_ban"], ban={"until": "2027-12-31"}, fine_yuan=500000,
                       violation="出具虚假风险评估报告"),
        penalty_record({"uscc": LVYUAN}, "浙环罚〔2026〕9号", decided_on="2026-06-01", severity="minor",
                       kinds=["warning"]),
        penalty_record({"uscc": JINGTU}, "沪环罚〔2026〕3号", decided_on="2026-05-01", repaired_on="2026-10-01"),
        penalty_record({"uscc": YUEQING}, "粤环罚〔2026〕7号", decided_on="2026-09-01"),
        penalty_record({"uscc": JINGHUA}, "京环罚〔2025〕1号", decided_on="2025-01-01",
                       publicity_ends_on="2026-01-01", kinds=["practice_ban"], ban={"lifetime": True},
                       violation="伪造修复效果评估报告"),
        penalty_record({"id_number": LI_ID}, "晋环罚〔2026〕6号", authority="山西省生态环境厅", decided_on="2026-06-01",
                       kinds=["fine"], fine_yuan=30000),
        complaint_record("LY-1", "C-SUB", status="substantiated", finding="经核查，该项目监测业绩系虚构"),
        complaint_record("LY-2", "C-REC", status="received", description="尚未核实的举报内容"),
        complaint_record("SU-1", "C-UNS", status="unsubstantiated", finding="经核查，举报内容不属实"),
    ]


@pytest.fixture
def registry_data(app):
    """The small registry above, imported through the exchange format."""
    return create(*registry_records())


def unit_id(uscc: str) -> int:
    from sqlalchemy import select

    from registry.extensions import db
    from registry.models import Unit

    return db.session.scalar(select(Unit.id).where(Unit.uscc == uscc))
