"""Adding, reading and deleting attachments, with their limits and who may see them."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.attachments.errors import (
    AttachmentEmpty,
    AttachmentNotAllowed,
    AttachmentNotDeletable,
    AttachmentNotFound,
    AttachmentTooLarge,
    AttachmentTypeNotAllowed,
    TooManyAttachments,
)
from engine.attachments.types import KNOWN_TYPES, PDF, TEXT
from engine.engine import ProcessEngine
from engine.errors import NotAssignee, TaskAlreadyCompleted, TaskNotFound
from engine.models import Attachment
from engine.services.attachments import allowed_types, clean_filename
from tests import attachment_files as files
from tests.confidential import start_confidential_case
from tests.engine.services.test_case_access import REPORT
from tests.engine.services.test_concurrency import race


def open_task(engine: ProcessEngine, instance_id: int, element_id: str) -> str:
    with engine.transaction(read_only=True):
        (task,) = engine.tasks.open_tasks_of_instance(instance_id, element_id)
        return task.id


@pytest.fixture
def case(demo_engine: ProcessEngine) -> tuple[int, str]:
    """A deviation case by ola.ansatt whose first task lise.leder has taken."""
    instance_id = demo_engine.runtime.start("avvik", "ola.ansatt", REPORT).instance_id
    task_id = open_task(demo_engine, instance_id, "VurderAvvik")
    demo_engine.tasks.claim(task_id, "lise.leder")
    return instance_id, task_id


def attach(engine: ProcessEngine, task_id: str, content: bytes = files.PDF,
           filename: str = "rapport.pdf", username: str = "lise.leder") -> Attachment:
    return engine.attachments.add(task_id, username, filename, io.BytesIO(content))


def stored_files(engine: ProcessEngine) -> list[Path]:
    return sorted(path for path in engine.attachments.store.directory.rglob("*")
                  if path.is_file())


def visible_names(engine: ProcessEngine, instance_id: int, username: str) -> list[str]:
    with engine.transaction(read_only=True):
        instance = engine.runtime.instance(instance_id)
        return [a.filename for a in engine.attachments.visible(instance, username)]


def audit_actions(engine: ProcessEngine, instance_id: int) -> list[str]:
    with engine.transaction(read_only=True):
        return [event.action for event in engine.history.events(instance_id)]


# --- adding ------------------------------------------------------------------------------

def test_add_stores_file_in_store(demo_engine: ProcessEngine,
                                  case: tuple[int, str]) -> None:
    instance_id, task_id = case

    attachment = attach(demo_engine, task_id)

    path = demo_engine.attachments.store.path(attachment.storage_key)
    assert path.read_bytes() == files.PDF
    assert attachment.instance_id == instance_id
    assert attachment.task_id == task_id
    assert attachment.element_id == "VurderAvvik"
    assert attachment.filename == "rapport.pdf"
    assert attachment.content_type == PDF
    assert attachment.size == len(files.PDF)
    assert attachment.sha256 == hashlib.sha256(files.PDF).hexdigest()
    assert attachment.uploaded_by == "lise.leder"
    assert stored_files(demo_engine) == [path]


def test_add_keeps_bytes_out_of_state(demo_engine: ProcessEngine,
                                      case: tuple[int, str]) -> None:
    instance_id, task_id = case

    attach(demo_engine, task_id, files.TEXT, "notat.txt")

    variables = demo_engine.runtime.variables(instance_id)
    assert "Møtereferat" not in repr(variables)
    assert "notat.txt" not in repr(variables)


def test_add_takes_type_from_content(demo_engine: ProcessEngine,
                                     case: tuple[int, str]) -> None:
    _instance_id, task_id = case

    attachment = attach(demo_engine, task_id, files.PNG, "rapport.pdf")

    assert attachment.content_type == "image/png"
    assert attachment.filename == "rapport.pdf.png"


def test_add_records_audit_event(demo_engine: ProcessEngine, case: tuple[int, str]) -> None:
    instance_id, task_id = case

    attachment = attach(demo_engine, task_id)

    with demo_engine.transaction(read_only=True):
        event = demo_engine.history.events(instance_id)[-1]
    assert event.action == "attachment_added"
    assert event.actor == "lise.leder"
    assert event.task_id == task_id
    assert event.details == {"attachment_id": attachment.id, "content_type": PDF,
                             "size": len(files.PDF)}


def test_add_rejects_unknown_type(demo_engine: ProcessEngine,
                                  case: tuple[int, str]) -> None:
    instance_id, task_id = case

    with pytest.raises(AttachmentTypeNotAllowed) as rejected:
        attach(demo_engine, task_id, files.BINARY, "program.pdf")

    assert "program.pdf" in str(rejected.value)
    assert "PDF" in str(rejected.value)
    assert stored_files(demo_engine) == []
    assert visible_names(demo_engine, instance_id, "lise.leder") == []


def test_add_rejects_type_left_out(make_engine: Callable[..., ProcessEngine],
                                   demo_engine: ProcessEngine,
                                   case: tuple[int, str]) -> None:
    _instance_id, task_id = case
    pdf_only = make_engine(ATTACHMENT_TYPES=[PDF])

    with pytest.raises(AttachmentTypeNotAllowed) as rejected:
        attach(pdf_only, task_id, files.TEXT, "notat.txt")

    assert rejected.value.params["allowed"] == "PDF"


def test_add_rejects_file_over_limit(make_engine: Callable[..., ProcessEngine],
                                     demo_engine: ProcessEngine,
                                     case: tuple[int, str]) -> None:
    instance_id, task_id = case
    small = make_engine(ATTACHMENT_MAX_BYTES=len(files.PDF) - 1)

    with pytest.raises(AttachmentTooLarge):
        attach(small, task_id)

    assert stored_files(small) == []
    assert visible_names(small, instance_id, "lise.leder") == []


def test_add_accepts_file_at_limit(make_engine: Callable[..., ProcessEngine],
                                   demo_engine: ProcessEngine,
                                   case: tuple[int, str]) -> None:
    _instance_id, task_id = case
    exact = make_engine(ATTACHMENT_MAX_BYTES=len(files.PDF))

    attachment = attach(exact, task_id)

    assert attachment.size == len(files.PDF)


def test_add_rejects_empty_file(demo_engine: ProcessEngine, case: tuple[int, str]) -> None:
    _instance_id, task_id = case

    with pytest.raises(AttachmentEmpty):
        attach(demo_engine, task_id, b"", "tom.txt")

    assert stored_files(demo_engine) == []


def test_add_rejects_past_case_limit(make_engine: Callable[..., ProcessEngine],
                                     demo_engine: ProcessEngine,
                                     case: tuple[int, str]) -> None:
    instance_id, task_id = case
    two = make_engine(ATTACHMENT_MAX_PER_CASE=2)
    attach(two, task_id, filename="en.pdf")
    attach(two, task_id, filename="to.pdf")

    with pytest.raises(TooManyAttachments):
        attach(two, task_id, filename="tre.pdf")

    assert visible_names(two, instance_id, "lise.leder") == ["en.pdf", "to.pdf"]
    assert len(stored_files(two)) == 2


def test_add_rejects_other_assignee(demo_engine: ProcessEngine,
                                    case: tuple[int, str]) -> None:
    _instance_id, task_id = case

    with pytest.raises(NotAssignee):
        attach(demo_engine, task_id, username="admin")


def test_add_hides_task_from_outsider(demo_engine: ProcessEngine,
                                      case: tuple[int, str]) -> None:
    _instance_id, task_id = case

    with pytest.raises(TaskNotFound):
        attach(demo_engine, task_id, username="erik.laerer")


def test_add_rejects_unassigned_non_candidate(demo_engine: ProcessEngine,
                                              case: tuple[int, str]) -> None:
    _instance_id, task_id = case
    demo_engine.tasks.unclaim(task_id, "lise.leder")

    with pytest.raises(AttachmentNotAllowed):
        attach(demo_engine, task_id, username="tor.kommunalsjef")


def test_add_by_candidate_of_unassigned(demo_engine: ProcessEngine,
                                        case: tuple[int, str]) -> None:
    _instance_id, task_id = case
    demo_engine.tasks.unclaim(task_id, "lise.leder")

    attachment = attach(demo_engine, task_id)

    assert attachment.uploaded_by == "lise.leder"


def test_add_rejects_completed_task(demo_engine: ProcessEngine,
                                    case: tuple[int, str]) -> None:
    _instance_id, task_id = case
    demo_engine.tasks.complete(task_id, "lise.leder",
                               {"beslutning": "godta", "alvorlighetsgrad": "Middels"})

    with pytest.raises(TaskAlreadyCompleted):
        attach(demo_engine, task_id)

    assert stored_files(demo_engine) == []


# --- file names ---------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("rapport.pdf", "rapport.pdf"),
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\ola\\Skrivebord\\rapport.pdf", "rapport.pdf"),
    ("..", "vedlegg.pdf"),
    ("", "vedlegg.pdf"),
    (None, "vedlegg.pdf"),
    (".skjult.pdf", "skjult.pdf"),
    ("faktura\u202efdp.exe", "fakturafdp.exe.pdf"),
    ("linje\nskift\x00.pdf", "linjeskift.pdf"),
    ("<script>alert(1)</script>.pdf", "script>.pdf"),
    ("<img src=x onerror=alert(1)>.pdf", "<img src=x onerror=alert(1)>.pdf"),
    ("RAPPORT.PDF", "RAPPORT.PDF"),
    ("rapport", "rapport.pdf"),
    ("a" * 300 + ".pdf", "a" * 196 + ".pdf"),
])
def test_clean_filename(raw: str | None, expected: str) -> None:
    assert clean_filename(raw, KNOWN_TYPES[PDF]) == expected


def test_unknown_configured_type_raises() -> None:
    with pytest.raises(ValueError, match="application/zip"):
        allowed_types([PDF, "application/zip"])


# --- reading -----------------------------------------------------------------------------

def test_handler_file_visible_to_handlers(demo_engine: ProcessEngine,
                                          case: tuple[int, str]) -> None:
    instance_id, task_id = case
    attach(demo_engine, task_id)

    assert visible_names(demo_engine, instance_id, "lise.leder") == ["rapport.pdf"]
    assert visible_names(demo_engine, instance_id, "fatima.ansatt") == ["rapport.pdf"]
    assert visible_names(demo_engine, instance_id, "admin") == ["rapport.pdf"]


def test_handler_file_hidden_from_others(demo_engine: ProcessEngine,
                                         case: tuple[int, str]) -> None:
    instance_id, task_id = case
    attach(demo_engine, task_id)

    assert visible_names(demo_engine, instance_id, "ola.ansatt") == []
    assert visible_names(demo_engine, instance_id, "erik.laerer") == []
    assert visible_names(demo_engine, instance_id, "per.leder") == []


def test_starter_sees_own_file(demo_engine: ProcessEngine, case: tuple[int, str]) -> None:
    instance_id, task_id = case
    attach(demo_engine, task_id)
    with demo_engine.transaction():
        demo_engine.uow.session.add(Attachment(
            instance_id=instance_id, task_id=None, element_id=None, filename="bilde.png",
            content_type="image/png", size=1, sha256="0" * 64, storage_key="1" * 32,
            uploaded_by="ola.ansatt", uploaded_at=demo_engine.clock.now()))

    assert visible_names(demo_engine, instance_id, "ola.ansatt") == ["bilde.png"]
    assert visible_names(demo_engine, instance_id, "lise.leder") == ["rapport.pdf",
                                                                     "bilde.png"]


def test_confidential_file_hidden_from_admin(demo_engine: ProcessEngine) -> None:
    instance_id = start_confidential_case(demo_engine)
    task_id = open_task(demo_engine, instance_id, "forbered")
    attach(demo_engine, task_id, files.TEXT, "samtale.txt", username="fatima.ansatt")

    assert visible_names(demo_engine, instance_id, "fatima.ansatt") == ["samtale.txt"]
    assert visible_names(demo_engine, instance_id, "jonas.ansatt") == ["samtale.txt"]
    assert visible_names(demo_engine, instance_id, "admin") == []
    assert visible_names(demo_engine, instance_id, "lise.leder") == []


def test_download_returns_file(demo_engine: ProcessEngine, case: tuple[int, str]) -> None:
    instance_id, task_id = case
    attachment = attach(demo_engine, task_id)

    download = demo_engine.attachments.download(instance_id, attachment.id, "admin",
                                                reader="admin")

    assert download.path.read_bytes() == files.PDF
    assert download.attachment.filename == "rapport.pdf"
    assert audit_actions(demo_engine, instance_id)[-1] == "attachment_downloaded"


def test_download_hidden_from_reporter(demo_engine: ProcessEngine,
                                       case: tuple[int, str]) -> None:
    instance_id, task_id = case
    attachment = attach(demo_engine, task_id)

    with pytest.raises(AttachmentNotFound):
        demo_engine.attachments.download(instance_id, attachment.id, "ola.ansatt",
                                         reader="ola.ansatt")


def test_download_of_other_case_not_found(demo_engine: ProcessEngine,
                                          case: tuple[int, str]) -> None:
    instance_id, task_id = case
    attachment = attach(demo_engine, task_id)
    other = demo_engine.runtime.start("avvik", "ola.ansatt", REPORT).instance_id

    with pytest.raises(AttachmentNotFound):
        demo_engine.attachments.download(other, attachment.id, "admin", reader="admin")
    assert instance_id != other


def test_download_of_missing_file_not_found(demo_engine: ProcessEngine,
                                            case: tuple[int, str]) -> None:
    instance_id, task_id = case
    attachment = attach(demo_engine, task_id)
    demo_engine.attachments.store.path(attachment.storage_key).unlink()

    with pytest.raises(AttachmentNotFound):
        demo_engine.attachments.download(instance_id, attachment.id, "admin", reader=None)


# --- deleting ----------------------------------------------------------------------------

def test_uploader_deletes_while_open(demo_engine: ProcessEngine,
                                     case: tuple[int, str]) -> None:
    instance_id, task_id = case
    attachment = attach(demo_engine, task_id)

    demo_engine.attachments.delete(instance_id, attachment.id, "lise.leder")

    assert visible_names(demo_engine, instance_id, "lise.leder") == []
    assert stored_files(demo_engine) == []
    assert audit_actions(demo_engine, instance_id)[-1] == "attachment_deleted"


def test_other_reader_cannot_delete(demo_engine: ProcessEngine,
                                    case: tuple[int, str]) -> None:
    instance_id, task_id = case
    attachment = attach(demo_engine, task_id)

    with pytest.raises(AttachmentNotDeletable):
        demo_engine.attachments.delete(instance_id, attachment.id, "admin")

    assert visible_names(demo_engine, instance_id, "lise.leder") == ["rapport.pdf"]


def test_outsider_delete_not_found(demo_engine: ProcessEngine,
                                   case: tuple[int, str]) -> None:
    instance_id, task_id = case
    attachment = attach(demo_engine, task_id)

    with pytest.raises(AttachmentNotFound):
        demo_engine.attachments.delete(instance_id, attachment.id, "erik.laerer")


def test_no_delete_after_completion(demo_engine: ProcessEngine,
                                    case: tuple[int, str]) -> None:
    instance_id, task_id = case
    attachment = attach(demo_engine, task_id)
    demo_engine.tasks.complete(task_id, "lise.leder",
                               {"beslutning": "godta", "alvorlighetsgrad": "Middels"})

    with pytest.raises(AttachmentNotDeletable):
        demo_engine.attachments.delete(instance_id, attachment.id, "lise.leder")

    assert len(stored_files(demo_engine)) == 1


def test_delete_case_removes_everything(demo_engine: ProcessEngine,
                                        case: tuple[int, str]) -> None:
    instance_id, task_id = case
    attach(demo_engine, task_id, filename="en.pdf")
    attach(demo_engine, task_id, files.TEXT, "to.txt")

    count = demo_engine.attachments.delete_case(instance_id, "admin")

    assert count == 2
    assert stored_files(demo_engine) == []
    assert visible_names(demo_engine, instance_id, "admin") == []
    assert audit_actions(demo_engine, instance_id)[-1] == "attachments_deleted"


def test_text_type_allowed_by_default(demo_engine: ProcessEngine) -> None:
    assert KNOWN_TYPES[TEXT] in demo_engine.attachments.allowed


def test_last_place_taken_once(make_engine: Callable[..., ProcessEngine],
                               demo_engine: ProcessEngine, case: tuple[int, str]) -> None:
    instance_id, task_id = case
    first, second = (make_engine(ATTACHMENT_MAX_PER_CASE=1) for _ in range(2))

    results = race([lambda: attach(first, task_id, filename="en.pdf"),
                    lambda: attach(second, task_id, filename="to.pdf")])

    assert sorted(type(result).__name__ for result in results) == [
        "Attachment", "TooManyAttachments"]
    assert len(visible_names(demo_engine, instance_id, "lise.leder")) == 1
    assert len(stored_files(demo_engine)) == 1
