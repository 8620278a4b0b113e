"""Log lines without client addresses (README: no ID, password or address in any log)."""

from __future__ import annotations

import ipaddress
import logging
import re

# Anything that might be an address; ``ipaddress`` decides, so times like 12:30:45 stay.
_CANDIDATE = re.compile(r"[0-9A-Fa-f.:]*[.:][0-9A-Fa-f.:]+")
REDACTED = "[address]"


def redact_addresses(text: str) -> str:
    """``text`` with every IPv4 or IPv6 address replaced by ``[address]``."""

    def replace(match: re.Match) -> str:
        text = match.group(0)
        # "…from 10.0.0.1.", "ip=10.0.0.1:" and "10.0.0.1:8000": what follows is not the address.
        for candidate in (text, text.rstrip(".:"), text.rsplit(":", 1)[0]):
            try:
                ipaddress.ip_address(candidate)
            except ValueError:
                continue
            return text.replace(candidate, REDACTED, 1)
        return text

    return _CANDIDATE.sub(replace, text)


class RedactAddresses(logging.Filter):
    """A handler filter: the record's message and traceback reach the log without addresses."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_addresses(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info:
            record.exc_text = redact_addresses(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
