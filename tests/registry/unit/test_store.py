"""The store: encrypted at rest when a key is set; the directory is rebuilt from it on start."""

from datetime import date

from eventsourcing.cipher import AESCipher

from pedgrowth.registry.application import RegistryApplication
from pedgrowth.registry.bootstrap import application_env
from pedgrowth.registry.config import RegistrySettings
from tests.registry.builders import hire, record, with_school

NAME = "Иванова Мария Петровна"


def stored_app(tmp_path, **settings):
    env = application_env(RegistrySettings(data_dir=tmp_path, **settings))
    return RegistryApplication(env=env, today=lambda: date(2024, 9, 2))


def store_with_a_named_person(tmp_path, **settings) -> bytes:
    app = with_school(stored_app(tmp_path, **settings))
    record(app, hire())
    app.record_details("p-1", NAME)
    app.close()
    return b"".join(path.read_bytes() for path in tmp_path.glob("registry.sqlite*"))


def test_without_a_key_the_name_is_stored_in_clear(tmp_path):
    assert NAME.encode() in store_with_a_named_person(tmp_path)


def test_with_a_key_the_stored_events_do_not_contain_the_name(tmp_path):
    stored = store_with_a_named_person(tmp_path, cipher_key=AESCipher.create_key(32))
    assert NAME.encode() not in stored and b"sch-1" not in stored


def test_an_encrypted_store_reads_back_with_its_key(tmp_path):
    key = AESCipher.create_key(32)
    store_with_a_named_person(tmp_path, cipher_key=key)
    app = stored_app(tmp_path, cipher_key=key)
    assert app.staff("sch-1", date(2024, 1, 1))[0]["full_name"] == NAME


def test_a_new_process_rebuilds_the_directory_from_the_store(tmp_path):
    store_with_a_named_person(tmp_path)
    app = stored_app(tmp_path)
    assert [s["person_id"] for s in app.staff("sch-1", date(2024, 1, 1))] == ["p-1"]


def test_the_tolerance_setting_reaches_the_application(tmp_path):
    assert stored_app(tmp_path, future_tolerance_days=7).tolerance.days == 7
