"""Every state change of case management, one module per concern.

Each action takes a keyword-only ``acting_user``, runs in one transaction and writes its audit
event in that transaction (CONVENTIONS § 2.2). Audit ``extra`` names fields and categories,
never personal values.
"""
