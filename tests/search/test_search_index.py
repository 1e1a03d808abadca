"""Search (DESIGN §4): Chinese substrings, tiers, credit-code prefixes, SQL filters, keeping in step with the
database through the outbox, rebuilds, and only public, masked text inside. Each test runs on the Whoosh
backend and, on PostgreSQL, on the pg_trgm backend too (tests/search/conftest.py); `whoosh_only` ones check the
Whoosh index's own directory, files and locks."""
from pathlib import Path

import pytest

from sqlalchemy import event, func, select

from registry.extensions import db
from registry.models import SearchOutbox, Unit
from registry.clock import today
from registry.search import backend, rebuild_index, search_ids
from registry.search.documents import ranked_unit_ids
from tests.factories import create, complaint_record, make_uscc, penalty_record, project_record, unit_record
from tests.portal.conftest import (
    ALL_FULL_ID_NUMBERS, GAO_ID, HEFEI, JIAOHUA, JINGTU, LIN_ID, LVYUAN, QINGDAO, SECRET_STRINGS, SUJING, unit_id,
)


def firm_names(query: str, **options) -> list[str]:
    return [db.session.get(Unit, i).name for i in search_ids(query, "unit", **options)]


def index_directory(app) -> Path:
    root = Path(app.config["SEARCH_INDEX_DIR"])
    return root / (root / "CURRENT").read_text().strip()


def test_two_character_chinese_fragments_find_the_firms_whose_names_contain_them(registry_data):
    assert firm_names("苏净") == ["江苏苏净环保科技有限公司"]
    # 焦化 is in one firm's name and in another firm's project (无锡某焦化厂): the name match ranks first
    assert firm_names("焦化") == ["山西焦化土壤修复有限公司", "江苏苏净环保科技有限公司"]


def test_an_exact_name_comes_first_then_names_then_project_text(registry_data):
    create(unit_record(make_uscc("320500", 150), name="苏净", division_code="320506"))
    assert firm_names("苏净")[0] == "苏净"
    assert firm_names("苏净")[1] == "江苏苏净环保科技有限公司"


def test_single_characters_parcels_owners_and_several_words_are_found(registry_data):
    assert "浙江绿源环境检测有限公司" in firm_names("绿")
    assert firm_names("无锡城投") == ["江苏苏净环保科技有限公司"]  # an owner of a public project
    assert firm_names("太原焦化厂") == ["山西焦化土壤修复有限公司"]  # a parcel
    assert firm_names("苏净 焦化厂") == ["江苏苏净环保科技有限公司"]  # every part must occur
    assert firm_names("苏净 不存在的词") == []


def test_jieba_words_find_a_name_written_with_words_left_out(registry_data):
    # not a substring of 山西焦化土壤修复有限公司, but both of its words are in the name
    assert firm_names("焦化修复") == ["山西焦化土壤修复有限公司"]


def test_credit_code_prefixes_of_four_to_eighteen_characters_are_one_term(registry_data):
    assert firm_names(SUJING[:4]) and all(n for n in firm_names(SUJING[:4]))
    assert firm_names(SUJING) == ["江苏苏净环保科技有限公司"]
    assert firm_names(SUJING[:10].lower()) == ["江苏苏净环保科技有限公司"]


def test_withheld_text_is_not_searchable(registry_data):
    assert firm_names("温州皮革厂") == []  # a project marked non-disclosed
    assert firm_names("粤清路") == []  # the address of a firm whose basic information is withheld
    assert firm_names("净土") == []  # a firm with nothing public at all
    assert firm_names("广东粤清") == ["广东粤清环境有限公司"]  # its name and code are public (a public penalty)


def test_persons_are_found_by_name_but_never_by_id_number(registry_data):
    assert len(search_ids("王建国", "person")) == 1
    assert search_ids("赵六", "person") == []  # no commitment, nothing public about him
    for number in ALL_FULL_ID_NUMBERS:
        assert search_ids(number, "person") == [] and search_ids(number, "unit") == []
    assert search_ids("110105", "person") == []  # the masked number is stored for display, never searchable


def test_filters_run_in_sql_and_restrict_the_text_matches(registry_data):
    shanxi_only = {unit_id(JIAOHUA)}
    assert firm_names("焦化", allowed=shanxi_only) == ["山西焦化土壤修复有限公司"]
    assert firm_names("焦化", allowed={unit_id(LVYUAN)}) == []
    assert firm_names("焦化", allowed=set()) == []


