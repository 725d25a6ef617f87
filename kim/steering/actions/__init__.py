"""Every state change of the steering app, one module per concern (``topics``, ``bodies``,
``meetings``): keyword-only ``acting_user``, one transaction, one audit event each."""
