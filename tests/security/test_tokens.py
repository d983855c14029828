"""Token rules (issue 14): claims type-checked; the dev token long, announced, and never in production."""

from __future__ import annotations

import logging
import time

import httpx
import jwt
import pytest
from pydantic import ValidationError

from pedgrowth.kit.auth import ISSUER, Role, TokenError, Tokens
from pedgrowth.training.config import TrainingSettings
from tests.security.test_input import build_app
from tests.support.services import SECRET

GOOD_DEV_TOKEN = "a-development-token-of-32-chars-or-more"


def signed(**claims) -> str:
    base = {"iss": ISSUER, "sub": "attacker", "role": "admin", "iat": int(time.time()),
            "exp": int(time.time()) + 3600}
    base.update(claims)
    return jwt.encode({k: v for k, v in base.items() if v is not None}, SECRET, algorithm="HS256")


@pytest.mark.parametrize("claims", [
    {"exp": "9999999999"}, {"exp": str(int(time.time()) + 3600)}, {"exp": True}, {"exp": [1]},
    {"iat": "0"}, {"nbf": "0"}, {"sub": 7}, {"sub": ""}, {"sub": {"x": 1}}, {"role": ["admin"]},
    {"role": "school_system", "org_id": 12}, {"role": "municipal_operator", "municipality_id": ["m"]},
    {"role": "regional_analyst", "region_id": None, "iss": None},
])
def test_a_signed_token_with_a_claim_of_the_wrong_type_is_refused(claims):
    with pytest.raises(TokenError):
        Tokens(SECRET).verify(signed(**claims))


def test_well_typed_tokens_still_verify():
    principal = Tokens(SECRET).verify(signed(role="school_system", org_id="sch-1", exp=time.time() + 60))
    assert (principal.role, principal.org_id) == (Role.SCHOOL_SYSTEM, "sch-1")
    issued = Tokens(SECRET).issue("op", Role.MUNICIPAL_OPERATOR, municipality_id="m-1")
    assert Tokens(SECRET).verify(issued).municipality_id == "m-1"


async def test_a_string_exp_is_401_over_http(tmp_path):
    app = build_app("training", tmp_path)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        response = await client.get("/api/v1/providers", headers={"Authorization": f"Bearer {signed(exp='9999999999')}"})
    assert response.status_code == 401
    assert "exp" in response.json()["detail"]


@pytest.mark.parametrize("dev_token", ["a", " ", " " * 40, "x" * 31, "short but with spaces in it, 40 chars!!"])
def test_a_short_or_blank_dev_token_stops_the_service_from_starting(dev_token, tmp_path):
    with pytest.raises(ValidationError, match="PEDGROWTH_DEV_TOKEN must be at least 32 characters"):
        TrainingSettings(data_dir=tmp_path, token_secret=SECRET, dev_token=dev_token)


def test_the_dev_token_is_refused_in_production(tmp_path):
    with pytest.raises(ValidationError, match="PEDGROWTH_ENV=production"):
        TrainingSettings(data_dir=tmp_path, token_secret=SECRET, dev_token=GOOD_DEV_TOKEN, environment="production")
    assert TrainingSettings(data_dir=tmp_path, token_secret=SECRET, environment="production").dev_token is None


def test_the_tokens_object_applies_the_same_rule():
    with pytest.raises(ValueError, match="at least 32"):
        Tokens(SECRET, "a")
    with pytest.raises(ValueError, match="production"):
        Tokens(SECRET, GOOD_DEV_TOKEN, environment="production")


async def test_a_long_dev_token_works_and_every_start_warns(tmp_path, caplog):
    caplog.set_level(logging.WARNING, logger="pedgrowth.kit.auth")
    for start in range(2):
        app = build_app("training", tmp_path / str(start), dev_token=GOOD_DEV_TOKEN)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            response = await client.get("/api/v1/providers", headers={"Authorization": f"Bearer {GOOD_DEV_TOKEN}"})
        assert response.status_code == 200
    warnings = [r for r in caplog.records if "PEDGROWTH_DEV_TOKEN is set" in r.getMessage()]
    assert len(warnings) == 2


def test_an_empty_dev_token_means_none(tmp_path):
    assert TrainingSettings(data_dir=tmp_path, token_secret=SECRET, dev_token="").dev_token is None
