"""Photos of cases are cleaned by ``core.photos``, which every app uploading
photos shares (grids' notices sit below petitions and cannot import it here);
this name stays for the callers and benchmarks that import it."""

from core.photos import FORMATS, MAX_SIDE, clean_photo, photo_dimensions

__all__ = ["FORMATS", "MAX_SIDE", "clean_photo", "photo_dimensions"]
