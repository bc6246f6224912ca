from django import template

from core.scrub import scrub as scrub_text

register = template.Library()


@register.filter
def scrub(text):
    """Mask every phone, ID and bank-card number in a text shown to the public."""
    return scrub_text(text)


#: The older name of ``scrub``, kept for templates that use it.
register.filter("mask_mobiles", scrub)
