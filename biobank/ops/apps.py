from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: health probes, request ids in logs."""

    name = "biobank.ops"
    label = "ops"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from .logging import clear_request_id, install_record_factory

        install_record_factory()
        request_finished.connect(clear_request_id, dispatch_uid="biobank.ops.clear_request_id")
