from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SampledataConfig(AppConfig):
    """Development-only tooling: the demo community (``seed_demo``) and
    generated districts for benchmarks (``generate_district``). Installed by
    the local and test settings, never by production: nothing here may load
    into a real deployment."""

    name = "sampledata"
    verbose_name = _("Sample data (development only)")
