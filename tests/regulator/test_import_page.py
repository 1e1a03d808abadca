"""The national administrator's bulk import page: the exchange-format service behind a form."""
import io
import json

from sqlalchemy import func, select

from registry.models import Project, Review, Unit
from tests import factories as f
from tests.regulator.conftest import login_as


def jsonl(*records) -> bytes:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode("utf-8")


def upload(client, content: bytes, name="records.jsonl"):
    return client.post("/regulator/import", data={"file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def count(db, model):
    return db.session.scalar(select(func.count(model.id)))


def test_the_administrator_imports_a_file_and_the_same_file_again_changes_nothing(client, db, world):
    login_as(client, world, "admin")
    unit = f.unit_record(name="烟台导入测试修复有限公司", division_code="370602")
    project = f.project_record(unit["uscc"], "YT-1", division_code="370602")
    content = jsonl(unit, project, f.review_record("YT-1", authority="烟台市生态环境局", authority_division_code="370600"))
    first = upload(client, content)
    page = first.get_data(as_text=True)
    assert first.status_code == 200 and "导入完成" in page and "共读取3行" in page
    assert "新增：从业单位 1, 项目 1, 评审结果 1" in page
    assert db.session.scalar(select(Unit.name).where(Unit.uscc == unit["uscc"])) == "烟台导入测试修复有限公司"
    again = upload(client, content).get_data(as_text=True)
    assert "没有任何变化" in again
    assert count(db, Review) == 3


def test_a_bad_line_is_reported_by_number_and_nothing_is_written(client, db, world):
    login_as(client, world, "admin")
    units, projects = count(db, Unit), count(db, Project)
    unit = f.unit_record(division_code="370602")
    broken = f.project_record(unit["uscc"], "YT-2", area_m2=-5)
    response = upload(client, jsonl(unit, broken))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "未导入任何内容" in page and "第2行" in page and "area_m2" in page
    assert (count(db, Unit), count(db, Project)) == (units, projects)
    english = client.post("/regulator/import?lang=en", data={"file": (io.BytesIO(b"{not json"), "x.jsonl")},
                          content_type="multipart/form-data").get_data(as_text=True)
    assert "Line 1, field line: not valid JSON" in english


def test_a_file_is_required_and_must_be_utf8(client, world):
    login_as(client, world, "admin")
    missing = client.post("/regulator/import", data={}, content_type="multipart/form-data")
    assert missing.status_code == 400 and "请选择文件。" in missing.get_data(as_text=True)
    latin = upload(client, "名称".encode("gb18030"))
    assert latin.status_code == 400 and "文件不是 UTF-8 编码的文本" in latin.get_data(as_text=True)
