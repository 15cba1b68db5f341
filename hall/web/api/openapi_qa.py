"""The OpenAPI description of the public Q&A (智能问答, issue 15)."""
from __future__ import annotations

_STR = {"type": "string"}
_LABEL = {"type": ["object", "null"], "required": ["code", "name", "name_en"],
          "properties": {"code": _STR, "name": _STR, "name_en": _STR}}
ANSWER = {
    "type": "object",
    "required": ["id", "question", "answer", "topic", "division", "published_on"],
    "description": "An answered question as the division published it, edited and "
                   "anonymised: nothing of the person who asked",
    "properties": {"id": {"type": "integer"}, "question": _STR, "answer": _STR,
                   "topic": _LABEL, "division": _LABEL,
                   "published_on": {"type": "string", "format": "date"}},
}
SEARCH = {
    "type": "object", "required": ["hall", "query", "terms", "hits"],
    "properties": {
        "hall": _STR, "query": _STR,
        "terms": {"type": "array", "items": _STR,
                  "description": "What was searched: the query without its question words "
                                 "(怎么办理退休 → 退休)"},
        "hits": {"type": "array", "description": "Best first: by how many terms a hit "
                                                 "carries, then in its title",
                 "items": {"type": "object", "required": ["kind", "snippet", "url"],
                           "properties": {
                               "kind": {"enum": ["answer", "guide"]},
                               "id": {"type": "integer", "description": "An answer's id"},
                               "question": _STR, "code": {"type": "string",
                                                          "description": "A guide item's code"},
                               "name": _STR, "name_en": _STR, "snippet": _STR,
                               "topic": _LABEL, "division": _LABEL,
                               "published_on": {"type": "string", "format": "date"},
                               "url": {"type": "string", "description": "Its public page"}}}},
    },
}


def _problem(description: str) -> dict:
    return {"description": description, "content": {"application/problem+json": {
        "schema": {"$ref": "#/components/schemas/Problem"}}}}


def _json(ref: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{ref}"}}}}


_READ_LIMIT = _problem("Too many reads from this address (PUBLIC_RATE_LIMIT)")


def components() -> dict:
    return {"QaAnswer": ANSWER, "QaSearch": SEARCH}


def paths(hall_param: dict) -> dict:
    return {
        "/api/v1/halls/{hall}/qa": {"get": {
            "operationId": "qaSearch",
            "summary": "Search the hall's public Q&A and service guide, in Chinese",
            "description": "Chinese is searched in pairs of characters, so two characters "
                           "(职称) are found as well as a question (怎么办理退休).",
            "parameters": [hall_param,
                           {"name": "q", "in": "query", "required": True,
                            "schema": {"type": "string", "minLength": 1, "maxLength": 100},
                            "example": "怎么办理退休"}],
            "responses": {"200": _json("QaSearch", "The hits, best first (at most 20)"),
                          "400": _problem("`invalid-query`: empty, longer than 100 "
                                          "characters, or with control characters"),
                          "404": _problem("Unknown hall"), "429": _READ_LIMIT},
        }},
        "/api/v1/halls/{hall}/qa/{answer}": {"get": {
            "operationId": "qaAnswer",
            "summary": "One published answer",
            "parameters": [hall_param, {"name": "answer", "in": "path", "required": True,
                                        "schema": {"type": "integer", "minimum": 1}}],
            "responses": {"200": _json("QaAnswer", "The answer"),
                          "404": _problem("Unknown hall, or `answer-not-found` (never "
                                          "published, withdrawn, another hall's)"),
                          "429": _READ_LIMIT},
        }},
    }
