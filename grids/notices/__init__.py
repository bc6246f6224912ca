"""Notices (通知公告) of a community, a compound or a building: written by
community staff, published for a window, pinned or not, with photos
attached, read by residents on the community's site."""
