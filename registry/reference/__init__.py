"""Code lists as data (reference/codes.md): stable codes with their Chinese and English labels."""
import csv
from functools import cache
from pathlib import Path
from typing import NamedTuple


class Label(NamedTuple):
    zh: str
    en: str


CATEGORIES: dict[str, Label] = {
    "investigation": Label("土壤污染状况调查", "soil-pollution investigation"),
    "risk_assessment": Label("土壤污染风险评估", "risk assessment"),
    "risk_control_design": Label("风险管控方案编制", "risk-control plan preparation"),
    "risk_control_construction": Label("风险管控施工", "risk-control construction"),
    "remediation_design": Label("修复方案编制", "remediation plan preparation"),
    "remediation_construction": Label("修复施工", "remediation construction"),
    "risk_control_effect_evaluation": Label("风险管控效果评估", "risk-control effect evaluation"),
    "remediation_effect_evaluation": Label("修复效果评估", "remediation effect evaluation"),
    "post_management": Label("后期管理", "post-management"),
    "supervision": Label("工程监理", "engineering supervision"),
    "monitoring": Label("土壤和地下水监测", "soil and groundwater monitoring"),
}

REPORT_TYPES: dict[str, Label] = {
    "investigation_report": Label("土壤污染状况调查报告", "investigation report"),
    "risk_assessment_report": Label("土壤污染风险评估报告", "risk-assessment report"),
    "risk_control_effect_report": Label("风险管控效果评估报告", "risk-control effect evaluation report"),
    "remediation_effect_report": Label("修复效果评估报告", "remediation effect evaluation report"),
}

ROLES: dict[str, Label] = {
    "responsible_manager": Label("直接负责的主管人员", "directly responsible manager"),
    "other_responsible": Label("其他直接责任人员", "other directly responsible person"),
}

PENALTY_KINDS: dict[str, Label] = {
    "warning": Label("警告", "warning"),
    "circulated_criticism": Label("通报批评", "circulated criticism"),
    "fine": Label("罚款", "fine"),
    "confiscation_of_illegal_gains": Label("没收违法所得", "confiscation of illegal gains"),
    "confiscation_of_illegal_property": Label("没收非法财物", "confiscation of illegal property"),
    "licence_suspension": Label("暂扣许可证件", "licence suspension"),
    "qualification_downgrade": Label("降低资质等级", "qualification downgrade"),
    "licence_revocation": Label("吊销许可证件", "licence revocation"),
    "business_restriction": Label("限制开展生产经营活动", "restriction of business activities"),
    "production_suspension": Label("责令停产停业", "order to suspend production"),
    "closure": Label("责令关闭", "order to close"),
    "practice_restriction": Label("限制从业", "practice restriction"),
    "practice_ban": Label("禁止从业", "practice ban"),
    "detention": Label("行政拘留", "administrative detention"),
    "other": Label("其他", "other"),
}

SEVERITIES: dict[str, Label] = {
    "minor": Label("轻微", "minor"),
    "ordinary": Label("一般", "ordinary"),
    "serious": Label("严重", "serious"),
}

COMPLAINT_STATUSES: dict[str, Label] = {
    "received": Label("已受理", "received"),
    "verifying": Label("核查中", "verifying"),
    "substantiated": Label("属实", "substantiated"),
    "unsubstantiated": Label("不属实", "unsubstantiated"),
}

# The identity document of a person named in a penalty decision (its number is never public).
ID_TYPES: dict[str, Label] = {"resident_id_card": Label("居民身份证", "resident identity card")}

# GB/T 2260: the first two digits of a division code.
PROVINCES: dict[str, Label] = {
    "11": Label("北京市", "Beijing"), "12": Label("天津市", "Tianjin"), "13": Label("河北省", "Hebei"),
    "14": Label("山西省", "Shanxi"), "15": Label("内蒙古自治区", "Inner Mongolia"), "21": Label("辽宁省", "Liaoning"),
    "22": Label("吉林省", "Jilin"), "23": Label("黑龙江省", "Heilongjiang"), "31": Label("上海市", "Shanghai"),
    "32": Label("江苏省", "Jiangsu"), "33": Label("浙江省", "Zhejiang"), "34": Label("安徽省", "Anhui"),
    "35": Label("福建省", "Fujian"), "36": Label("江西省", "Jiangxi"), "37": Label("山东省", "Shandong"),
    "41": Label("河南省", "Henan"), "42": Label("湖北省", "Hubei"), "43": Label("湖南省", "Hunan"),
    "44": Label("广东省", "Guangdong"), "45": Label("广西壮族自治区", "Guangxi"), "46": Label("海南省", "Hainan"),
    "50": Label("重庆市", "Chongqing"), "51": Label("四川省", "Sichuan"), "52": Label("贵州省", "Guizhou"),
    "53": Label("云南省", "Yunnan"), "54": Label("西藏自治区", "Tibet"), "61": Label("陕西省", "Shaanxi"),
    "62": Label("甘肃省", "Gansu"), "63": Label("青海省", "Qinghai"), "64": Label("宁夏回族自治区", "Ningxia"),
    "65": Label("新疆维吾尔自治区", "Xinjiang"), "71": Label("台湾省", "Taiwan"),
    "81": Label("香港特别行政区", "Hong Kong"), "82": Label("澳门特别行政区", "Macao"),
}