def test_the_search_stops_at_the_limit(registry_data):
    assert len(search_ids("有限公司", "unit", limit=2)) == 2
    assert len(search_ids("有限公司", "unit", limit=20)) == 6


def test_a_write_through_a_service_reaches_the_index_after_its_commit(app, registry_data):
    assert firm_names("苏净")  # the index exists
    new = make_uscc("320500", 160)
    create(unit_record(new, name="常州龙城净化修复有限公司", division_code="320411"),
           project_record(new, "CZ-1", name="常州某染料厂地块修复"))
    assert db.session.scalar(select(func.count()).select_from(SearchOutbox)) == 0
    assert firm_names("龙城") == ["常州龙城净化修复有限公司"]
    assert firm_names("染料厂") == ["常州龙城净化修复有限公司"]


def test_a_finding_or_a_penalty_does_not_move_a_firm_within_its_tier(app, registry_data):
    # every firm's name holds 有限公司 (one tier), ranked by public projects then id; the firm with the most comes
    # first. Its document is written again after each record about it: it keeps its place, on a full page, on
    # a page of one, and among the firms a filter allows, and a rebuild from the database answers the same.
    create(*(unit_record(make_uscc("320500", 180 + n), name=f"苏净第{n}分公司有限公司", division_code="320506")
             for n in range(3)))
    ranked = firm_names("有限公司")
    assert ranked[0] == "江苏苏净环保科技有限公司" and firm_names("苏净")[0] == "江苏苏净环保科技有限公司"
    allowed = set(db.session.scalars(select(Unit.id).where(Unit.division_code.like("32%"))))
    in_jiangsu = firm_names("苏净", allowed=allowed)
    create(complaint_record("SU-2", status="substantiated"))
    assert firm_names("有限公司") == ranked
    assert firm_names("有限公司", limit=1) == ranked[:1]
    assert firm_names("苏净", allowed=allowed) == in_jiangsu
    create(penalty_record({"uscc": SUJING}, "苏环罚〔2026〕88号", decided_on="2026-09-01", kinds=["fine"],
                          fine_yuan=10000))
    create(unit_record(make_uscc("320500", 180), name="苏净第0分公司有限公司", division_code="320506",
                       address="苏州市工业园区88号"))
    assert firm_names("有限公司") == ranked and firm_names("苏净", allowed=allowed) == in_jiangsu
    rebuild_index()
    assert firm_names("有限公司") == ranked and firm_names("苏净", allowed=allowed) == in_jiangsu


def test_the_ranks_of_a_few_firms_are_their_ranks_among_all_and_count_only_their_projects(app, registry_data):
    """A write re-indexes its few firms: their ranks are read from their own projects (counting every firm's took
    140 ms a write on SQLite, national scale), and are the ranks a full rebuild gives them."""
    create(unit_record(make_uscc("320500", 190), name="苏净无项目有限公司", division_code="320506"))
    everyone = ranked_unit_ids(db.session, today())
    few = [unit_id(SUJING), unit_id(JINGTU), db.session.scalar(select(Unit.id).where(Unit.name == "苏净无项目有限公司"))]
    statements = []
    event.listen(db.engine, "before_cursor_execute", keep := lambda *args: statements.append(args[2:4]))
    try:
        assert ranked_unit_ids(db.session, today(), few) == [rank for rank in everyone if rank[0] in few]
    finally:
        event.remove(db.engine, "before_cursor_execute", keep)
    if db.engine.dialect.name == "sqlite":
        (statement, parameters), = statements
        plan = " | ".join(row[3] for row in db.session.connection().exec_driver_sql(
            "EXPLAIN QUERY PLAN " + statement, parameters))
        assert "SCAN project" not in plan, plan


def outbox_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(SearchOutbox))


@pytest.mark.whoosh_only
def test_without_an_index_a_write_keeps_its_rows_and_the_first_search_builds_and_drains(app, registry_data):
    assert outbox_rows() > 0 and not backend().is_ready()  # no write request paid for a full build
    assert firm_names("苏净") == ["江苏苏净环保科技有限公司"]
    assert outbox_rows() == 0 and backend().is_ready()


def test_a_firm_that_stops_being_public_leaves_the_index(app, registry_data):
    assert firm_names("京华") == ["北京京华修复有限公司"]
    create(unit_record(make_uscc("110100", 106), name="北京京华修复有限公司", division_code="110105",
                       non_disclosed={"reason": "依法不予公开"}))
    # still listed: its lifetime ban is a public government record, but only by name and code
    assert firm_names("京华") == ["北京京华修复有限公司"]


