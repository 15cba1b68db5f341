"""Searching Chinese text: overlapping bigrams, indexed by the database's own full-text search.

Chinese has no spaces between words, and the questions people type are short: 职称, 退休,
档案调入. A trigram index (FTS5's ``trigram`` tokenizer, PostgreSQL's ``pg_trgm``) cannot use
its index for a two-character query, the common case, and falls back to reading every row.
So the text is cut here, the way search engines index CJK text (Lucene's CJK analyzer): every
run of Chinese characters becomes its overlapping pairs (职称评审 → 职称 称评 评审, and the
run's last character alone, so that one character is found too), every Latin word or number
stays a word. The database indexes those tokens as words, one index for any query length:
SQLite in an FTS5 table (``unicode61``; the question a column of its own), PostgreSQL in a
``tsvector`` with a GIN index (the question weight A, the answer B).

A query is cut the same way after the words every question carries are taken out (怎么, 如何,
办理, 需要, 什么, 吗 …: "怎么办理退休" searches 退休). Each remaining run of characters is a
term, sought as the phrase of its pairs. The index gives the candidates in stages (every term
in the question, every term anywhere, any term), each stage its newest few only, so that no
rank is computed over every match of a common word among 100,000 answers; ``hall.qa`` ranks
them by how many terms match and where.

The index is kept in the caller's transaction (``put``, ``drop``): what is published is
found, what is withdrawn is not, as soon as the move commits.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import text as sql
from sqlalchemy.orm import Session

MAX_TERMS = 8
CANDIDATES = 60  # the best matches of the index, ranked again by ``hall.qa``

# Han ideographs (the unified blocks, extension A, compatibility); the rest of a query is words
# of letters and digits, or separators.
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_HAN}]+|[^\W_{_HAN}]+")
_IS_HAN = re.compile(rf"[{_HAN}]")
# What a question says around what it is about (longest first, so that 怎么样 goes before 怎么).
QUESTION_WORDS = sorted({
    "怎么样", "怎么", "怎样", "如何", "办理", "需要", "什么", "哪些", "哪里", "哪个",
    "在哪", "多少", "多久", "能否", "能不能", "可不可以", "可以", "是否", "是不是", "请问",
    "咨询", "我们", "我想", "想要", "要求", "应该", "一下", "有没有", "的话",
    "吗", "呢", "啊", "吧", "呀", "么", "的", "了", "我", "您", "你", "要", "想", "去", "在", "和",
    "与", "及", "或",
}, key=len, reverse=True)
_QUESTION_WORDS = re.compile("|".join(map(re.escape, QUESTION_WORDS)))
_LATIN_QUESTION = {"how", "what", "where", "when", "which", "who", "why", "do", "does", "can",
                   "i", "to", "a", "an", "the", "is", "are", "my", "of", "for", "in", "get"}


def normalized(value: str) -> str:
    """Full-width forms folded (ＡＢ１ → ab1), lower case: how text is compared."""
    return unicodedata.normalize("NFKC", value or "").lower()


def tokens(value: str) -> str:
    """The text as the index keeps it: space-separated pairs of Han characters and words."""
    out: list[str] = []
    for run in _RUN.findall(normalized(value)):
        if _IS_HAN.match(run):
            out.extend(run[i:i + 2] for i in range(len(run) - 1))
            out.append(run[-1])
        else:
            out.append(run)
    return " ".join(out)


@dataclass(frozen=True)
class Query:
    """What a query searches: its terms (runs of characters, as typed), at most MAX_TERMS."""

    terms: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.terms)


def parse(value: str) -> Query:
    """The terms of a query, the question words taken out; when nothing else is left (a
    query of question words only), the query as typed."""
    given = normalized(value)
    stripped = _QUESTION_WORDS.sub(" ", given)
    runs = [r for r in _RUN.findall(stripped) if r not in _LATIN_QUESTION]
    if not runs:
        runs = _RUN.findall(given)
    unique = list(dict.fromkeys(runs))
    return Query(tuple(unique[:MAX_TERMS]))


def _phrase(term: str) -> list[str]:
    """A term's tokens in order: its pairs (a single character: itself)."""
    if _IS_HAN.match(term):
        return [term] if len(term) == 1 else [term[i:i + 2] for i in range(len(term) - 1)]
    return [term]


