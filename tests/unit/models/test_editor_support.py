"""What notebooks and editors show: signatures, help text, names, overloads (issue 21)."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path
from typing import get_args

import pytest
from typing_extensions import get_type_hints

import cio.models.registry
from cio.models import SEMANTIC_EVENTS, Alias, Batch, Context, Group, Identify, Page, Screen, Track
from cio.models.registry import SemanticEventName
from cio.models.semantic import OrderCompleted, recommended_properties
from cio.models.semantic._base import key_descriptions

CALLS = (Identify, Track, Page, Screen, Group, Alias)
MODELS = [*CALLS, *dict.fromkeys(SEMANTIC_EVENTS.values()), Batch, Context]
CAMEL = re.compile(r"[a-z][A-Z]")


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_signatures_use_python_names_and_plain_types(model: type[Track]) -> None:
    signature = inspect.signature(model)
    assert set(signature.parameters) == set(model.model_fields)
    text = str(signature)
    assert "Annotated" not in text
    assert "AfterValidator" not in text
    assert not [name for name in signature.parameters if CAMEL.search(name)]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in signature.parameters.values())


def test_a_semantic_signature_shows_its_own_event_and_properties_type() -> None:
    parameters = inspect.signature(OrderCompleted).parameters
    # group_id is the /track group alternative to a person, so it stands with the ids
    assert list(parameters)[:5] == ["user_id", "anonymous_id", "group_id", "event", "properties"]
    assert str(parameters["event"]) == "event: Literal['Order Completed'] = 'Order Completed'"
    assert parameters["properties"].annotation == (
        recommended_properties(OrderCompleted) | None  # type: ignore[operator]
    )
    assert repr(parameters["message_id"].default) == "new_message_id()"


def test_jupyter_completes_python_names() -> None:
    jedi = pytest.importorskip("jedi")
    completions = jedi.Interpreter("Identify(", [{"Identify": Identify}]).complete()
    names = {completion.name for completion in completions}
    assert {"user_id=", "anonymous_id=", "traits="} <= names
    assert "userId=" not in names


@pytest.mark.parametrize("model", dict.fromkeys(SEMANTIC_EVENTS.values()), ids=lambda m: m.__name__)
def test_help_lists_every_field_and_recommended_key(model: type[Track]) -> None:
    text = model.getdoc()
    assert text.startswith(inspect.cleandoc(model.__doc__ or ""))
    for name in model.model_fields:
        assert f"\n{name} : " in text
    typed = recommended_properties(model)
    if typed is not None:
        for key in get_type_hints(typed):
            assert f"\n      {key} : " in text


def test_every_recommended_key_has_a_description() -> None:
    seen = set()
    for model in SEMANTIC_EVENTS.values():
        typed = recommended_properties(model)
        if typed is None or typed in seen:
            continue
        seen.add(typed)
        descriptions = key_descriptions(typed)
        missing = [key for key in get_type_hints(typed) if not descriptions.get(key)]
        assert missing == [], typed.__name__
    assert len(seen) >= 60


def test_properties_classes_are_named_after_their_event() -> None:
    for model in SEMANTIC_EVENTS.values():
        typed = recommended_properties(model)
        if typed is not None:
            assert typed.__name__ == f"{model.__name__}Properties"


def _overloads(function: str) -> dict[str, str]:
    tree = ast.parse(Path(cio.models.registry.__file__).read_text(encoding="utf-8"))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == function and node.decorator_list:
            annotation = node.args.args[0].annotation if node.args.args else None
            annotation = annotation or node.args.posonlyargs[0].annotation
            if isinstance(annotation, ast.Subscript):
                name = ast.literal_eval(annotation.slice)
                found[name] = ast.unparse(node.returns)
    return found


def test_semantic_event_is_typed_as_the_class_of_each_name() -> None:
    assert set(get_args(SemanticEventName)) == set(SEMANTIC_EVENTS)
    overloads = _overloads("semantic_event")
    assert overloads == {name: cls.__name__ for name, cls in SEMANTIC_EVENTS.items()}
    classes = _overloads("semantic_event_class")
    assert classes == {name: f"type[{cls.__name__}]" for name, cls in SEMANTIC_EVENTS.items()}


def test_models_built_alike_share_one_fields_set_safely() -> None:
    first = Identify(user_id="1", traits={"plan": "pro"})
    second = Identify(user_id="2", traits={"plan": "free"})
    assert first.model_fields_set is second.model_fields_set
    assert first.model_fields_set == {"user_id", "traits"}
    changed = first.model_copy(update={"timestamp": None})
    assert changed.model_fields_set == {"user_id", "traits", "timestamp"}
    assert second.model_fields_set == {"user_id", "traits"}
    other = Identify(user_id="3")
    assert other.model_fields_set == {"user_id"}


def test_jupyter_help_on_a_properties_type_lists_each_key() -> None:
    oinspect = pytest.importorskip("IPython.core.oinspect")
    typed = recommended_properties(OrderCompleted)
    assert typed is not None
    text = oinspect.getdoc(typed)
    for key, description in key_descriptions(typed).items():
        assert f"\n{key} : " in text
        assert description in text
