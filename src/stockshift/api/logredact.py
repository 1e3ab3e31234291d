"""Keep secrets passed in URLs out of the access log: ``?token=`` and ``?access_token=``
values (and other credential-like parameters) are replaced before a line is written."""

from __future__ import annotations

import logging
import re

SECRET_PARAMS = ("access_token", "token", "api_key", "key")
REDACTED = "[redacted]"
_SECRET = re.compile(r"([?&](?:" + "|".join(SECRET_PARAMS) + r")=)[^&#\s\"]*", flags=re.IGNORECASE)
ACCESS_LOGGERS = ("uvicorn.access",)


def redact(text: str) -> str:
    """``text`` with the values of secret query parameters replaced."""
    return _SECRET.sub(rf"\g<1>{REDACTED}", text)


class RedactQuerySecrets(logging.Filter):
    """Rewrites a record's message and string arguments (uvicorn passes the path as one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def install() -> None:
    """Add the filter to the access loggers, once."""
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactQuerySecrets) for f in logger.filters):
            logger.addFilter(RedactQuerySecrets())
