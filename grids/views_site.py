from django.views.generic import TemplateView

from .models import Community


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
