"""Webhook delivery: a worker that claims due outbox rows and POSTs them, signed.

- Outbox rows are the truth. A worker claims a due row by writing its lease (owner + expiry) with a
  conditional UPDATE, so two workers never send the same row at once, and a row whose worker died is
  claimed again when the lease has run out: a restart loses nothing.
- Every attempt sends the same body and ``webhook-id``, a fresh ``webhook-timestamp`` and signature.
  Receivers deduplicate by ``webhook-id`` (delivery is at least once).
- Failures are retried with exponential backoff with jitter (``backoff_base_s`` doubling up to
  ``backoff_max_s``, ``Retry-After`` honoured) until ``expires_at`` (24 h by default), then ``failed``.
- 2xx is delivered; 410 Gone disables the subscription and cancels its pending messages; anything
  else (3xx included: redirects are never followed) is retried.
- Each attempt is one row in the delivery log (``webhook_attempts``).
- The subscription's secrets are stored sealed; each attempt opens them just to sign. A secret
  that does not open (a wrong ``ENVMON_WEBHOOK_KEY``) fails that message at once, with the reason
  in the log: once the key is put right, replay it.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import Engine

from service.alerts.sealing import SecretBox, UndecryptableSecret
from service.alerts.signing import dingtalk_signed_url, redact_url, webhook_headers
from service.alerts.urls import (
    OutboundPolicy,
    Resolver,
    UnsafeURL,
    check_url,
    pinned_url,
    system_resolver,
)
from service.clock import Clock
from service.metrics import ALERT_DELIVERIES
from service.settings import Settings
from service.store import alert_repo as repo
from service.store.engine import writing
from service.store.webhook_queries import delivery_row

log = logging.getLogger(__name__)
# httpx logs every request's full URL at INFO, and a robot's URL carries its token in the query
# (DingTalk access_token, WeCom key): keep those lines out of the log; errors still come through
# our own messages, which use redact_url.
logging.getLogger("httpx").setLevel(logging.WARNING)

USER_AGENT = "envmon-webhooks/1"
#: The delivery log's reason when a subscription's secrets do not decrypt.
UNDECRYPTABLE = (
    "cannot decrypt this subscription's signing secret: ENVMON_WEBHOOK_KEY (or the key file) "
    "is not the key it was stored with; not sent"
)


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """Timeouts, limits and the retry schedule of webhook delivery."""

    timeout_s: float = 10.0
    max_payload_bytes: int = 256 * 1024
    retry_for: dt.timedelta = dt.timedelta(hours=24)
    backoff_base_s: float = 5.0
    backoff_max_s: float = 3600.0
    lease: dt.timedelta = dt.timedelta(minutes=2)
    batch: int = 50
    concurrency: int = 4
    response_excerpt: int = 512
    outbound: OutboundPolicy = field(default_factory=OutboundPolicy)

    @classmethod
    def from_settings(cls, settings: Settings) -> DeliveryPolicy:
        """The policy the settings describe (https is required outside development)."""
        return cls(
            timeout_s=settings.alerts.webhook_timeout_s,
            max_payload_bytes=settings.alerts.webhook_max_payload_bytes,
            retry_for=dt.timedelta(hours=settings.alerts.webhook_retry_hours),
            backoff_base_s=settings.alerts.webhook_backoff_base_s,
            backoff_max_s=settings.alerts.webhook_backoff_max_s,
            outbound=OutboundPolicy(
                require_https=settings.environment != "development",
                allow_private=settings.alerts.webhook_allow_private,
            ),
        )


def backoff_delay(
    attempt: int,
    base_s: float,
    max_s: float,
    rng: random.Random,
    retry_after_s: float | None = None,
) -> float:
    """Seconds before the next attempt after ``attempt`` failures (1-based).

    Exponential (``base * 2**(attempt-1)``, capped at ``max_s``) with "equal jitter": half fixed, half
    random, so retries of many messages spread out but never come sooner than half the schedule.
    """
    ceiling = min(max_s, base_s * 2 ** max(0, attempt - 1))
    delay = ceiling / 2 + rng.uniform(0, ceiling / 2)
    if retry_after_s is not None:
        delay = max(delay, min(retry_after_s, max_s))
    return float(delay)


def retry_schedule(policy: DeliveryPolicy, rng: random.Random) -> list[float]:
    """Cumulative seconds of every attempt after the first within ``retry_for`` (for docs and tests)."""
    total, attempt = 0.0, 1
    out: list[float] = []
    while True:
        total += backoff_delay(attempt, policy.backoff_base_s, policy.backoff_max_s, rng)
        if total > policy.retry_for.total_seconds():
            return out
        out.append(total)
        attempt += 1


@dataclass(frozen=True, slots=True)
class Attempt:
    """What one HTTP attempt gave."""

    outcome: str  # delivered | retry | failed | gone | cancelled
    status_code: int | None
    error: str | None
    duration_ms: int
    excerpt: str | None
    retry_after_s: float | None = None


@dataclass(slots=True)
class RunReport:
    """Counts of one worker pass."""

    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0
    gone: int = 0
    cancelled: int = 0


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


class DeliveryWorker:
    """Claims due outbox rows and delivers them; ``run_once`` is the scheduler job."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        policy: DeliveryPolicy | None = None,
        *,
        box: SecretBox,
        client: httpx.Client | None = None,
        resolver: Resolver = system_resolver,
        rng: random.Random | None = None,
        owner: str | None = None,
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.policy = policy or DeliveryPolicy()
        self.box = box
        self.resolver = resolver
        self.rng = rng or random.Random()
        self.owner = owner or f"worker-{uuid.uuid4().hex[:12]}"
        self._own_client = client is None
        self.client = client or httpx.Client(
            timeout=httpx.Timeout(self.policy.timeout_s),
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(max_connections=max(4, self.policy.concurrency * 2)),
        )

    def close(self) -> None:
        """Close the HTTP client if this worker made it."""
        if self._own_client:
            self.client.close()

    def __enter__(self) -> DeliveryWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -------------------------------------------------------------------------------- claiming

    def claim(self, now: dt.datetime, limit: int | None = None) -> list[dict[str, Any]]:
        """Lease up to ``limit`` due rows to this worker; returns the claimed rows."""
        limit = limit or self.policy.batch
        with self.engine.connect() as conn:
            ids = repo.due_message_ids(conn, now, limit)
        claimed: list[dict[str, Any]] = []
        for msg_id in ids:
            with writing(self.engine) as conn:
                row = repo.lease_message(conn, msg_id, now, self.owner, now + self.policy.lease)
            if row is not None:
                claimed.append(row)
        return claimed

    # -------------------------------------------------------------------------------- sending

    def send(self, row: Mapping[str, Any], sub: repo.Subscription) -> Attempt:
        """One signed POST of an outbox row to its subscription (no store writes)."""
        body: bytes = row["body"]
        started = time.perf_counter()

        def done(
            outcome: str,
            code: int | None,
            error: str | None,
            excerpt: str | None = None,
            retry_after: float | None = None,
        ) -> Attempt:
            ms = int((time.perf_counter() - started) * 1000)
            return Attempt(outcome, code, error, ms, excerpt, retry_after)

        if len(body) > self.policy.max_payload_bytes:
            return done("failed", None, f"body of {len(body)} bytes exceeds the maximum")
        try:
            request = self._signed_request(row, sub)
        except UndecryptableSecret:
            log.error(
                "webhook subscription %s: its secrets do not decrypt with this ENVMON_WEBHOOK_KEY "
                "(or key file); message %s failed",
                sub.id,
                row["id"],
            )
            return done("failed", None, UNDECRYPTABLE)
        except UnsafeURL as exc:
            # DNS trouble may pass; a refused address will not, but retrying costs nothing.
            return done("retry", None, str(exc))
        request_url, headers, extensions = request
        try:
            with self.client.stream(
                "POST", request_url, content=body, headers=headers, extensions=extensions
            ) as resp:
                text = self._excerpt(resp)
                code = resp.status_code
                if 200 <= code < 300:
                    return done("delivered", code, None, text)
                if code == 410:
                    return done("gone", code, "410 Gone", text)
                retry_after = _retry_after(resp.headers.get("retry-after"))
                return done("retry", code, f"HTTP {code}", text, retry_after)
        except httpx.HTTPError as exc:
            return done("retry", None, f"{type(exc).__name__}: {exc}"[:500])

    def _signed_request(
        self, row: Mapping[str, Any], sub: repo.Subscription
    ) -> tuple[str, dict[str, str], dict[str, Any]]:
        """The URL (pinned to the checked address), headers (signed) and extensions of the POST;
        raises ``UndecryptableSecret`` or ``UnsafeURL``."""
        secret, robot_secret = repo.open_secrets(self.box, sub)
        url = repo.open_url(self.box, sub.url)
        now = self.clock.now()
        if sub.format == "dingtalk" and robot_secret:
            url = dingtalk_signed_url(url, robot_secret, int(now.timestamp() * 1000))
        target = check_url(url, self.policy.outbound, self.resolver)
        request_url, host_header = pinned_url(target)
        headers = {
            "content-type": "application/json; charset=utf-8",
            "user-agent": USER_AGENT,
            "host": host_header,
            **webhook_headers(secret, row["id"], int(now.timestamp()), row["body"]),
        }
        extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
        return request_url, headers, extensions

    def _excerpt(self, resp: httpx.Response) -> str:
        """The start of the answer's body (at most ``response_excerpt`` bytes read)."""
        excerpt = b""
        for chunk in resp.iter_bytes():
            excerpt += chunk
            if len(excerpt) >= self.policy.response_excerpt:
                break
        return excerpt[: self.policy.response_excerpt].decode("utf-8", "replace")

    # -------------------------------------------------------------------------------- recording

    def record(
        self,
        row: Mapping[str, Any],
        sub: repo.Subscription | None,
        att: Attempt,
        *,
        manual: bool = False,
    ) -> str:
        """Write the attempt to the log and move the row on; returns the row's new status."""
        now = self.clock.now()
        attempt_no = int(row["attempts"]) + 1
        outcome, values = self._next_state(row, att, attempt_no, now)
        with writing(self.engine) as conn:
            repo.record_attempt(
                conn,
                row,
                attempt_no,
                now,
                outcome=outcome,
                status_code=att.status_code,
                error=att.error,
                duration_ms=att.duration_ms,
                excerpt=att.excerpt,
                manual=manual,
                owner=self.owner,
                values=values,
            )
            if outcome == "gone" and sub is not None:
                repo.disable_subscription(
                    conn, sub.id, f"410 Gone from {redact_url(sub.url)} at {now.isoformat()}", now
                )
        if outcome == "gone":
            log.warning(
                "webhook subscription %s answered 410 and is disabled", row["subscription_id"]
            )
        return str(values["status"])

    def _next_state(
        self, row: Mapping[str, Any], att: Attempt, attempt_no: int, now: dt.datetime
    ) -> tuple[str, dict[str, Any]]:
        """The attempt's outcome as logged (a retry past the row's expiry is ``failed``) and the
        outbox row's new values."""
        values: dict[str, Any] = {
            "attempts": attempt_no,
            "lease_owner": None,
            "lease_until": None,
            "last_status_code": att.status_code,
            "last_error": att.error,
        }
        outcome = att.outcome
        if outcome == "delivered":
            return outcome, values | {"status": repo.DELIVERED, "delivered_at": now}
        if outcome in {"gone", "cancelled"}:
            return outcome, values | {"status": repo.CANCELLED}
        if outcome == "failed":
            return outcome, values | {"status": repo.FAILED}
        delay = backoff_delay(
            attempt_no,
            self.policy.backoff_base_s,
            self.policy.backoff_max_s,
            self.rng,
            att.retry_after_s,
        )
        nxt = now + dt.timedelta(seconds=delay)
        if nxt > row["expires_at"]:
            return "failed", values | {"status": repo.FAILED}
        return outcome, values | {"status": repo.PENDING, "next_attempt_at": nxt}

    def _one(self, row: dict[str, Any]) -> str:
        with self.engine.connect() as conn:
            sub = repo.get_subscription(conn, int(row["subscription_id"]))
        if sub is None or not sub.enabled:
            self.record(row, sub, Attempt("cancelled", None, "subscription disabled", 0, None))
            return "cancelled"
        att = self.send(row, sub)
        self.record(row, sub, att)
        return att.outcome

    def run_once(self) -> RunReport:
        """Claim the due rows and deliver them (a few at a time); the scheduler's delivery job."""
        rows = self.claim(self.clock.now())
        report = RunReport(claimed=len(rows))
        if not rows:
            return report
        if self.policy.concurrency > 1 and len(rows) > 1:
            with ThreadPoolExecutor(max_workers=self.policy.concurrency) as pool:
                outcomes = list(pool.map(self._one, rows))
        else:
            outcomes = [self._one(r) for r in rows]
        for o in outcomes:
            ALERT_DELIVERIES.labels(o).inc()
            if o == "delivered":
                report.delivered += 1
            elif o == "retry":
                report.retried += 1
            elif o == "failed":
                report.failed += 1
            elif o == "gone":
                report.gone += 1
            else:
                report.cancelled += 1
        return report

    def drain(self, max_passes: int = 100) -> RunReport:
        """Run passes until nothing is due now (tests and benchmarks)."""
        total = RunReport()
        for _ in range(max_passes):
            r = self.run_once()
            if r.claimed == 0:
                break
            for name in ("claimed", "delivered", "retried", "failed", "gone", "cancelled"):
                setattr(total, name, getattr(total, name) + getattr(r, name))
        return total


def replay(engine: Engine, msg_id: str, now: dt.datetime, policy: DeliveryPolicy) -> bool:
    """Put a message back in the queue, due now, with a fresh retry window (same ``webhook-id``).

    Returns False when the message is unknown or its subscription is disabled.
    """
    with writing(engine) as conn:
        row = delivery_row(conn, msg_id)
        if row is None:
            return False
        sub = repo.get_subscription(conn, int(row["subscription_id"]))
        if sub is None or not sub.enabled:
            return False
        repo.requeue_message(conn, msg_id, now, now + policy.retry_for)
    return True