def test_the_index_is_never_trusted_over_the_database(app, client, contract):
    assert client.get("/api/v1/units?q=庐州").json["total"] == 1
    app.config["TODAY"] = "2027-09-02"  # the only public record of the Hefei firm has ended; no write happened
    assert client.get("/api/v1/units?q=庐州").json["total"] == 0
    assert "合肥庐州" not in client.get("/search?q=庐州").get_data(as_text=True)


@pytest.mark.whoosh_only
def test_a_missing_index_is_rebuilt_from_the_database(app, registry_data):
    firm_names("苏净")
    backend().close()
    import shutil

    shutil.rmtree(app.config["SEARCH_INDEX_DIR"])
    assert firm_names("苏净") == ["江苏苏净环保科技有限公司"]


@pytest.mark.whoosh_only
def test_an_unreadable_index_is_rebuilt_not_trusted(app, registry_data):
    firm_names("苏净")
    backend().close()
    for path in index_directory(app).iterdir():
        path.write_bytes(b"garbage")
    assert firm_names("苏净") == ["江苏苏净环保科技有限公司"]


@pytest.mark.whoosh_only
def test_reindex_builds_a_new_directory_swaps_it_in_and_answers_the_same(app, runner, registry_data):
    answers = {q: firm_names(q) for q in ("苏净", "焦化", "有限公司", "电镀厂")}
    before = index_directory(app)
    result = runner.invoke(args=["search", "reindex", "--procs", "1"])
    assert result.exit_code == 0, result.output
    assert "indexed 8 documents" in result.output  # 6 listed firms and 2 listed persons
    assert index_directory(app) != before
    assert {q: firm_names(q) for q in answers} == answers


@pytest.mark.whoosh_only
def test_reindex_with_two_writer_processes(app, runner, registry_data):
    result = runner.invoke(args=["search", "reindex", "--procs", "2"])
    assert result.exit_code == 0, result.output
    assert firm_names("苏净") == ["江苏苏净环保科技有限公司"]
    create(unit_record(make_uscc("320500", 170), name="苏净新材料有限公司"))  # an incremental write
    assert "苏净新材料有限公司" in firm_names("苏净")
    files = [path.name for path in index_directory(app).iterdir()]
    assert not [name for name in files if name.endswith(".seg")]  # no compound segments (DESIGN §4 rule 7)


@pytest.mark.whoosh_only
def test_a_two_process_build_answers_in_rank_order_and_walks_each_segment_only_to_the_page(app, monkeypatch):
    """A two-process build writes one segment per process, each in rank order but interleaved with the other: a
    query merges the segments' hits by rank, and confirms at most a page of candidates in each (it confirmed
    every candidate after the first document out of order: 3-6 character searches took 208 ms at national
    scale)."""
    from registry.search.documents import SearchDocument
    from registry.search.whoosh_backend import _Search

    documents = [SearchDocument("unit", 50_000 + n, [f"分段排序测试单位{n}号有限公司"], [], rank=n)
                 for n in range(1200)]
    confirmed = []
    real_confirmed = _Search._confirmed
    monkeypatch.setattr(_Search, "_confirmed", lambda self, *args: confirmed.append(1) or real_confirmed(self, *args))
    answers = {}
    for procs in (1, 2):
        backend().rebuild(documents, procs=procs)
        confirmed.clear()
        answers[procs] = (backend().query("分段排序测试", "unit", limit=20),
                          # a filter of many firms is tested on each candidate met; one of a few firms is walked
                          # to, document by document (whichever reads less: WhooshBackend._query)
                          backend().query("分段排序测试", "unit", limit=5,
                                          allowed={50_000 + n for n in range(0, 1200, 7)}),
                          backend().query("分段排序测试", "unit", limit=20, allowed={50_003, 50_600, 51_199, 70_000}))
        runs = len(backend()._state.runs["unit"])
        assert len(confirmed) <= (20 + 5 + 3) * runs, (procs, runs, len(confirmed))
    assert runs > 1  # the two-process build did write several segments
    assert answers[1] == answers[2] == ([50_000 + n for n in range(20)], [50_000 + n for n in range(0, 35, 7)],
                                        [50_003, 50_600, 51_199])


