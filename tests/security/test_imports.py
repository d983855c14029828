"""Spreadsheet imports under attack (issue 14): every bad file is a 422 at once, never a 500 or a stall.

The three import routes (registry's staff list, training's and mentoring's lists) are built
in-process on SQLite, without their broker lifespan. The attack files are made here: openpyxl
writes a workbook, then its sheet XML is edited inside the zip.
"""

from __future__ import annotations

import asyncio
import io
import re
import threading
import time
import zipfile

import httpx
import pytest
from openpyxl import Workbook

from pedgrowth.contracts.registry import OrganizationRegistered
from tests.support.services import SECRET, auth, cloud_event

ADMIN = auth()
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROUTES = {
    "registry": "/api/v1/organisations/sch-1/staff/import",
    "training": "/api/v1/imports/course-completions",
    "mentoring": "/api/v1/imports/attendance",
}
HEADERS = {
    "registry": ["Идентификатор", "ФИО", "Должность", "Дата приёма", "Педагогический стаж с"],
    "training": ["Идентификатор педагога", "Код программы", "Дата окончания"],
    "mentoring": ["Код педагога", "Код мероприятия", "Название мероприятия", "Вид мероприятия", "Дата посещения"],
}
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10)) + b"]>")


def build_app(service: str, tmp_path, **overrides):
    from pedgrowth.mentoring.bootstrap import build as mentoring
    from pedgrowth.mentoring.config import MentoringSettings
    from pedgrowth.registry.bootstrap import build as registry
    from pedgrowth.registry.config import RegistrySettings
    from pedgrowth.training.bootstrap import build as training
    from pedgrowth.training.config import TrainingSettings

    builders = {"registry": (registry, RegistrySettings), "mentoring": (mentoring, MentoringSettings),
                "training": (training, lambda **kw: TrainingSettings(follow_registry=False, **kw))}
    build, settings = builders[service]
    return build(settings(data_dir=tmp_path / service, token_secret=SECRET, **overrides))


@pytest.fixture(params=list(ROUTES))
def service(request) -> str:
    return request.param


@pytest.fixture
async def client(service, tmp_path):
    async with served(service, tmp_path) as http:
        yield http


class served:
    """An HTTP client to one service; the registry knows sch-1, so its import route gets past the 404."""

    def __init__(self, service: str, tmp_path, **overrides):
        self.service = service
        self.app = build_app(service, tmp_path, **overrides)
        self.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://test")

    async def __aenter__(self) -> httpx.AsyncClient:
        if self.service == "registry":
            school = OrganizationRegistered(org_id="sch-1", name="Школа", kind="school", municipality_id="mun-1",
                                            municipality_name="М", region_id="reg-1", region_name="Р")
            assert (await self.http.post("/api/v1/organisations", json=school.model_dump(mode="json"),
                                         headers=ADMIN)).status_code < 300
        self.http.service = self.service
        self.http.pool = self.app.state.service.imports
        return self.http

    async def __aexit__(self, *_):
        await self.http.aclose()


def upload(client, name: str, content: bytes, media_type: str = XLSX_TYPE):
    return client.post(ROUTES[client.service], files={"file": (name, content, media_type)}, headers=ADMIN)


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def edit_sheet(content: bytes, change) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info.filename, change(data) if info.filename == "xl/worksheets/sheet1.xml" else data)
    return out.getvalue()


def wide_bomb(header: list[str]) -> bytes:
    """The issue's stall: a dimension of A1:XFD1048576, a header cell at XFD and 3,000 rows reaching XFD.

    openpyxl's read-only sheet padded each of those rows to 16,384 cells: this 38 KB file took 288 s
    to read (on a loaded 2-core machine), and was then accepted with a header 16,384 columns wide.
    """
    far = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>p-{n}</t></is></c><c r="XFD{n}"><v>1</v></c>'
                  "</row>" for n in range(3, 3_003)).encode()

    def change(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:XFD1048576"/>', xml)
        xml = xml.replace(b"</c></row>", b'</c><c r="XFD1" t="inlineStr"><is><t>x</t></is></c></row>', 1)
        return xml.replace(b"</sheetData>", far + b"</sheetData>")

    return edit_sheet(workbook([header, ["p-1"]]), change)


def laughs(header: list[str]) -> bytes:
    return edit_sheet(workbook([header, ["p-1"]]), lambda xml: LAUGHS + xml.replace(b"<t>p-1", b"<t>&lol9;p-1"))


def external_entity(header: list[str]) -> bytes:
    declaration = b'<!DOCTYPE w [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return edit_sheet(workbook([header, ["p-1"]]), lambda xml: declaration + xml.replace(b"<t>p-1", b"<t>&xxe;"))


def zip_bomb(header: list[str]) -> bytes:
    """A sheet padded with 30 MB of spaces inside its XML: a few tens of KB zipped, a ratio of ~1,000."""
    return edit_sheet(workbook([header, ["p-1"]]), lambda xml: xml.replace(b"<sheetData>", b"<sheetData>"
                                                                           + b" " * 30_000_000))


def long_field(header: list[str]) -> bytes:
    return (";".join(header) + "\n" + "p-1;" + "x" * 200_000 + "\n").encode()


BAD_FILES = {"wide": wide_bomb, "laughs": laughs, "external-entity": external_entity, "zip-bomb": zip_bomb}


@pytest.mark.parametrize("kind", list(BAD_FILES))
async def test_a_hostile_workbook_is_a_422_naming_the_file(client, kind):
    response = await upload(client, "list.xlsx", BAD_FILES[kind](HEADERS[client.service]))
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][:2] == ["body", "file"]