def _prefix(term: str) -> bool:
    """One Han character or a word is also sought as the start of a token (职 in 职称,
    retire in retirement)."""
    return len(term) == 1 or not _IS_HAN.match(term)


def _fts5(terms: tuple[str, ...], joiner: str, question_only: bool) -> str:
    """An FTS5 expression: the terms joined by AND or OR, each the phrase of its tokens
    (quoted: a token is never read as an operator), in the question column or anywhere."""
    parts = []
    for term in terms:
        quoted = '"' + " ".join(_phrase(term)) + '"'
        parts.append(quoted + "*" if _prefix(term) else quoted)
    expression = "(" + f" {joiner} ".join(parts) + ")"
    return f"question : {expression}" if question_only else expression


def _tsquery(terms: tuple[str, ...], joiner: str, question_only: bool) -> str:
    """The same as a PostgreSQL tsquery: terms joined by & or |, each a phrase (<->), single
    tokens as prefixes (:*), weight A (the question) only when asked. Tokens are letters,
    digits and Han only, quoted all the same."""
    weight = "A" if question_only else ""
    parts = []
    for term in terms:
        words = ["'" + w + "'" for w in _phrase(term)]
        if _prefix(term):
            parts.append(f"{words[0]}:*{weight}")
        else:
            marked = [f"{w}:{weight}" if weight else w for w in words]
            parts.append("(" + " <-> ".join(marked) + ")")
    return f" {'&' if joiner == 'AND' else '|'} ".join(parts)


# -- keeping the index -----------------------------------------------------------------------

def put(session: Session, answer_id: int, hall_code: str, question: str, answer: str) -> None:
    """Index (or index again) one published answer, in the caller's transaction."""
    drop(session, answer_id)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sql(
            "INSERT INTO qa_index (answer_id, hall_code, document) VALUES (:id, :hall, "
            "setweight(to_tsvector('simple', :q), 'A') || "
            "setweight(to_tsvector('simple', :a), 'B'))"),
            {"id": answer_id, "hall": hall_code, "q": tokens(question), "a": tokens(answer)})
    else:
        session.execute(sql(
            "INSERT INTO qa_index (rowid, hall, question, answer) VALUES (:id, :hall, :q, :a)"),
            {"id": answer_id, "hall": hall_code.lower(), "q": tokens(question),
             "a": tokens(answer)})


def drop(session: Session, answer_id: int) -> None:
    """Take one answer out of the index (withdrawn: no longer found)."""
    column = "answer_id" if session.get_bind().dialect.name == "postgresql" else "rowid"
    session.execute(sql(f"DELETE FROM qa_index WHERE {column} = :id"), {"id": answer_id})


def _stage(session: Session, hall_code: str, terms: tuple[str, ...], joiner: str,
           question_only: bool, limit: int) -> list[int]:
    """The newest ``limit`` answers of the hall matching, read from the index in id order
    (the database stops at ``limit``: no rank is computed over every match)."""
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(sql(
            "SELECT answer_id FROM qa_index WHERE hall_code = :hall "
            "AND document @@ to_tsquery('simple', :q) ORDER BY answer_id DESC LIMIT :limit"),
            {"q": _tsquery(terms, joiner, question_only), "hall": hall_code, "limit": limit})
    else:
        rows = session.execute(sql(
            "SELECT rowid FROM qa_index WHERE qa_index MATCH :q ORDER BY rowid DESC "
            "LIMIT :limit"),
            {"q": f'hall : "{hall_code.lower()}" AND '
                  f'{_fts5(terms, joiner, question_only)}', "limit": limit})
    return [row[0] for row in rows]


def matches(session: Session, hall_code: str, query: Query,
            limit: int = CANDIDATES) -> list[int]:
    """The ids of the hall's published answers to rank, best first as far as the index
    says: every term in the question, then every term anywhere, then (several terms) any
    term; newest first within each. Each stage reads at most ``limit`` ids, so a search
    costs the same over a hundred answers or a hundred thousand."""
    if not query:
        return []
    stages = [("AND", True), ("AND", False)] + ([("OR", False)] if len(query.terms) > 1
                                                 else [])
    found: dict[int, None] = {}
    for joiner, question_only in stages:
        for answer_id in _stage(session, hall_code, query.terms, joiner, question_only, limit):
            found.setdefault(answer_id)
        if len(found) >= limit:
            break
    return list(found)[:limit]
