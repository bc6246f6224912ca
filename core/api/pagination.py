from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class StrictPaginationMixin:
    """Paging values that are not valid answer 400 with the field named, not a
    silent default (``page_size=abc``) or a 404 (``page=0``); the schema gives
    their bounds."""

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except (TypeError, ValueError):
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Give a whole number from 1 to %(max)s.")
                        % {"max": self.max_page_size}
                    ]
                }
            )
        return size

    def paginate_queryset(self, queryset, request, view=None):
        # A page number must be a whole number from 1 ("last" too, as DRF
        # allows); one past the end is a valid number and stays a 404, like a
        # cursor that leads nowhere.
        name = getattr(self, "page_query_param", None)
        raw = request.query_params.get(name) if name else None
        if (
            raw is not None
            and raw not in getattr(self, "last_page_strings", ())
            and not (raw.isascii() and raw.isdigit() and int(raw) >= 1)
        ):
            raise ValidationError({name: [_("Give a whole number from 1.")]})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
            elif parameter["name"] == getattr(self, "page_query_param", None):
                parameter["schema"].update(minimum=1)
        return parameters


class StandardPagination(StrictPaginationMixin, PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
