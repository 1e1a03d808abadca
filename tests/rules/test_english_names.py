"""English names of the code lists: every division of today and every GB/T 4754-2017 code reads in English."""
import json
import re
import subprocess
import sys

from registry.reference import PROVINCES, industries, industry_names_en
from registry.rules.divisions import (PINYIN_TABLE, _current_names, division_name_en, english_local_name, pinyin_table,
                                     romanise, romanise_by_pinyin)
from registry.rules.industries import industry_name_en

CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]")


def test_every_division_of_today_has_an_ascii_english_name():
    codes = sorted(_current_names())
    assert len(codes) > 3000
    names = {code: division_name_en(code) for code in codes}
    not_ascii = {code: name for code, name in names.items() if not name.isascii() or not name.strip()}
    assert not_ascii == {}
    # every name ends with its province's English, and no level word is left untranslated
    assert all(name.endswith(PROVINCES[code[:2]].en) for code, name in names.items())


def test_county_city_province_in_the_usual_order():
    assert division_name_en("440305") == "Nanshan District, Shenzhen, Guangdong"
    assert division_name_en("370202") == "Shinan District, Qingdao, Shandong"
    assert division_name_en("320583") == "Kunshan City, Suzhou, Jiangsu"
    assert division_name_en("340100") == "Hefei, Anhui"
    assert division_name_en("610000") == "Shaanxi"  # not Shanxi (140000)
    assert division_name_en("140000") == "Shanxi"


def test_municipalities_and_special_administrative_regions_by_their_usual_names():
    assert division_name_en("110101") == "Dongcheng District, Beijing"
    assert division_name_en("500235") == "Yunyang County, Chongqing"
    assert division_name_en("810000") == "Hong Kong"
    assert division_name_en("820000") == "Macao"


def test_level_words_autonomous_areas_and_banners():
    assert division_name_en("222400") == "Yanbian Korean Autonomous Prefecture, Jilin"
    assert division_name_en("513200") == "Aba Tibetan Qiang Autonomous Prefecture, Sichuan"
    assert english_local_name("长阳土家族自治县") == "Changyang Tujia Autonomous County"
    assert english_local_name("双江拉祜族佤族布朗族傣族自治县") == "Shuangjiang Lahu Va Blang Dai Autonomous County"
    assert english_local_name("科尔沁右翼前旗") == "Horqin Right Wing Front Banner"
    assert english_local_name("锡林郭勒盟") == "Xilin Gol League"
    assert english_local_name("和田地区") == "Hotan Prefecture"
    assert english_local_name("浦东新区") == "Pudong New Area"
    assert english_local_name("碑林区") == "Beilin District"  # 林区 here is not a forestry district
    assert english_local_name("神农架林区") == "Shennongjia Forestry District"
    assert english_local_name("深圳市", bare_city=True) == "Shenzhen"


def test_place_readings_and_syllable_apostrophes():
    assert romanise("西安") == "Xi'an"
    assert romanise("长沙") == "Changsha" and romanise("长子") == "Zhangzi"
    assert romanise("朝阳") == "Chaoyang"
    assert romanise("重庆") == "Chongqing"
    assert romanise("漯河") == "Luohe"


def test_every_section_and_division_of_gbt4754_has_its_english_name():
    codes = {code for code, entry in industries().items() if entry.level <= 2}
    assert len([c for c in codes if len(c) == 1]) == 20 and len(codes) == 20 + 97
    assert set(industry_names_en()) == codes
    assert industry_name_en("C26") == "Manufacture of Raw Chemical Materials and Chemical Products"
    assert industry_name_en("N") == "Management of Water Conservancy, Environment and Public Facilities"


def test_finer_industry_codes_fall_back_to_their_division():
    assert industry_name_en("C2614") == industry_name_en("C26")
    assert industry_name_en("C261") == industry_name_en("C26")
    assert industry_name_en("Z99") == "Z99"  # unknown: the code itself
    assert all(not CJK.search(industry_name_en(code)) and industry_name_en(code) != code for code in industries())


def test_the_stored_pinyin_is_what_pypinyin_reads_for_every_name_of_the_division_list():
    stored = json.loads(PINYIN_TABLE.read_text(encoding="utf-8"))
    assert stored == pinyin_table(), "python -m registry.rules.divisions rewrites it"
    assert len(stored) > 3000
    assert romanise("苏州") == romanise_by_pinyin("苏州") == "Suzhou"
    assert romanise("新安江源") == "Xin'anjiangyuan"  # not in the division list: read by pypinyin


def test_a_server_puts_every_division_into_english_without_loading_pypinyin():
    """pypinyin's dictionaries cost each worker 56 MB; the stored table answers for every name of cn/loc."""
    script = (
        "import sys\n"
        "from registry.rules.divisions import _current_names, current_counties, division_name_en,"
        " english_local_name\n"
        "assert all(division_name_en(code) for code in _current_names())\n"
        "assert all(english_local_name(c.name) and english_local_name(c.city, bare_city=True)"
        " for c in current_counties() if c.city)\n"
        "assert 'pypinyin' not in sys.modules, 'pypinyin was loaded'\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
