"""Text handling for the search index: one normalization for documents and queries, the character n-grams
of names (2) and folded text (4), and a small jieba tokenizer.

The grams carry no positions: a substring query picks candidates by its rarest grams and then confirms
`query in stored_text`, which is exact (DESIGN §4, rules 2 and 8).
"""
import logging
import re
import unicodedata
from functools import lru_cache

# Pads the end of each token so every character starts a gram: a short query finds its grams by prefix.
PAD = "\u241f"
NAME_GRAM = 2
FOLDED_GRAM = 4
USCC_PREFIX_MIN = 4
CODE_LIKE = re.compile(r"^[0-9A-Z]{4,18}$")

_jieba = None


def normalize(text: str | None) -> str:
    """Full-width to half-width, lower case, single spaces: the same form for documents and queries."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).lower().replace(PAD, "")
    return " ".join(text.split())


def query_parts(query: str) -> list[str]:
    """A query's whitespace-separated parts; every part must occur in a hit."""
    return [part for part in normalize(query).split(" ") if part]


def grams(text: str, size: int) -> list[str]:
    """The padded character n-grams of every token of an already normalized text, without duplicates."""
    seen: dict[str, None] = {}
    for token in text.split():
        padded = token + PAD * (size - 1)
        for start in range(len(token)):
            seen[padded[start:start + size]] = None
    return list(seen)


def query_grams(part: str, size: int) -> tuple[list[str], str | None]:
    """The unpadded n-grams of a query part; a part shorter than `size` gives a prefix to expand instead."""
    if len(part) < size:
        return [], part
    return list(dict.fromkeys(part[start:start + size] for start in range(len(part) - size + 1))), None


def uscc_prefixes(uscc: str) -> list[str]:
    """A credit code's prefixes of length 4 to 18, so a prefix search is one term lookup (DESIGN §4 rule 5)."""
    code = uscc.strip().upper()
    return [code[:length] for length in range(USCC_PREFIX_MIN, len(code) + 1)]


def code_query(query: str) -> str | None:
    """The query as a credit-code prefix, when it looks like one."""
    compact = "".join(unicodedata.normalize("NFKC", query).split()).upper()
    return compact if CODE_LIKE.match(compact) else None


def jieba_module():
    """jieba, loaded once per process; never `jieba.analyse` (its TF-IDF table costs ~100 MB)."""
    global _jieba
    if _jieba is None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        jieba.initialize()
        _jieba = jieba
    return _jieba


@lru_cache(maxsize=200_000)
def words(text: str) -> tuple[str, ...]:
    """The jieba words of a normalized text, without spaces and duplicates (cached: owners and parcels
    repeat across thousands of projects, and cutting is the costly part of building a document)."""
    tokens = (token.strip() for token in jieba_module().cut(text, HMM=False))
    return tuple(dict.fromkeys(token for token in tokens if token))


def marked_pieces(text: str, query: str) -> tuple[list[tuple[str, bool]], set[int]]:
    """`text` cut into pieces, each True where it holds a part of `query` (compared in the normalized form, as
    the index compares) or, for a part the text does not hold whole, one of the part's jieba words; and the
    numbers of the parts held whole. No pieces when nothing is found. The caller escapes the pieces.

    Text already in the compared form (most Chinese text) is cut at the places the query's terms occur; other
    text is compared one normalized character at a time, each marking the character it came from."""
    if not text:
        return [], set()
    if unicodedata.is_normalized("NFKC", text) and text == text.lower():
        haystack, origin = text, None  # already in the compared form: one character each
    else:
        normal, origin = [], []  # the normalized text, one character at a time, and where each one came from
        for index, character in enumerate(text):
            for folded in unicodedata.normalize("NFKC", character).lower():
                normal.append(folded)
                origin.append(index)
        haystack = "".join(normal)
    spans: list[tuple[int, int]] = []  # [start, end) of each occurrence, in the haystack
    found: set[int] = set()
    for number, part in enumerate(_query_parts(query)):
        whole = part in haystack
        for term in [part] if whole else [word for word in _part_words(part) if word in haystack]:
            start = haystack.find(term)
            while start >= 0:
                spans.append((start, start + len(term)))
                start = haystack.find(term, start + 1)
        if whole:
            found.add(number)
    if not spans:
        return [], set()
    if origin is not None:
        spans = _original_spans(spans, origin)
    return _cut(text, spans), found


def _original_spans(spans: list[tuple[int, int]], origin: list[int]) -> list[tuple[int, int]]:
    """Spans of the normalized text as spans of the text it came from: each character one of them marks."""
    marked = sorted({origin[position] for start, end in spans for position in range(start, end)})
    return [(index, index + 1) for index in marked]


def _cut(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """`text` in pieces: the union of `spans` marked True, the rest False, in order, none empty."""
    joined: list[list[int]] = []  # the spans' union: [start, end) stretches, in order, apart
    for start, end in sorted(spans):
        if joined and start <= joined[-1][1]:
            joined[-1][1] = max(joined[-1][1], end)
        else:
            joined.append([start, end])
    pieces: list[tuple[str, bool]] = []
    done = 0  # the text before this is in pieces
    for start, end in joined:
        if start > done:
            pieces.append((text[done:start], False))
        pieces.append((text[start:end], True))
        done = end
    if done < len(text):
        pieces.append((text[done:], False))
    return pieces


@lru_cache(maxsize=1024)
def _query_parts(query: str) -> tuple[str, ...]:
    return tuple(query_parts(query))


@lru_cache(maxsize=1024)
def _part_words(part: str) -> tuple[str, ...]:
    return tuple(word for word in words(part) if word.strip())
