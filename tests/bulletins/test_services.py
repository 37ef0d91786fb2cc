"""A bulletin's life: drafted, edited, published once, then never changed."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import ValidationError

from keyprojects.audit.choices import Channel
from keyprojects.audit.context import acting
from keyprojects.audit.models import AuditEntry
from keyprojects.bulletins import services
from keyprojects.bulletins.models import Bulletin, BulletinData, BulletinPublished, content_hash
from keyprojects.notifications.models import Notification

from .conftest import MONTH, TODAY, YEAR


def test_a_draft_is_numbered_next_in_the_year_with_default_words(world, draft):
    assert draft.number == 1 and draft.status == "draft"
    assert draft.issue_date == TODAY
    assert "渝中区" in draft.masthead and "渝中区" in draft.issuing_body
    assert draft.title and draft.summary and draft.next_steps
    september = services.bulletin_create(
        jurisdiction=world.district, year=YEAR, month=9, today=TODAY
    )
    assert september.number == 2
    other = services.bulletin_create(
        jurisdiction=world.other_district, year=YEAR, month=MONTH, today=TODAY
    )
    assert other.number == 1


def test_the_figures_are_frozen_with_their_fingerprint(world, draft):
    data = BulletinData.objects.get(bulletin=draft)
    assert draft.data_sha256 == content_hash(data.content)
    assert data.content["overall"]["projects"] == 5


@pytest.mark.parametrize(
    ("year", "month", "message"),
    [(2026, 13, "1 to 12"), (1999, 5, "2000"), (2026, 12, "not begun")],
)
def test_a_month_that_cannot_have_a_bulletin_is_refused(world, year, month, message):
    with pytest.raises(ValidationError) as refused:
        services.bulletin_create(jurisdiction=world.district, year=year, month=month, today=TODAY)
    assert message in " ".join(refused.value.messages)
    assert not Bulletin.objects.exists()


def test_a_second_bulletin_for_the_month_is_refused(world, draft):
    with pytest.raises(ValidationError, match="exists already"):
        services.bulletin_create(jurisdiction=world.district, year=YEAR, month=MONTH, today=TODAY)
    assert Bulletin.objects.count() == 1


def test_the_office_edits_the_text_of_a_draft(world, draft):
    changed = services.bulletin_update(
        bulletin=draft,
        version=draft.version,
        next_steps="一是加快征地拆迁。",
        copy_to="区政府办公室",
    )
    assert changed.next_steps == "一是加快征地拆迁。" and changed.version == draft.version + 1


def test_an_edit_from_a_stale_form_is_refused(world, draft):
    services.bulletin_update(bulletin=draft, version=draft.version, summary="第一次修改")
    with pytest.raises(ValidationError, match="reload"):
        services.bulletin_update(bulletin=draft, version=draft.version, summary="第二次修改")
    assert Bulletin.objects.get(pk=draft.pk).summary == "第一次修改"


def test_an_issue_number_taken_in_the_year_is_refused(world, draft):
    other = services.bulletin_create(jurisdiction=world.district, year=YEAR, month=9, today=TODAY)
    with pytest.raises(ValidationError) as refused:
        services.bulletin_update(bulletin=other, number=draft.number)
    assert "issue number" in str(refused.value.message_dict)
    assert Bulletin.objects.get(pk=other.pk).number == 2


def test_a_blank_title_is_refused(world, draft):
    with pytest.raises(ValidationError):
        services.bulletin_update(bulletin=draft, title="  ")
    assert Bulletin.objects.get(pk=draft.pk).title == draft.title


def test_publishing_archives_both_files_with_their_fingerprints(world, draft):
    with acting(actor=world.office, channel=Channel.WEB):
        published = services.bulletin_publish(bulletin=draft, user=world.office)
    assert published.status == "published" and published.published_by == world.office
    assert published.published_at is not None
    for kind in ("docx", "pdf"):
        stored = published.file_of(kind)
        with stored.open("rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == published.sha256_of(kind)
        assert published.file_intact(kind)
    entry = AuditEntry.objects.filter(model="bulletins.bulletin").order_by("seq").last()
    assert entry.after["status"] == "published" and entry.actor == world.office


def test_publishing_keeps_files_made_from_the_current_text(world, draft):
    rendered = services.bulletin_render(bulletin=draft)
    with_files = services.bulletin_store_files(bulletin=draft, rendered=rendered)
    assert services.files_current(with_files)
    kept = (with_files.docx.name, with_files.docx_sha256)
    published = services.bulletin_publish(bulletin=with_files, user=world.office)
    assert (published.docx.name, published.docx_sha256) == kept


def test_an_edit_after_the_files_makes_them_stale_and_publishing_remakes_them(
    world, draft, django_capture_on_commit_callbacks
):
    rendered = services.bulletin_render(bulletin=draft)
    stored = services.bulletin_store_files(bulletin=draft, rendered=rendered)
    edited = services.bulletin_update(bulletin=stored, next_steps="新的下步工作。")
    assert not services.files_current(edited)
    with django_capture_on_commit_callbacks(execute=True):
        published = services.bulletin_publish(bulletin=edited, user=world.office)
    assert published.files_fingerprint == services.render_fingerprint(published)
    assert published.docx_sha256 != stored.docx_sha256
    assert not stored.docx.storage.exists(stored.docx.name)  # the stale draft file is gone


def test_text_changed_while_the_files_were_made_is_not_published(world, draft):
    rendered = services.bulletin_render(bulletin=draft)
    services.bulletin_update(bulletin=draft, summary="渲染期间改动的导语")
    with pytest.raises(ValidationError, match="changed while"):
        services.bulletin_publish(bulletin=draft, user=world.office, rendered=rendered)
    assert Bulletin.objects.get(pk=draft.pk).status == "draft"


def test_publishing_twice_is_refused(world, published):
    with pytest.raises(BulletinPublished, match="cannot be published again"):
        services.bulletin_publish(bulletin=published, user=world.office)


def test_publishing_from_a_stale_copy_is_refused_under_the_lock(world, draft):
    stale = Bulletin.objects.get(pk=draft.pk)
    services.bulletin_publish(bulletin=draft, user=world.office)
    assert stale.status == "draft"  # read before the other publication
    with pytest.raises(BulletinPublished):
        services.bulletin_publish(bulletin=stale, user=world.leader)
    assert Bulletin.objects.get(pk=draft.pk).published_by == world.office


@pytest.mark.parametrize(
    "change",
    [
        lambda b: services.bulletin_update(bulletin=b, title="改过的标题"),
        lambda b: services.bulletin_refresh(bulletin=b),
        lambda b: services.bulletin_delete(bulletin=b),
        lambda b: services.bulletin_store_files(
            bulletin=b, rendered=services.RenderedFiles(b"x", b"y", "z")
        ),
        lambda b: services.bulletin_start_job(bulletin=b, user=None),
    ],
    ids=["edit", "refresh", "delete", "files", "job"],
)
def test_a_published_bulletin_cannot_be_changed(world, published, change):
    before = Bulletin.objects.filter(pk=published.pk).values().get()
    with pytest.raises(BulletinPublished):
        change(published)
    assert Bulletin.objects.filter(pk=published.pk).values().get() == before


def test_the_model_itself_refuses_to_save_or_delete_a_published_row(world, published):
    row = Bulletin.objects.get(pk=published.pk)
    row.title = "绕过服务的修改"
    with pytest.raises(BulletinPublished):
        row.save()
    with pytest.raises(BulletinPublished):
        row.delete()
    data = BulletinData.objects.get(bulletin=published)
    data.content = {}
    with pytest.raises(BulletinPublished):
        data.save()
    assert Bulletin.objects.get(pk=published.pk).title == published.title


def test_a_published_bulletin_without_files_violates_a_constraint(world, draft):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Bulletin.objects.filter(pk=draft.pk).update(status="published")


def test_a_draft_without_figures_cannot_be_published(world):
    bulletin = services.bulletin_create(
        jurisdiction=world.district, year=YEAR, month=MONTH, today=TODAY
    )
    with pytest.raises(ValidationError, match="Draft the figures"):
        services.bulletin_publish(bulletin=bulletin, user=world.office)


def test_leaders_and_units_are_told_when_a_bulletin_is_published(
    world, draft, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.bulletin_publish(bulletin=draft, user=world.office)
    told = set(
        Notification.objects.filter(kind="bulletin_published").values_list(
            "user__username", flat=True
        )
    )
    assert told == {"leader", "owner_user", "responsible_user", "bystander_user"}


def test_deleting_a_draft_frees_its_month_and_removes_its_files(
    world, draft, django_capture_on_commit_callbacks
):
    stored = services.bulletin_store_files(
        bulletin=draft, rendered=services.bulletin_render(bulletin=draft)
    )
    storage, name = stored.docx.storage, stored.docx.name
    with django_capture_on_commit_callbacks(execute=True):
        services.bulletin_delete(bulletin=stored)
    assert not Bulletin.objects.exists() and not storage.exists(name)
    again = services.bulletin_create(
        jurisdiction=world.district, year=YEAR, month=MONTH, today=dt.date(2026, 11, 6)
    )
    assert again.number == 1
