"""Every log record carries the current request id (``-`` outside a request).

The id is attached when the record is made (a log-record factory), not by one handler's filter, so every handler
sees it: the console, a log shipper, and pytest's ``caplog`` alike.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

_installed = False


def install_record_factory() -> None:
    """Wrap the log-record factory once per process (called from ``OpsConfig.ready``)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = request_id_var.get()
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


def clear_request_id(**kwargs: Any) -> None:
    """``request_finished`` receiver: log lines between requests must not carry the last request's id."""
    request_id_var.set("-")


class RequestIdFilter(logging.Filter):
    """For the console formatter: records made before the factory was installed get the current id too."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True
