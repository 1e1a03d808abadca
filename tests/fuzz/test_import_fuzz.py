"""The import format fuzzed: valid exchange-format lines mutated field by field (wrong types,
missing and unknown fields, huge strings, control characters, NUL bytes, any Unicode, bad check characters, bad
and extreme dates, negative and huge numbers, unknown codes and kinds, broken JSON) either import or are refused
with an ExchangeError naming the line and the field, never any other exception; a refused file changes no
table."""
import copy
import json

from hypothesis import example, given
from hypothesis import strategies as st

from registry.access import SYSTEM
from registry.exchange import ExchangeError, import_jsonl
from tests import factories as f
from tests.fuzz.conftest import GENERATED, budget, fuzzing, generated, row_counts

MUTATED_LINE_EXAMPLES = 4300
RAW_TEXT_EXAMPLES = 1500

FIRM = f.make_uscc("370200", 9001)
OTHER_FIRM = f.make_uscc("340100", 9002)
PERSON = f.make_id_number("370202", "19840312", 901)
PROJECT = "FUZZ-P1"

# One valid line of every kind, all referring to records already in the registry (so each line is valid alone).
BASE = {
    "unit": f.unit_record(FIRM, name="模糊测试修复有限公司", division_code="370202",
                          established_on="2010-05-04", non_disclosed=None, registered=True,
                          registration_confirmed_at="2025-01-06T09:30:00+08:00"),
    "person": f.person_record(FIRM, PERSON, name="模糊测试人员", registered=True, employed_since="2019-03-01",
                              employed_until=None, end_entered_on=None, earlier_employments=[
                                  {"unit_uscc": FIRM, "title": "工程师", "started_on": "2015-01-01",
                                   "ended_on": "2018-12-31", "end_entered_on": "2019-01-05"}]),
    "project": f.project_record(FIRM, PROJECT, started_on="2023-01-01",
                                people=[{"id_number": PERSON, "role": "responsible_manager"}]),
    "review": f.review_record(PROJECT, 1, passed=False),
    "penalty": f.penalty_record({"uscc": FIRM}, "模糊环罚〔2026〕1号", ban={"until": "2027-01-01"}, severity="serious",
                                publicity_ends_on="2027-09-01", repaired_on=None),
    "complaint": f.complaint_record(PROJECT, "FUZZ-C1", status="substantiated"),
}
BASE["review"]["round"] = 1


