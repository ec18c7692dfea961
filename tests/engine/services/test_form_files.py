"""Form files: the deployed file of a form, kept byte for byte, and checking a .form file."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from engine.engine import ProcessEngine
from engine.errors import FormNotFound
from engine.models import FormDefinition
from engine.services.form_files import form_bytes, form_schema

FORM = '{\n\t"id": "notat",\n\t"components": [{"type": "textfield", "id": "f", "key": "notat"}]\n}'


def test_deploy_keeps_the_file(engine: ProcessEngine) -> None:
    engine.repository.deploy([("notat.form", FORM.encode("utf-8"))])

    assert engine.form_files.newest("notat").source == FORM


def test_older_version_gives_its_schema(engine: ProcessEngine) -> None:
    engine.repository.deploy([("notat.form", FORM.encode("utf-8"))])
    with engine.transaction():
        engine.uow.session.execute(update(FormDefinition).values(source=None))

    assert form_schema(engine.form_files.newest("notat").source) == form_schema(FORM)


def test_unknown_form_raises(engine: ProcessEngine) -> None:
    with pytest.raises(FormNotFound):
        engine.form_files.newest("finnes-ikke")


def test_check_gives_id_and_fields(engine: ProcessEngine) -> None:
    check = engine.form_files.check(FORM)

    assert (check.form_id, check.fields, check.errors) == ("notat", ["notat"], [])


def test_check_refuses_another_id(engine: ProcessEngine) -> None:
    check = engine.form_files.check(FORM, "annet")

    assert not check.valid


def test_check_reports_the_line(engine: ProcessEngine) -> None:
    check = engine.form_files.check('{\n"id": "x",\n"components": [,]}')

    assert check.errors[0]["line"] == 3


def test_text_deploys_unchanged() -> None:
    assert form_bytes(FORM) == FORM.encode("utf-8")


def test_schema_deploys_as_json() -> None:
    assert form_schema(form_bytes({"id": "notat", "components": []}).decode()) == {
        "id": "notat", "components": []}


def test_text_that_is_no_object_has_no_schema() -> None:
    assert form_schema("[1, 2]") is None
