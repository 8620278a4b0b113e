"""gunicorn's settings for the portal (``make run`` and the image): logs on stdout and stderr,
never with a client address; the access log names method, path, status and duration only."""

from gunicorn.glogging import Logger

accesslog = "-"
access_log_format = "%(m)s %(U)s %(s)s %(M)sms"


class RedactingLogger(Logger):
    """gunicorn's logger, with every handler passing lines through ``core.logs.RedactAddresses``.

    gunicorn itself writes the client's address into some warnings ("Invalid request from
    ip=…" for an oversized request line); this removes it.
    """

    def setup(self, cfg):
        from core.logs import RedactAddresses

        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.addFilter(RedactAddresses())


logger_class = RedactingLogger
