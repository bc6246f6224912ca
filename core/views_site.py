from django.views.generic import TemplateView


class HomeView(TemplateView):
    """The resident mobile site's front page."""

    template_name = "site/home.html"
