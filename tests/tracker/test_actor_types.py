"""The actor of every service and every policy function is typed as the user model, never ``Any``: mypy then
checks each caller hands over a user (views go through ``permissions.signed_in``)."""

import importlib
import inspect
import pkgutil
import typing

from django.contrib.auth.models import User

import tracker.services
from tracker import permissions

ACTOR_PARAMETERS = {"actor", "user"}


def _modules():
    yield permissions
    for info in pkgutil.iter_modules(tracker.services.__path__, "tracker.services."):
        yield importlib.import_module(info.name)


def _functions():
    for module in _modules():
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__:
                yield f"{module.__name__}.{name}", function


def test_every_actor_is_the_user_model():
    checked = 0
    for name, function in _functions():
        hints = typing.get_type_hints(function)
        for parameter in inspect.signature(function).parameters:
            if parameter not in ACTOR_PARAMETERS:
                continue
            annotation = hints.get(parameter)
            assert annotation is not None and annotation is not typing.Any, (name, parameter)
            assert User in typing.get_args(annotation) or annotation is User, (name, parameter, annotation)
            checked += 1
    assert checked > 30  # the services and the policy, not an empty walk
