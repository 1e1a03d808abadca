"""`Dumper` answers what `Schema.dump` answers: on every schema of the API, for the records of a small registry, and
on values chosen to take each of its slow paths (a value not yet in its JSON form, a missing attribute and its
dump default, a dotted attribute, a dict, a nested None, a field that reads no attribute or reads it its own way,
a schema with hooks). tests/portal/test_api_answers.py holds the API's answers byte for byte besides."""
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from types import SimpleNamespace

import pytest
from marshmallow import Schema, fields, post_dump

from registry.access import SYSTEM
from registry.exchange import import_records
from registry.queries.lists import BanFilters, PenaltyFilters, list_bans, list_penalties
from registry.queries.profiles import person_profile, unit_profile
from registry.queries.projects import ProjectFilters, list_projects
from registry.queries.search import UnitFilters, search_persons, search_units
from registry.schemas.dumping import Dumper
from registry.schemas.public import (BanPageSchema, PenaltyPageSchema, PersonDetailSchema, PersonPageSchema,
                                     ProjectPageSchema, UnitDetailSchema, UnitPageSchema)
from tests.portal.conftest import JIAOHUA, LVYUAN, SUJING, registry_records


def both(schema: Schema, obj) -> tuple:
    return Dumper(schema).dump(obj), schema.dump(obj)


def test_every_api_answer_of_a_small_registry_is_dumped_as_marshmallow_dumps_it(app):
    import_records(SYSTEM, registry_records())
    pages = [(UnitPageSchema, search_units(UnitFilters(q=q), 1, 20))
             for q in (None, "焦化", "苏净", "杭州", "修复")]
    pages += [(UnitPageSchema, search_units(UnitFilters(sort=sort), 1, 2)) for sort in ("first_pass", "name")]
    pages += [(PersonPageSchema, search_persons(q, None, 1, 20)) for q in (None, "王建国")]
    pages += [(ProjectPageSchema, list_projects(ProjectFilters(), 1, 20)),
              (PenaltyPageSchema, list_penalties(PenaltyFilters(), 1, 20)),
              (BanPageSchema, list_bans(BanFilters(), 1, 20))]
    pages += [(UnitDetailSchema, unit_profile(code)) for code in (SUJING, JIAOHUA, LVYUAN)]
    persons = search_persons(None, None, 1, 20).items
    pages += [(PersonDetailSchema, person_profile(person.public_id)) for person in persons]
    assert persons and all(obj is not None for _, obj in pages)
    assert sum(len(getattr(obj, "items", ())) for _, obj in pages) > 20
    for schema_class, obj in pages:
        fast, slow = both(schema_class(), obj)
        assert fast == slow
        assert list(fast) == list(slow)  # the keys in the schema's order, as JSON writes them


class Plain(Schema):
    text = fields.String(allow_none=True)
    number = fields.Integer(allow_none=True)
    ratio = fields.Float(allow_none=True)
    flag = fields.Boolean(allow_none=True)
    day = fields.Date(allow_none=True)
    counted = fields.Integer(as_string=True)
    renamed = fields.String(data_key="other", attribute="source")
    deep = fields.String(attribute="inner.name")
    fallback = fields.String(dump_default="none given")
    absent = fields.Integer()
    constant = fields.Constant("always")
    method = fields.Method("twice")
    codes = fields.List(fields.String())
    spans = fields.List(fields.List(fields.Integer()))

    def twice(self, obj):
        return 2 * (obj["number"] if isinstance(obj, dict) else obj.number or 0)


class Outer(Schema):
    one = fields.Nested(Plain, allow_none=True)
    many = fields.List(fields.Nested(Plain))
    stamp = fields.DateTime()


class Hooked(Schema):
    name = fields.String()

    @post_dump
    def shout(self, data, **kwargs):
        return {key: value.upper() for key, value in data.items()}


class OwnWay(fields.String):
    def get_value(self, obj, attr, accessor=None, default=None):
        return "read its own way"


class WithOwnField(Schema):
    name = OwnWay()


@dataclass
class Record:
    text: object = "苏净"
    number: object = 3
    ratio: object = 0.5
    flag: object = True
    day: object = date(2026, 12, 6)
    counted: object = 7
    source: object = "renamed"
    inner: object = None
    codes: object = ("a", "b")
    spans: object = ((0, 2), (5, 7))


ODD = [
    Record(),
    Record(text=None, number=None, ratio=None, flag=None, day=None, codes=None, spans=None),
    Record(text=12, number=True, ratio=Decimal("2.50"), flag=0, counted=Decimal("7")),  # not yet in JSON form
    Record(number=2.7, ratio=3, flag="yes", codes=[1, None, "c"], spans=[[True, 1.0]]),
    Record(inner=SimpleNamespace(name="深处")),
    {"text": "a dict", "number": 1, "ratio": 1.5, "flag": False, "day": None, "counted": 1, "source": "s",
     "inner": {"name": "in a dict"}, "codes": [], "spans": []},
]


@pytest.mark.parametrize("obj", ODD)
def test_values_not_in_their_json_form_missing_and_dotted_attributes_are_dumped_as_marshmallow_dumps_them(obj):
    fast, slow = both(Plain(), obj)
    assert fast == slow and list(fast) == list(slow)
    assert "absent" not in fast and fast["fallback"] == "none given" and fast["constant"] == "always"


def test_nested_schemas_lists_hooks_and_fields_of_their_own_are_dumped_as_marshmallow_dumps_them():
    outer = SimpleNamespace(one=None, many=ODD[:4], stamp=datetime(2026, 12, 6, 8, 30, tzinfo=timezone.utc))
    assert both(Outer(), outer)[0] == both(Outer(), outer)[1]
    outer.one = ODD[4]
    fast, slow = both(Outer(), outer)
    assert fast == slow and fast["one"]["deep"] == "深处" and fast["stamp"] == "2026-12-06T08:30:00+00:00"
    assert both(Hooked(), {"name": "abc"}) == ({"name": "ABC"}, {"name": "ABC"})
    assert both(WithOwnField(), {"name": "given"}) == ({"name": "read its own way"}, {"name": "read its own way"})
    assert Dumper(Plain(only=("text", "number"))).dump(Record()) == {"text": "苏净", "number": 3}
