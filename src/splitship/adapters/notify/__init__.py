"""Outbound notifications: signed webhooks and SMTP e-mail, with the buyer e-mail templates."""
