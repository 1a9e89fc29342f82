"""The version of envmon's HTTP API (OpenAPI ``info.version``, ``/healthz``)."""

API_VERSION = "0.1.0"

__all__ = ["API_VERSION"]
