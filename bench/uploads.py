"""Peak memory of cleaning one uploaded photo (petitions.photos.clean_photo).

Each photo is cleaned in a fresh Python process, so that the figure is that
photo's alone: the process reports its resident memory after Django is set
up (baseline) and its peak (VmHWM, reset just before cleaning) after
cleaning; "extra" is what the photo cost. The photos:

- the finding's 7000 × 7000 PNG (about 190 KB on disk, 49 megapixels);
- a phone's 24-megapixel JPEG (6000 × 4000);
- a 24-megapixel RGBA PNG (6000 × 4000), the costliest photo still accepted.

    .venv/bin/python bench/uploads.py
"""

import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PHOTOS = {
    "7000x7000 PNG (the finding)": ("PNG", (7000, 7000), "RGB"),
    "24 MP JPEG (6000x4000)": ("JPEG", (6000, 4000), "RGB"),
    "24 MP RGBA PNG (6000x4000)": ("PNG", (6000, 4000), "RGBA"),
}


def _make(path: Path, fmt: str, size, mode) -> None:
    from PIL import Image, ImageDraw

    image = Image.new(mode, size, "white")
    draw = ImageDraw.Draw(image)
    # Some detail, so that the JPEG is photo-sized rather than a blank page.
    for x in range(0, size[0], 37):
        draw.line([(x, 0), (size[0] - x, size[1])], fill="red", width=3)
    image.save(path, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))


def _child(path: str) -> None:
    """Run in a fresh process: clean the photo, print the memory figures."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.core.exceptions import ValidationError

    from petitions.photos import clean_photo

    def status_mb(field: str) -> float:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
        raise RuntimeError(field)

    data = Path(path).read_bytes()
    upload = io.BytesIO(data)
    upload.size = len(data)
    baseline = status_mb("VmRSS")
    # Start the peak (VmHWM) afresh here: what follows is the photo's cost.
    Path("/proc/self/clear_refs").write_text("5")
    started = time.perf_counter()
    try:
        result = clean_photo(upload)
        outcome = f"taken, stored {len(result.read()) // 1024} KB"
    except ValidationError as exc:
        outcome = f"refused ({exc.code})"
    seconds = time.perf_counter() - started
    peak = status_mb("VmHWM")
    print(
        json.dumps(
            {
                "baseline_mb": round(baseline, 1),
                "peak_mb": round(peak, 1),
                "seconds": round(seconds, 2),
                "outcome": outcome,
                "file_kb": len(data) // 1024,
            }
        )
    )


def main() -> None:
    print(
        f"{'photo':30} {'file':>9} {'baseline':>9} {'peak':>8} {'extra':>8} "
        f"{'time':>7}  outcome"
    )
    with tempfile.TemporaryDirectory() as folder:
        for label, (fmt, size, mode) in PHOTOS.items():
            path = Path(folder) / f"photo.{fmt.lower()}"
            _make(path, fmt, size, mode)
            out = subprocess.run(  # noqa: S603 - our own interpreter and script
                [sys.executable, __file__, "--child", str(path)],
                check=True,
                capture_output=True,
                text=True,
                cwd=ROOT,
            ).stdout
            figures = json.loads(out.strip().splitlines()[-1])
            extra = figures["peak_mb"] - figures["baseline_mb"]
            print(
                f"{label:30} {figures['file_kb']:>6} KB {figures['baseline_mb']:>6} MB "
                f"{figures['peak_mb']:>5} MB {extra:>5.1f} MB "
                f"{figures['seconds']:>5} s  {figures['outcome']}"
            )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        _child(sys.argv[2])
    else:
        main()
