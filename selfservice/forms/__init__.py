"""Forms of self-service, one module per domain (``selfservice.forms.kb``)."""
