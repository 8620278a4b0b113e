"""Self-service in Django admin: contracts and their payments, releases, knowledge base."""

from selfservice.admin import articles, contracts, releases  # noqa: F401