@pytest.mark.whoosh_only
@pytest.mark.parametrize("procs", [1, 2])
def test_a_build_writes_each_kind_to_segments_of_its_own_and_a_person_search_passes_the_firms(app, procs, monkeypatch):
    """Firms and persons in segments of their own: a person search whose words are in many firm names walks to the
    persons without reading the firms' blocks of postings (in a shared segment it read each block's header, 990
    of them for 城市建设投资 at national scale: 6 ms), and finds what it found before."""
    from whoosh.codec.whoosh3 import W3LeafMatcher

    from registry.search.documents import SearchDocument

    firms = [SearchDocument("unit", 70_000 + n, [f"城市建设投资集团第{n}分公司"], [], rank=n)
             for n in range(3000)]
    persons = [SearchDocument("person", 70_000 + n, [name], [], rank=n)
               for n, name in enumerate(["城市建设", "投资城市建设", "王建设", "李投资"])]
    search = backend()
    search.rebuild(firms + persons, procs=procs)
    reader = search._open()[1].reader()
    try:
        kinds = [{stored["kind"] for stored in segment_reader.all_stored_fields()}
                 for segment_reader, _ in reader.leaf_readers()]
    finally:
        reader.close()
    assert sorted(map(sorted, kinds)) == sorted([["person"]] * (len(kinds) - procs) + [["unit"]] * procs)
    blocks = []
    real_next_block = W3LeafMatcher._next_block
    monkeypatch.setattr(W3LeafMatcher, "_next_block", lambda self, *a, **k: blocks.append(1) or
                        real_next_block(self, *a, **k))
    assert search.query("城市建设投资", "person", limit=11) == [70_001]
    assert search.query("城市建设", "person", limit=11) == [70_000, 70_001]
    assert len(blocks) < 10, len(blocks)  # the firms' postings of 城市, 建设, 投资 span 24 blocks each
    assert search.query("城市建设投资集团", "unit", limit=3) == [70_000, 70_001, 70_002]


@pytest.mark.whoosh_only
def test_a_reader_after_a_write_reads_only_the_new_segment_and_follows_its_changes(app):
    """A write adds a small segment: the reader that follows reads that segment's stored fields alone (reading
    them all took 1.5 s at national scale, in every worker's next search after any write, and in the write's own
    drain) and applies deletions afresh: a replaced firm is found once, at its new rank; a removed one is not;
    a firm moved ahead of the others begins a run of its own; persons are still found."""
    from registry.search.documents import SearchDocument
    from registry.search.whoosh_backend import document_fields

    def unit(n: int, rank: int) -> SearchDocument:
        return SearchDocument("unit", 60_000 + n, [f"读段测试单位{n}号有限公司"], [], rank=rank)

    search = backend()
    search.rebuild([unit(n, n) for n in range(300)] +
                   [SearchDocument("person", 60_000 + n, [f"读段测试{n}"], [], rank=n) for n in range(50)])
    assert search.query("读段测试单位", "unit", limit=3) == [60_000, 60_001, 60_002]
    kept = dict(search._segments)
    for changes in ([("update", unit(1, 1_000)), ("delete", "unit:60000")], [("update", unit(5, -1))]):
        writer = search._open()[1].writer()
        for change, what in changes:
            if change == "update":
                writer.update_document(**document_fields(what))
            else:
                writer.delete_by_term("key", what)
        writer.commit(merge=False)  # a segment of its own, as a write to a large index leaves
    assert search.query("读段测试单位", "unit", limit=3) == [60_005, 60_002, 60_003]
    assert all(search._segments[key] is part for key, part in kept.items())  # the first segment, not read again
    assert len(search._segments) == len(kept) + 2
    everyone = search.query("读段测试单位", "unit", limit=400)
    assert len(everyone) == 299 and 60_000 not in everyone and everyone[-1] == 60_001
    assert len(search.query("读段测试", "person", limit=100)) == 50


@pytest.mark.whoosh_only
def test_segments_read_before_a_fork_are_not_read_again_by_the_first_search(app, registry_data):
    """gunicorn's master reads the index's segments and closes its reader (no open file crosses the fork); a
    worker's first search opens a reader on the segments already read (1.5 s at national scale otherwise)."""
    search = backend()
    search.rebuild_from_database(db.session)
    assert search.read_segments() == 8  # 6 listed firms and 2 listed persons
    read = dict(search._segments)
    assert search._state is None and read
    assert firm_names("苏净") == ["江苏苏净环保科技有限公司"]
    assert search._segments == read and all(search._segments[key] is part for key, part in read.items())


