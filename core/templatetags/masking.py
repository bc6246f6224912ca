from django import template

from core.phones import mask_mobiles_in

register = template.Library()


@register.filter
def mask_mobiles(text):
    """Mask every mainland mobile number in a text shown to the public."""
    return mask_mobiles_in(str(text or ""))