def leaf_paths(value, prefix=()):
    """Every path to a value inside a record (nested objects and list items included)."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaf_paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaf_paths(item, (*prefix, index))


PATHS = {kind: [p for p in leaf_paths(record) if p] for kind, record in BASE.items()}

CONTROL = st.text(st.characters(categories=["Cc", "Cf", "Cs", "Zl", "Zp"]), min_size=1, max_size=20)
BAD_DATES = st.sampled_from([
    "2026-02-30", "2026-13-01", "0000-01-01", "26-1-1", "2026/01/01", "2026-1-1", "20260101", "9999-12-31",
    "0001-01-01", "2026-01-01T00:00:00", "２０２６-０１-０１", "-2026-01-01", "2026-01-01\x00", "", " ",
    "2026-09-01T09:30:00", "2026-09-01T09:30:00+25:00", "10000-01-01"])
CODES = st.sampled_from([
    "unknown", "", " ", "remediation_construction ", "REMEDIATION_CONSTRUCTION", "fine\x00", "终身", "lifetime",
    "000000", "999999", "37020", "3702021", "37020x", "370202", "110000", "C", "C26", "C2614", "Z9999", "c2614",
    "C26141", "X", "None", "null", "true", "ordinary", "serious", "minor", "received", "substantiated"])
NUMBERS = st.one_of(
    st.integers(min_value=-2**70, max_value=2**70), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["1e400", "-0", "NaN", "sNaN", "-sNaN", "Infinity", "-Infinity", "1e-400", "9" * 400, "0.001", "1,000", "１２", "12.345", "-1", "99999999999999.99",
                     "1e15", 0, -1, 10**20, 1e-300, 0.005, -0.0, 10**399, float("nan"), float("inf")]))
HUGE = st.builds(lambda text, times: text * times, st.text(min_size=1, max_size=3), st.integers(300, 30_000))
IDENTIFIERS = st.one_of(
    st.sampled_from([FIRM, OTHER_FIRM, PERSON, PROJECT, FIRM.lower(), f" {FIRM} ", PERSON[:-1] + "x",
                     f.make_uscc("370200", 9003), f.make_id_number("110105", "19900101", 77),
                     f.make_id_number("370202", "20991231", 1), f.make_id_number("999999", "19840312", 3),
                     FIRM[:17] + ("0" if FIRM[-1] != "0" else "1"), PERSON[:17] + ("0" if PERSON[-1] != "0" else "1")]),
    st.text("0123456789ABCDEFGHJKLMNPQRTUWXYZx", min_size=17, max_size=19))
HOSTILE = st.one_of(
    st.none(), st.booleans(), NUMBERS, st.text(max_size=40), CONTROL, st.text(max_size=10).map(lambda t: t + "\x00"),
    HUGE, BAD_DATES, st.dates().map(lambda d: d.isoformat()), st.datetimes().map(lambda d: d.isoformat()),
    CODES, IDENTIFIERS,
    st.lists(st.one_of(st.text(max_size=8), st.integers(), CODES), max_size=3),
    st.dictionaries(st.sampled_from(["uscc", "id_number", "until", "lifetime", "reason", "signed_at", "signer", "x"]),
                    st.one_of(st.none(), st.booleans(), st.text(max_size=8), IDENTIFIERS, BAD_DATES), max_size=3))


def set_path(record, path, value):
    target = record
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


def del_path(record, path):
    target = record
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]


@st.composite
def mutated_line(draw, kind):
    """One line of `kind`, mutated once: a field replaced, removed or added, or the line itself broken."""
    record = copy.deepcopy(BASE[kind])
    how = draw(st.sampled_from(["replace", "replace", "replace", "remove", "add", "kind", "broken", "intact"]))
    if how in ("replace", "remove"):
        path = draw(st.sampled_from(PATHS[kind]))
        if how == "replace":
            set_path(record, path, draw(HOSTILE))
        else:
            del_path(record, path)
    elif how == "add":
        record[draw(st.text(max_size=12))] = draw(HOSTILE)
    elif how == "kind":
        record["kind"] = draw(st.one_of(CODES, st.text(max_size=10), st.sampled_from(["meta", "Unit", "units"])))
    text = json.dumps(record, ensure_ascii=draw(st.booleans()), allow_nan=True)
    if how == "broken":
        text = draw(st.one_of(
            st.integers(0, len(text) - 1).map(lambda cut: text[:cut]),  # a truncated line
            st.sampled_from(["[]", "1", '"unit"', "null", "{", "}", "{'kind': 'unit'}", '{"kind": "unit",}',
                             text.replace('"', "'"), text + "}", text + text, "\ufeff" + text, text + "\x00"]),
            st.text(max_size=60)))
    return text


LINES = st.sampled_from(list(BASE)).flatmap(mutated_line)


def assert_import_or_refusal(lines: list[str]) -> None:
    """The file imports, or an ExchangeError names a line of it and a field, and then no table changed."""
    before = row_counts()
    try:
        import_jsonl(SYSTEM, lines)
    except ExchangeError as error:
        assert 1 <= error.line <= len(lines), error
        assert isinstance(error.field, str) and error.field, error  # (an unknown key " " is named as it is)
        assert error.message_zh and error.message_en
        assert row_counts() == before, f"refused at {error}, yet the tables changed"


def test_mutated_lines_import_or_are_refused_naming_line_and_field(app):
    """Files of one to four lines, each valid line of the file beside one mutated line, in any order."""
    f.create(*BASE.values())  # the records every valid line refers to
    examples = budget(MUTATED_LINE_EXAMPLES)

    @fuzzing(examples)
    @given(mutated=LINES, valid=st.lists(st.sampled_from(list(BASE)), max_size=3), at=st.integers(0, 3))
    @example(mutated=json.dumps({**BASE["unit"], "kind": []}), valid=[], at=0)  # was a TypeError
    @example(mutated=json.dumps({**BASE["unit"], "name": "\ud800"}), valid=["person"], at=1)  # was a UnicodeEncodeError
    @example(mutated=json.dumps({**BASE["unit"], "address": "路\x00"}), valid=[], at=0)  # PostgreSQL cannot store NUL
    @example(mutated=json.dumps({**BASE["penalty"], "decided_on": "9999-12-31", "publicity_ends_on": None,
                                 "ban": None}), valid=[], at=0)  # was a ValueError: year 10000 is out of range
    @example(mutated=json.dumps({**BASE["penalty"], "decided_on": "1899-12-31", "publicity_ends_on": None,
                                 "ban": None}), valid=[], at=0)  # was a ValueError: no publicity rule in force
    # On PostgreSQL these were DataErrors (value too long for its column, numeric or integer out of range):
    @example(mutated=json.dumps({**BASE["complaint"], "complainant": {"name": "0" * 301}}), valid=[], at=0)
    @example(mutated=json.dumps({**BASE["penalty"], "fine_yuan": 10**15}), valid=[], at=0)
    @example(mutated=json.dumps({**BASE["review"], "round": 2**40}), valid=[], at=0)
    # An infinite, a 400-digit and a 1e30 fine were stored, and the API emitted Infinity
    @example(mutated=json.dumps({**BASE["penalty"], "fine_yuan": float("inf")}), valid=[], at=0)
    @example(mutated=json.dumps({**BASE["penalty"], "fine_yuan": 10**399}), valid=[], at=0)
    @example(mutated=json.dumps({**BASE["penalty"], "confiscated_yuan": 1e30}), valid=[], at=0)
    def check(mutated, valid, at):
        generated("import: mutated lines")
        lines = [json.dumps(BASE[kind], ensure_ascii=False) for kind in valid]
        lines.insert(min(at, len(lines)), mutated)
        assert_import_or_refusal(lines)

    check()
    assert GENERATED["import: mutated lines"] >= examples


def test_raw_text_files_import_or_are_refused(app):
    """Any text at all, line by line (not even JSON), is refused cleanly or imports."""
    f.create(*BASE.values())
    examples = budget(RAW_TEXT_EXAMPLES)

    @fuzzing(examples)
    @given(st.lists(st.one_of(st.text(max_size=80), st.just(json.dumps(BASE["unit"]))), min_size=1, max_size=4))
    def check(lines):
        generated("import: raw text")
        assert_import_or_refusal(lines)

    check()
    assert GENERATED["import: raw text"] >= examples
