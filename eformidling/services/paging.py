"""Spring Data's Page as the integrasjonspunkt answers it: query parameters page (from 0), size
(default 10) and sort=property[,ASC|DESC] (repeatable); the JSON with content, pageable,
totalElements, last, totalPages, sort, numberOfElements, first, size, number and empty, in that order."""

from core.api import whole_number

DEFAULT_SIZE = 10
MAX_SIZE = 2000
STATUS_SORT = {"id": "pk", "lastUpdate": "last_update", "status": "status"}
CONVERSATION_SORT = {
    "id": "pk",
    "lastUpdate": "last_update",
    "messageId": "message_id",
    "conversationId": "conversation_id",
    "expiry": "expiry",
}


def _order(request, sortable: dict, default: str | None) -> list[str]:
    order = []
    for value in request.query_params.getlist("sort"):
        name, _comma, direction = value.partition(",")
        if name in sortable:
            order.append(("-" if direction.strip().upper() == "DESC" else "") + sortable[name])
    if not order and default:
        descending = default.startswith("-")
        order.append(("-" if descending else "") + sortable[default.lstrip("-")])
    return order


def page(request, query, to_json, *, sortable: dict, default: str | None) -> dict:
    number = whole_number(request.query_params.get("page", "0"), lowest=0, highest=10**6) or 0
    size = whole_number(request.query_params.get("size", str(DEFAULT_SIZE)), lowest=1, highest=MAX_SIZE)
    size = size or DEFAULT_SIZE
    order = _order(request, sortable, default)
    query = query.order_by(*order, "pk") if order else query.order_by("pk")
    total = query.count()
    content = [to_json(item) for item in query[number * size : (number + 1) * size]]
    total_pages = (total + size - 1) // size
    sort = {"sorted": bool(order), "unsorted": not order, "empty": not order}
    return {
        "content": content,
        "pageable": {
            "sort": sort,
            "pageNumber": number,
            "pageSize": size,
            "offset": number * size,
            "paged": True,
            "unpaged": False,
        },
        "totalElements": total,
        "last": number >= total_pages - 1,
        "totalPages": total_pages,
        "sort": sort,
        "numberOfElements": len(content),
        "first": number == 0,
        "size": size,
        "number": number,
        "empty": not content,
    }
