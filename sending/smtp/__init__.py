"""The SMTP service: authenticated submission and the inbound bounce receiver."""
