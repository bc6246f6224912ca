from django.shortcuts import get_object_or_404, render
from django.views.generic import TemplateView

from .centres.selectors import ROTA_DAYS, centres_for_residents
from .models import Community
from .notices.selectors import notices_for_residents


class HomeView(TemplateView):
    """The resident mobile site's front page: choose your community to report."""

    template_name = "site/home.html"

    def get_context_data(self, **kwargs):
        # Community names are public; nothing else is shown here.
        return super().get_context_data(
            communities=Community.objects.select_related("subdistrict").order_by(
                "subdistrict__name", "name"
            ),
            **kwargs,
        )


def notice_list_page(request, community_id: int):
    """A community's notices as its residents see them now: pinned first,
    then the newest; ``?compound=<id>`` keeps the community's own and that
    compound's (public: no personal data is written into notices)."""
    community = get_object_or_404(Community, pk=community_id)
    compounds = list(community.compounds.order_by("name"))
    chosen = request.GET.get("compound", "")
    compound_id = next((c.pk for c in compounds if str(c.pk) == chosen), None)
    return render(
        request,
        "grids/notices.html",
        {
            "community": community,
            "compounds": compounds,
            "compound_id": compound_id,
            "notices": notices_for_residents(
                community=community, compound_id=compound_id
            ),
        },
    )


def notice_page(request, community_id: int, notice_id: int):
    """One notice shown now, with its photos; any other is a 404."""
    community = get_object_or_404(Community, pk=community_id)
    notice = get_object_or_404(notices_for_residents(community=community), pk=notice_id)
    return render(
        request, "grids/notice.html", {"community": community, "notice": notice}
    )


def centre_list_page(request, community_id: int):
    """The community's party service centres for residents: where, when
    open, which services, and who is on duty this week (named as 张**)."""
    community = get_object_or_404(Community, pk=community_id)
    return render(
        request,
        "grids/centres.html",
        {
            "community": community,
            "centres": centres_for_residents(community=community),
            "days": ROTA_DAYS,
        },
    )
