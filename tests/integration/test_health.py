from fastapi.testclient import TestClient

from service.api.app import create_app
from service.settings import Settings


def test_healthz_answers_ok(tmp_path):
    with TestClient(create_app(Settings(data_dir=tmp_path))) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["store"] == "sqlite"


def test_healthz_reports_the_latest_collection(tmp_path):
    """A monitor sees when collection last finished, even when the scheduler runs elsewhere."""
    import datetime as dt

    from sqlalchemy import insert

    from service.store.engine import writing
    from service.store.tables import collector_runs

    with TestClient(create_app(Settings(data_dir=tmp_path))) as client:
        before = client.get("/healthz").json()
        assert before["last_collection"] is None and before["last_collection_ok"] is None
        t0 = dt.datetime(2026, 11, 29, 4, tzinfo=dt.UTC)
        rows = [
            {
                "collector": "demo",
                "started_at": t0,
                "finished_at": t0,
                "status": "ok",
                "error": None,
            },
            {
                "collector": "demo",
                "started_at": t0 + dt.timedelta(hours=1),
                "finished_at": t0 + dt.timedelta(hours=1, seconds=3),
                "status": "failed",
                "error": "ConnectError",
            },
            {
                "collector": "demo",
                "started_at": t0 + dt.timedelta(hours=2),
                "finished_at": None,
                "status": "running",
                "error": None,
            },
        ]
        with writing(client.app.state.engine) as conn:
            conn.execute(insert(collector_runs), rows)
        after = client.get("/healthz").json()
    assert after["status"] == "ok"
    assert after["last_collection"].startswith("2026-11-29T05:00:03")
    assert after["last_collection_ok"] is False
