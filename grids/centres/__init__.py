"""Party service centres (党群服务中心, 红旗驿站): where residents find the
community's staff, when they are open, and who is on duty (轮值坐班, seed 004)."""
