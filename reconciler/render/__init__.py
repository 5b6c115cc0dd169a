"""Renderings of a plan or a drift report: ``text`` for a terminal, ``markdown`` for a pull request
comment, the step summary or an issue, ``json`` for machines and the saved plan file.

Every renderer is pure (a Plan in, text out) and deterministic: the same plan gives the same bytes.
"""
