"""«Вход» and «Выйти»: the token is taken once into an HttpOnly SameSite=Strict cookie, never the address."""

from __future__ import annotations

import httpx
import pytest

from pedgrowth.indicators.bootstrap import build
from pedgrowth.indicators.config import IndicatorsSettings
from pedgrowth.kit.auth import SESSION_COOKIE, Role
from tests.support.services import SECRET, token

SAME_ORIGIN = {"Origin": "http://test"}


@pytest.fixture
async def client(tmp_path):
    app = build(IndicatorsSettings(data_dir=tmp_path, token_secret=SECRET))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        yield http


async def sign_in(client, given: str) -> httpx.Response:
    return await client.post("/login", data={"token": given}, headers=SAME_ORIGIN)


async def test_signing_in_sets_an_http_only_strict_cookie_and_opens_the_dashboard(client):
    answer = await sign_in(client, token(Role.MUNICIPAL_OPERATOR, municipality_id="michurinsk"))
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=") and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie, "plain http here; Secure is set when served over https"
    page = await client.get("/")
    assert page.status_code == 200 and "Выйти" in page.text and "оператор муниципалитета" in page.text
    assert page.headers["cache-control"] == "no-store"


async def test_the_cookie_is_secure_over_https(tmp_path):
    app = build(IndicatorsSettings(data_dir=tmp_path, token_secret=SECRET))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://test") as http:
        answer = await http.post("/login", data={"token": token()}, headers={"Origin": "https://test"})
    assert "Secure" in answer.headers["set-cookie"]


async def test_a_bad_token_is_refused_in_russian_and_sets_nothing(client):
    answer = await sign_in(client, "not-a-token")
    assert answer.status_code == 401 and "Ключ не принят" in answer.text
    assert "set-cookie" not in answer.headers


async def test_sign_in_from_another_site_is_refused(client):
    answer = await client.post("/login", data={"token": token()}, headers={"Origin": "http://evil.example"})
    assert answer.status_code == 403 and "set-cookie" not in answer.headers


async def test_the_session_reads_the_api_and_a_regional_analyst_gets_no_persons_button(client):
    await sign_in(client, token(Role.REGIONAL_ANALYST, region_id="tambov"))
    assert (await client.get("/api/v1/plans", params={"municipality": "michurinsk"})).status_code == 403
    page = await client.get("/")
    assert "members-button" not in page.text and 'data-persons="no"' in page.text
    for path in ("/members/training_coverage", "/members/training_coverage.xlsx"):
        refused = await client.get(path, params={"scope": "municipality:michurinsk"})
        assert refused.status_code == 403 and "Ваша роль видит только сводные показатели" in refused.text, path
        assert "regional_analyst" not in refused.text
    await sign_in(client, token(Role.MUNICIPAL_OPERATOR, municipality_id="michurinsk"))
    assert (await client.get("/api/v1/plans", params={"municipality": "michurinsk"})).status_code == 200
    assert "members-button" in (await client.get("/")).text


async def test_signing_out_removes_the_cookie_and_the_page(client):
    await sign_in(client, token())
    answer = await client.post("/logout", headers=SAME_ORIGIN)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert f'{SESSION_COOKIE}=""' in answer.headers["set-cookie"] and "Max-Age=0" in answer.headers["set-cookie"]
    assert "cache" in answer.headers["clear-site-data"]
    assert (await client.get("/")).status_code == 303
    assert (await client.get("/api/v1/scopes")).status_code == 401


@pytest.mark.parametrize("path", ["/members/training_coverage", "/members/training_coverage.xlsx"])
async def test_the_members_page_and_export_answer_the_apis_status_with_a_russian_reason(client, path):
    await client._transport.app.state.read_model.load()
    await sign_in(client, token(Role.MUNICIPAL_OPERATOR, municipality_id="michurinsk"))
    foreign = await client.get(path, params={"scope": "municipality:tambov"})
    assert foreign.status_code == 403 and "вне вашей области доступа" in foreign.text, foreign.text
    unknown = await client.get(path.replace("training_coverage", "no_such_indicator"),
                               params={"scope": "municipality:michurinsk"})
    assert unknown.status_code == 404 and "такого показателя нет" in unknown.text, unknown.text
    bad = await client.get(path, params={"scope": "district:michurinsk"})
    assert bad.status_code == 422 and "scope" in bad.text, bad.text
    own = await client.get(path, params={"scope": "municipality:michurinsk"})
    assert own.status_code == 200, own.text
