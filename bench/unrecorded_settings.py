"""The portal's settings without the visit log: bench/pages.py's baseline for what it costs."""

from nexcore_support.settings import *  # noqa: F403
from nexcore_support.settings import MIDDLEWARE

MIDDLEWARE = [name for name in MIDDLEWARE if name != "accounts.middleware.VisitRecordMiddleware"]