# GB/T 3304: the ethnic groups that name autonomous prefectures, counties and banners, in their usual English.
ETHNIC_GROUPS: dict[str, str] = {
    "蒙古": "Mongol", "回": "Hui", "藏": "Tibetan", "维吾尔": "Uygur", "苗": "Miao", "彝": "Yi", "壮": "Zhuang",
    "布依": "Bouyei", "朝鲜": "Korean", "满": "Manchu", "侗": "Dong", "瑶": "Yao", "白": "Bai", "土家": "Tujia",
    "哈尼": "Hani", "哈萨克": "Kazak", "傣": "Dai", "黎": "Li", "傈僳": "Lisu", "佤": "Va", "畲": "She",
    "高山": "Gaoshan", "拉祜": "Lahu", "水": "Shui", "东乡": "Dongxiang", "纳西": "Naxi", "景颇": "Jingpo",
    "柯尔克孜": "Kirgiz", "土": "Tu", "达斡尔": "Daur", "仫佬": "Mulao", "羌": "Qiang", "布朗": "Blang",
    "撒拉": "Salar", "毛南": "Maonan", "仡佬": "Gelao", "锡伯": "Xibe", "阿昌": "Achang", "普米": "Pumi",
    "塔吉克": "Tajik", "怒": "Nu", "乌孜别克": "Uzbek", "俄罗斯": "Russian", "鄂温克": "Ewenki", "德昂": "De'ang",
    "保安": "Bonan", "裕固": "Yugur", "京": "Gin", "塔塔尔": "Tatar", "独龙": "Derung", "鄂伦春": "Oroqen",
    "赫哲": "Hezhen", "门巴": "Monba", "珞巴": "Lhoba", "基诺": "Jino",
}

# The materials of a credit-repair application. measures.md names none; [design] these follow the national
# rule on repairing credit information (《失信行为纠正后的信用信息修复管理办法（试行）》, NDRC Order No. 58 of
# 2023): the application, a written promise of good faith, proof that the penalty's duties were performed.
REPAIR_MATERIALS: dict[str, Label] = {
    "application_letter": Label("信用修复申请书", "credit-repair application letter"),
    "good_faith_pledge": Label("信用承诺书", "written pledge of good faith"),
    "performance_proof": Label("履行行政处罚决定的证明材料", "proof that the penalty decision was performed"),
    "rectification_proof": Label("违法行为已整改的证明材料", "proof that the violation was rectified"),
    "other": Label("其他材料", "other materials"),
}

CODE_LISTS: dict[str, dict[str, Label]] = {
    "category": CATEGORIES,
    "report_type": REPORT_TYPES,
    "role": ROLES,
    "penalty_kind": PENALTY_KINDS,
    "severity": SEVERITIES,
    "repair_material": REPAIR_MATERIALS,
    "complaint_status": COMPLAINT_STATUSES,
    "id_type": ID_TYPES,
    "province": PROVINCES,
}


class Industry(NamedTuple):
    code: str
    level: int
    name: str


@cache
def industries() -> dict[str, Industry]:
    """GB/T 4754-2017: every section, division, group and class, keyed by code, in the file's order."""
    path = Path(__file__).with_name("gbt4754-2017-industries.csv")
    with path.open(encoding="utf-8", newline="") as f:
        return {row["code"]: Industry(row["code"], int(row["level"]), row["name"]) for row in csv.DictReader(f)}


@cache
def industry_names_en() -> dict[str, str]:
    """The official English names of GB/T 4754-2017's sections and divisions, keyed by code."""
    path = Path(__file__).with_name("gbt4754-2017-industries-en.csv")
    with path.open(encoding="utf-8", newline="") as f:
        return {row["code"]: row["name_en"] for row in csv.DictReader(f)}


COMMITMENT_TEXT_V1 = """建设用地土壤污染风险管控和修复从业单位和个人信用记录承诺书

本单位（本人）郑重承诺：
一、在建设用地土壤污染风险管控和修复从业单位和个人执业情况信用记录系统中填报的基本情况信息、业绩情况信息真实、准确、完整，不存在虚假记载、误导性陈述或者重大遗漏；
二、信息发生变化时，于二十个工作日内在系统中更新；
三、对填报信息的真实性、准确性和完整性承担法律责任，自愿接受生态环境主管部门的监督检查和社会监督；
四、如有虚假，愿意承担由此产生的一切法律责任，并接受依法作出的行政处罚和失信记录。
"""

CONSENT_TEXT_V1 = """同意公开声明

本单位（本人）同意在信用记录系统中向社会公开本单位（本人）的基本情况信息和业绩情况信息。公开时身份证号码仅显示前六位和后四位。本同意与上述真实性承诺相互独立（《中华人民共和国个人信息保护法》第二十五条），可以单独作出。
"""
