"""Delivery: from a claimed message to an SMTP answer, and what it means."""