async def test_a_dtd_is_refused_in_russian_and_english(client):
    message = (await upload(client, "list.xlsx", laughs(HEADERS[client.service]))).json()["detail"][0]["msg"]
    assert "DTD" in message and "не принимаются" in message and "imports refuse such files" in message


async def test_a_csv_field_over_the_csv_modules_limit_is_a_422_naming_its_row_and_column(client):
    response = await upload(client, "list.csv", long_field(HEADERS[client.service]), "text/csv")
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "file", 2, HEADERS[client.service][1]]


async def test_a_huge_declared_dimension_alone_is_read_as_the_rows_it_has(tmp_path):
    rows = [HEADERS["mentoring"], ["p-1", "sem-1", "Семинар", "семинар", "01.11.2024"]]
    content = edit_sheet(workbook(rows), lambda xml: re.sub(rb'<dimension ref="[^"]*" ?/>',
                                                            b'<dimension ref="A1:XFD1048576"/>', xml))
    async with served("mentoring", tmp_path) as client:
        response = await upload(client, "list.xlsx", content)
    assert response.status_code == 200, response.text
    assert [row["outcome"] for row in response.json()["rows"]] == ["accepted"]


async def test_an_import_that_is_not_a_multipart_form_is_415(client):
    response = await client.post(ROUTES[client.service], content=long_field(HEADERS[client.service]),
                                 headers={**ADMIN, "Content-Type": "text/csv"})
    assert response.status_code == 415, response.text
    assert response.json()["detail"][0]["loc"] == ["header", "content-type"]


async def test_a_json_body_on_an_import_is_415(client):
    response = await client.post(ROUTES[client.service], json={"file": "x"}, headers=ADMIN)
    assert response.status_code == 415, response.text


async def test_an_import_without_a_body_is_422_for_the_missing_file(client):
    response = await client.post(ROUTES[client.service], headers=ADMIN)
    assert response.status_code == 422, response.text
    assert ["body", "file"] in [d["loc"] for d in response.json()["detail"]]


async def test_a_file_part_that_is_not_a_spreadsheet_is_415(client):
    response = await upload(client, "list.pdf", b"%PDF-1.7", "application/pdf")
    assert response.status_code == 415, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "file"]


@pytest.mark.parametrize("media_type", ["text/csv", "application/octet-stream", "application/vnd.ms-excel"])
async def test_a_csv_sent_as_curl_or_windows_label_it_is_read(client, media_type):
    response = await upload(client, "list.csv", (";".join(HEADERS[client.service]) + "\n").encode(), media_type)
    assert response.status_code == 200, response.text


async def test_a_file_over_the_import_limit_is_413(service, tmp_path):
    async with served(service, tmp_path, import_max_bytes=1_000) as client:
        response = await upload(client, "list.csv", long_field(HEADERS[service])[:5_000], "text/csv")
    assert response.status_code == 413, response.text


async def test_a_body_declared_over_the_import_limit_is_413_before_it_is_read(service, tmp_path):
    async with served(service, tmp_path, import_max_bytes=1_000) as client:
        request = client.build_request("POST", ROUTES[service], content=b"x" * 10,
                                       headers={**ADMIN, "Content-Type": "multipart/form-data; boundary=b",
                                                "Content-Length": str(10 * 1024 * 1024)})
        response = await client.send(request)
    assert response.status_code == 413, response.text


async def test_six_bombs_at_once_are_each_refused_while_other_routes_answer(tmp_path, capsys):
    bomb = wide_bomb(HEADERS["mentoring"])
    async with served("mentoring", tmp_path, import_queue=8) as client:
        started = time.perf_counter()
        bombs = [asyncio.create_task(timed(upload(client, f"bomb-{n}.xlsx", bomb))) for n in range(6)]
        health = await client.get("/health")
        event = await client.post("/api/v1/events", json=cloud_event(OrganizationRegistered(
            org_id="sch-7", name="Ш", kind="school", municipality_id="mun-1", municipality_name="М",
            region_id="reg-1", region_name="Р")), headers=ADMIN)
        others = time.perf_counter() - started
        answers = await asyncio.gather(*bombs)
    with capsys.disabled():
        print(f"\nsix wide bombs at once: each refused in {', '.join(f'{s:.3f}' for _, s in answers)} s; "
              f"/health and an event answered after {others:.3f} s")
    assert [response.status_code for response, _ in answers] == [422] * 6
    assert health.status_code == 200 and event.status_code < 500
    assert max(seconds for _, seconds in answers) < 5  # measured ~0.05 s each; was 23 s for one


async def timed(request) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    response = await request
    return response, time.perf_counter() - started


async def test_imports_past_the_pool_and_its_queue_are_503_and_other_routes_still_answer(tmp_path):
    async with served("mentoring", tmp_path, import_workers=1, import_queue=0) as client:
        release = threading.Event()
        busy = asyncio.create_task(client.pool.run(release.wait, 10))
        await asyncio.sleep(0)
        try:
            refused = await upload(client, "list.csv", (";".join(HEADERS["mentoring"]) + "\n").encode(), "text/csv")
            health = await client.get("/health")
        finally:
            release.set()
            await busy
        accepted = await upload(client, "list.csv", (";".join(HEADERS["mentoring"]) + "\n").encode(), "text/csv")
    assert (refused.status_code, refused.headers.get("retry-after")) == (503, "30")
    assert (health.status_code, accepted.status_code) == (200, 200)
