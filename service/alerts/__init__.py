"""Alerts: pure rules over computed figures, an Alertmanager-style life cycle, and signed webhooks.

Flow: ``evaluate.evaluate_and_enqueue`` (figures -> ``rules`` -> ``state`` -> ``payloads`` -> outbox)
and ``delivery.DeliveryWorker`` (outbox -> signed HTTP POST). ``rules`` and ``state`` are pure.
"""
