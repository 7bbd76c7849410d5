"""The actor of every service, selector, report function and policy function is typed as the user model, never
``Any``: mypy then checks each caller hands over a user (views go through ``permissions.signed_in``)."""

import importlib
import inspect
import pkgutil
import typing

from django.contrib.auth.models import AnonymousUser, User

import reporting
import tracker.selectors
import tracker.services
from tracker import permissions

ACTOR_PARAMETERS = {"actor", "user", "requested_by"}
# The packages whose functions take an actor (issue 9: stricter typing for these and the policy).
PACKAGES = (tracker.services, tracker.selectors, reporting)


def _modules():
    yield permissions
    for package in PACKAGES:
        yield package
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if ".migrations" in info.name or ".management" in info.name:
                continue
            yield importlib.import_module(info.name)


def _functions():
    for module in _modules():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__:
                yield f"{module.__name__}.{name}", function


def _annotation(function, parameter):
    """The parameter's annotation, evaluated alone (other parameters may name types only the stubs know)."""
    annotation = inspect.signature(function).parameters[parameter].annotation
    if isinstance(annotation, str):
        # Modules that import the user model for the type checker only are given it here.
        names = {"User": User, "AnonymousUser": AnonymousUser, **function.__globals__}
        annotation = eval(annotation, names)  # noqa: S307  (our own source's annotation)
    return None if annotation is inspect.Parameter.empty else annotation


def test_every_actor_is_the_user_model():
    checked = 0
    for name, function in _functions():
        for parameter in inspect.signature(function).parameters:
            if parameter not in ACTOR_PARAMETERS:
                continue
            annotation = _annotation(function, parameter)
            assert annotation is not None and annotation is not typing.Any, (name, parameter)
            assert User in typing.get_args(annotation) or annotation is User, (name, parameter, annotation)
            checked += 1
    assert checked > 60  # the services, selectors, reports and the policy, not an empty walk
