"""The index's own analyzers (DESIGN §4 rule 8): character n-grams of names and folded text, and jieba words
through `jieba.cut` only (never `jieba.analyse`). They run inside Whoosh's writers, so a build with several
writer processes (`procs=2`) analyzes documents in parallel. Documents arrive already normalized, one text
per line."""
from whoosh.analysis import Token, Tokenizer

from registry.search.text import grams, words


class _LineTokenizer(Tokenizer):
    """Yields the terms of each line of the value; no positions are kept (the fields have none)."""

    def terms(self, line: str):
        """The terms of one line."""
        raise NotImplementedError

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True, start_pos=0,
                 start_char=0, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        seen: set[str] = set()
        position = start_pos
        for line in value.split("\n"):
            for term in self.terms(line):
                if term in seen:
                    continue
                seen.add(term)
                token.text = term
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = term
                if positions:
                    token.pos = position
                    position += 1
                yield token


class GramTokenizer(_LineTokenizer):
    """Padded character n-grams of every token of every line."""

    def __init__(self, size: int):
        self.size = size

    def __eq__(self, other):
        return type(self) is type(other) and self.size == other.size

    def terms(self, line: str):
        """The terms of one line."""
        return grams(line, self.size)


class JiebaTokenizer(_LineTokenizer):
    """jieba words (dictionary only, no HMM: the same cut for documents and queries)."""

    def terms(self, line: str):
        """The terms of one line."""
        return words(line) if line else ()
