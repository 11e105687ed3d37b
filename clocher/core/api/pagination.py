"""Pagination of API lists: `?limit=&offset=`, answering `{"items", "count", "limit", "offset"}`.

Use it on any list operation::

    @router.get("/plots", response=list[PlotOut])
    @paginate(Pagination)
    def plot_list(request): return plots_of_commune(request.commune)

The selector must return a queryset with a *stable* order (ending with a unique column, such as
``pk``), otherwise pages could overlap or skip rows.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination, paginate

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_OFFSET = 10_000_000

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "Pagination", "paginate"]


class Pagination(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(
            DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Nombre d'éléments par page."
        )
        offset: int = Field(
            0, ge=0, le=MAX_OFFSET, description="Nombre d'éléments à sauter depuis le début."
        )

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="Nombre total d'éléments, toutes pages confondues.")
        limit: int
        offset: int

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> Any:
        result = super().paginate_queryset(queryset, pagination, request, **params)
        result["limit"] = min(pagination.limit, self.max_limit)
        result["offset"] = pagination.offset
        return result
