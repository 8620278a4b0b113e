"""The project's own tooling, outside the Django apps."""
