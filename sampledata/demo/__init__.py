"""The demo community of ``seed_demo``: 湖西街道 → 端庄社区 of seed 000 with
thirteen months of history up to now. ``settings.DEMO_SEEDERS`` lists the
steps in order; each is idempotent."""
