import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


async def test_healthz_reports_every_dependency_ok(async_client):
    response = await async_client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "ok", "channel_layer": "ok", "status": "ok"}


async def test_healthz_names_redis_when_it_is_down(async_client, settings):
    dead = "redis://127.0.0.1:1/0"
    layers = {"default": {**settings.CHANNEL_LAYERS["default"],
                          "CONFIG": {**settings.CHANNEL_LAYERS["default"]["CONFIG"], "hosts": [dead]}}}
    with override_settings(REDIS_URL=dead, CHANNEL_LAYERS=layers):
        from channels.layers import channel_layers

        channel_layers.backends.clear()
        response = await async_client.get("/healthz")
    channel_layers.backends.clear()
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["redis"].startswith("error:")
    assert body["channel_layer"].startswith("error:")
    assert body["status"] == "error"
