"""gunicorn's settings for the portal (``make run`` and the image): logs on stdout and stderr,
never with a client address; the access log names method, path, status and duration only."""

from gunicorn.glogging import Logger

accesslog = "-"
access_log_format = "%(m)s %(U)s %(s)s %(M)sms"

# Threads, not sync workers: a sync worker sending a large release file does not report to the
# arbiter, which kills it after `timeout` (30 s) however well the download is going; a gthread
# worker's main loop keeps reporting while its threads send (bench/downloads.py shows both).
worker_class = "gthread"
threads = 4


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
