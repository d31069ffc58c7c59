"""A text without tags is rendered without Jinja, exactly as Jinja would render it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from isa_engine.templates import Template, _env, _tidy

# Anything an author writes but "{": Jinja's tags all start with it.
_TEXT = st.text(st.characters(blacklist_characters="{", blacklist_categories=("Cs",)), max_size=300)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_a_text_without_tags_renders_as_jinja_renders_it(source: str) -> None:
    template = Template(source)
    assert template.names == frozenset()
    assert template.render("Maria", "Dana", {}) == _tidy(_env().from_string(source).render())


@settings(max_examples=100, deadline=None)
@given(_TEXT, _TEXT)
def test_a_text_with_a_tag_is_still_compiled(before: str, after: str) -> None:
    template = Template(before + "{{ agent }}" + after)
    assert template.names == frozenset({"agent"})
    assert "Dana" in template.render("Maria", "Dana", {})
