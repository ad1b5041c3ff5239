"""Nothing a user or integrator sees changes unless we mean it to (see `capture.py` for what is captured).

A failure prints the first differing lines; if the change is deliberate, write the expected files anew
(`.venv/bin/python -m tests.golden.capture --write`) and commit them with the change, so the diff is reviewed.
"""

from __future__ import annotations

import difflib

import pytest

from tests.golden.capture import EXPECTED, capture_demo, capture_story

pytestmark = pytest.mark.xdist_group("golden")


def _assert_same(texts: dict[str, str]) -> None:
    for name, text in texts.items():
        expected = (EXPECTED / name).read_text()
        if text != expected:
            diff = difflib.unified_diff(expected.splitlines(), text.splitlines(), "expected", "now", lineterm="", n=2)
            shown = "\n".join(list(diff)[:60])
            pytest.fail(f"{name} changed:\n{shown}")


def test_story_output_schema_openapi_and_emails_are_unchanged() -> None:
    _assert_same(capture_story())


def test_demo_output_plan_radar_and_emails_are_unchanged() -> None:
    _assert_same(capture_demo())
