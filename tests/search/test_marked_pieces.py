"""`marked_pieces` cuts a text where the query occurs: the same pieces as marking it one character at a time."""
import random
import unicodedata

from registry.search.text import _part_words, _query_parts, marked_pieces

TEXTS = ["苏州中环土壤修复有限公司", "原苏州农药厂地块土壤修复工程", "焦化厂焦化车间", "ＡＢＣ环保科技（苏州）有限公司",
         "Suzhou Soil REMEDIATION Co., Ltd.", "㈱苏州修复", "修复修复修复", "江苏省南京市玄武区中山路1号", "",
         "91320500MA1XXXXX0Q", "上海市 浦东新区 化工厂旧址", "ﬁne chemical 化工"]
QUERIES = ["修复", "苏州 修复", "焦化", "原苏州农药厂", "abc", "ABC 环保", "remediation co", "(株)", "修复修", "化工 厂",
           "南京 中山路 1号", "91320500", "fine", "不在其中", "苏州 不在其中", "复修"]


def by_character(text: str, query: str) -> tuple[list[tuple[str, bool]], set[int]]:
    """The reference: every normalized character of an occurrence marks the character of `text` it came from."""
    if not text:
        return [], set()
    normal, origin = [], []
    for index, character in enumerate(text):
        for folded in unicodedata.normalize("NFKC", character).lower():
            normal.append(folded)
            origin.append(index)
    haystack = "".join(normal)
    marked, found = [False] * len(text), set()
    for number, part in enumerate(_query_parts(query)):
        whole = part in haystack
        for term in [part] if whole else [word for word in _part_words(part) if word in haystack]:
            start = haystack.find(term)
            while start >= 0:
                for position in range(start, start + len(term)):
                    marked[origin[position]] = True
                start = haystack.find(term, start + 1)
        if whole:
            found.add(number)
    if not any(marked):
        return [], set()
    pieces, begin = [], 0
    for index in range(1, len(text) + 1):
        if index == len(text) or marked[index] != marked[begin]:
            pieces.append((text[begin:index], marked[begin]))
            begin = index
    return pieces, found


def test_pieces_are_those_of_marking_each_character():
    for text in TEXTS:
        for query in QUERIES:
            assert marked_pieces(text, query) == by_character(text, query), (text, query)


def test_pieces_of_random_texts_are_those_of_marking_each_character():
    """Overlapping, adjacent and repeated occurrences, at the ends and in the middle."""
    chance = random.Random(20261207)
    alphabet = "修复土壤苏州焦化厂AbＣ１ "
    for _ in range(3000):
        text = "".join(chance.choice(alphabet) for _ in range(chance.randint(1, 14)))
        query = " ".join("".join(chance.choice(alphabet.strip()) for _ in range(chance.randint(1, 3)))
                         for _ in range(chance.randint(1, 2)))
        assert marked_pieces(text, query) == by_character(text, query), (text, query)
