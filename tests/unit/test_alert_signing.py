"""Signatures: checked with the published ``standardwebhooks`` library and DingTalk's own recipe."""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import time
import urllib.parse

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from service.alerts.delivery import DeliveryPolicy, backoff_delay, retry_schedule
from service.alerts.signing import (
    dingtalk_sign,
    dingtalk_signed_url,
    new_secret,
    redact_url,
    webhook_headers,
)


def test_standard_webhooks_library_verifies_our_headers() -> None:
    secret = new_secret()
    body = '{"msg":"优良天数比例"}'.encode()
    headers = webhook_headers(secret, "msg_abc", int(time.time()), body)
    assert Webhook(secret).verify(body, headers) == {"msg": "优良天数比例"}
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(body, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body + b" ", headers)


def test_signature_matches_the_library_sign() -> None:
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # the spec's example secret
    import datetime as dt

    ts = 1_614_265_330
    ours = webhook_headers(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", ts, b'{"test": 2432232314}')
    theirs = Webhook(secret).sign(
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        dt.datetime.fromtimestamp(ts, dt.UTC),
        '{"test": 2432232314}',
    )
    assert ours["webhook-signature"] == theirs
    assert ours["webhook-timestamp"] == str(ts)


def test_dingtalk_sign_follows_the_documented_recipe() -> None:
    secret, ts = "SEC000example", 1_700_000_000_000
    # DingTalk's documented Python example, verbatim in substance.
    string_to_sign = f"{ts}\n{secret}"
    hmac_code = hmac.new(
        secret.encode("utf-8"), string_to_sign.encode("utf-8"), digestmod=hashlib.sha256
    ).digest()
    expected = urllib.parse.quote_plus(base64.b64encode(hmac_code))
    assert dingtalk_sign(secret, ts) == expected
    url = dingtalk_signed_url("https://oapi.dingtalk.com/robot/send?access_token=T", secret, ts)
    assert (
        url == f"https://oapi.dingtalk.com/robot/send?access_token=T&timestamp={ts}&sign={expected}"
    )


def test_redact_hides_tokens() -> None:
    assert redact_url("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=SECRET") == (
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?…"
    )


def test_backoff_grows_with_jitter_and_retries_for_24_hours() -> None:
    rng = random.Random(0)
    delays = [backoff_delay(n, 5, 3600, rng) for n in range(1, 15)]
    assert 2.5 <= delays[0] <= 5 and 5 <= delays[1] <= 10
    assert all(1800 <= d <= 3600 for d in delays[10:])
    assert backoff_delay(1, 5, 3600, rng, retry_after_s=120) >= 120
    schedule = retry_schedule(DeliveryPolicy(), random.Random(0))
    assert 20 <= len(schedule) <= 45
    assert schedule[-1] <= 24 * 3600 and schedule[-1] > 22 * 3600
