"""The demo's bulletins."""

from __future__ import annotations

from keyprojects.audit.services import verify_chain
from keyprojects.bulletins import demo, services
from keyprojects.bulletins.models import Bulletin


def test_the_demo_publishes_the_last_reported_month_and_drafts_the_next(world, programme):
    demo.populate(world.district)
    published, draft = Bulletin.objects.order_by("year", "month")
    assert (published.year, published.month, published.status) == (2026, 11, "published")
    assert published.file_intact("docx") and published.file_intact("pdf")
    assert published.copy_to and "赶超措施" in published.comment_lagging
    assert (draft.year, draft.month, draft.status) == (2026, 12, "draft")
    assert services.content_of(draft)["overall"]["projects"] == 5
    demo.populate(world.district)
    assert Bulletin.objects.count() == 2
    assert verify_chain() is None