@pytest.mark.whoosh_only
def test_a_writes_drain_writes_to_the_index_without_reading_it(app, registry_data):
    """The drain after a write adds its documents without opening a reader (reading the segments cost every write
    70 ms at national scale, for a reader its own commit made stale); the next search reads the new segment."""
    assert firm_names("苏净") == ["江苏苏净环保科技有限公司"]
    read = backend()._state
    for n, name in enumerate(("苏净排水有限公司", "苏净给水有限公司")):  # the second drain follows the first's commit
        create(unit_record(make_uscc("320500", 195 + n), name=name, division_code="320506"))
    assert outbox_rows() == 0 and backend()._state is read  # drained, and no reader opened for it
    assert firm_names("苏净") == ["江苏苏净环保科技有限公司", "苏净排水有限公司", "苏净给水有限公司"]
    assert backend()._state is not read


@pytest.mark.whoosh_only
def test_the_index_holds_only_public_masked_text(app, contract, registry_data):
    firm_names("苏净")
    directory = index_directory(app)
    reader = backend()._reader_state().reader
    terms = " ".join(str(text) for _, text in reader.all_terms())
    stored = " ".join(str(fields) for fields in reader.all_stored_fields())
    raw = b"".join(path.read_bytes() for path in directory.iterdir())
    never = ALL_FULL_ID_NUMBERS + SECRET_STRINGS + [LIN_ID, GAO_ID, "高远", "合肥市瑶海区长江东路2号", "温州皮革厂"]
    for secret in never:
        assert secret not in terms and secret not in stored
        assert secret.encode() not in raw
    assert "青岛市市南区香港中路1号" in stored  # a public address is there
    assert "110105********" in stored  # persons are stored masked only


@pytest.mark.whoosh_only
def test_the_index_lock_makes_a_drain_wait_and_keep_its_rows(app, registry_data):
    from registry.search import drain_outbox
    from registry.services.audit import enqueue_for_index
    from registry.services import service
    from registry.access import SYSTEM

    app.config["SEARCH_LOCK_TIMEOUT"] = 0.2
    backend().lock_timeout = 0.2
    firm_names("苏净")
    from whoosh import index as whoosh_index

    lock = whoosh_index.open_dir(str(index_directory(app))).lock("WRITELOCK")
    assert lock.acquire()
    try:
        @service
        def touch(actor):
            enqueue_for_index("unit", unit_id(SUJING))

        touch(SYSTEM)  # the commit succeeds; the drain times out on the lock and keeps the row
        assert db.session.scalar(select(func.count()).select_from(SearchOutbox)) == 1
    finally:
        lock.release()
    assert drain_outbox() == 1
    assert db.session.scalar(select(func.count()).select_from(SearchOutbox)) == 0


def test_penalty_only_firms_are_indexed_while_listed(app, registry_data):
    assert firm_names("上海净土") == []  # its penalty was repaired: nothing public
    create(penalty_record({"uscc": JINGTU}, "沪环罚〔2026〕8号", decided_on="2026-10-01"))
    assert firm_names("上海净土") == ["上海净土修复工程有限公司"]
    assert HEFEI and QINGDAO  # the contract firms are not part of this data set


def test_a_project_beyond_the_folded_hundred_is_found_by_its_exact_reference(client, registry_data):
    from registry.search.documents import FOLDED_PROJECTS

    create(*[project_record(LVYUAN, f"LY-OLD-{n:03d}", name=f"早年项目{n:03d}", completed_on=f"{2000 + n // 12}-01-01",
                            contract_deadline=None) for n in range(FOLDED_PROJECTS + 5)])
    assert client.get("/api/v1/units?q=早年项目000").json["total"] == 0  # the oldest is not folded into the index
    assert client.get("/api/v1/units?q=早年项目104").json["total"] == 1
    answer = client.get("/api/v1/units?q=LY-OLD-000").json
    assert [item["uscc"] for item in answer["items"]] == [LVYUAN]
    assert client.get("/api/v1/projects?q=早年项目000").json["total"] == 1  # the project list searches in SQL


def test_a_bulk_change_is_drained_batch_after_batch(monkeypatch, registry_data):
    import registry.search.outbox

    firm_names("苏净")
    monkeypatch.setattr(registry.search.outbox, "DRAIN_BATCH", 2)
    create(*[unit_record(make_uscc("330100", 400 + n), name=f"杭州批量导入{n}号环境有限公司", division_code="330106")
             for n in range(5)])
    assert outbox_rows() == 0
    assert len(firm_names("批量导入")) == 5
