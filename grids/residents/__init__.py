"""Residents' verified phones: SMS codes, remembered devices, the 我的 page.

Residents have no accounts. A resident proves a phone number with a one-time
code; the device then remembers it for a month (``identity``). What needs a
verified phone (signing in at a meeting, supporting a proposal, claiming a
wish …) reads it with ``verified_phone(request)`` in the owning app's views.
"""
