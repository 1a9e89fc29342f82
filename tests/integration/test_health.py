from fastapi.testclient import TestClient

from service.api.app import create_app
from service.settings import Settings


def test_healthz_answers_ok(tmp_path):
    with TestClient(create_app(Settings(data_dir=tmp_path))) as client:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["store"] == "sqlite"
