"""The clause→code mapping beside the policy: every clause listed, every name real."""

from __future__ import annotations

import importlib

import pytest

from privacy.clauses import IMPLEMENTED_BY, LAW_ARTICLES
from tools.compliance import policy

pytestmark = pytest.mark.policy("9 라")


def test_every_clause_of_the_policy_in_force_is_listed_and_nothing_else():
    units = [unit for section in policy.load() for unit in section.units]

    assert list(IMPLEMENTED_BY) == units


def test_only_the_not_applicable_sections_name_no_code():
    empty = {key for key, names in IMPLEMENTED_BY.items() if not names}

    assert empty == {section.key for section in policy.load() if section.not_applicable}


@pytest.mark.parametrize(
    "name", sorted({name for names in IMPLEMENTED_BY.values() for name in names})
)
def test_each_named_function_exists(name):
    module, _, attribute = name.rpartition(".")

    assert callable(getattr(importlib.import_module(module), attribute))


@pytest.mark.parametrize("article", sorted(LAW_ARTICLES))
def test_each_listed_article_is_in_the_notation_the_markers_use(article):
    assert policy.law_article(article) == article
