"""No role name is compared outside the policy (issue 9): code, templates and emails ask ``tracker.permissions``
(``can``, ``restrict``, ``needs_second_factor``, the ``can`` template tag), never which role a user has.

A role name is a ``Role`` member or the quoted value of one; a user's role is read with ``role_of`` or ``access``,
or compared or filtered on through the ``nap_role`` relation (the admin may still list and show it). Each is
found here by a plain text search, like the issue's ``grep``."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SEARCHED = ("tracker", "reporting", "apikeys", "napportal", "templates")
SUFFIXES = {".py", ".html", ".txt"}
# The policy itself; the choices that define the names; the command that declares which role each demo account
# is given (account data, no comparison).
ALLOWED = {
    Path("tracker/permissions.py"),
    Path("tracker/choices.py"),
    Path("tracker/management/commands/create_demo_accounts.py"),
}
ROLE_VALUES = "reporter|reviewer|analyst|verifier|administrator"
PATTERNS = {
    "a Role member": re.compile(r"\bRole\.(REPORTER|REVIEWER|ANALYST|VERIFIER|ADMINISTRATOR)\b"),
    "a role's value": re.compile(rf"""(["'])({ROLE_VALUES})\1"""),
    "the user's role": re.compile(
        r"\brole_of\(|\baccess\([^)]*\)\.role\b|\bnap_role\.role\s*(==|!=|in\b|not in\b)|\bnap_role__role(__in)?="
    ),
}


def _sources():
    for top in SEARCHED:
        for path in sorted((ROOT / top).rglob("*")):
            relative = path.relative_to(ROOT)
            if path.suffix in SUFFIXES and "migrations" not in relative.parts and relative not in ALLOWED:
                yield relative, path.read_text(encoding="utf-8")


def test_no_role_name_is_compared_outside_the_policy():
    found = [
        f"{path}:{number}: {what}: {line.strip()}"
        for path, text in _sources()
        for number, line in enumerate(text.splitlines(), start=1)
        for what, pattern in PATTERNS.items()
        if pattern.search(line)
    ]
    assert found == []


def test_the_search_finds_what_it_looks_for():
    """The patterns catch the comparisons the issue found (a view's role list, a filter's role check)."""
    leaks = [
        'if request.user.nap_role.role == "reviewer":',
        "if permissions.role_of(user) in (Role.REVIEWER, Role.ADMINISTRATOR):",
        "show = permissions.access(user).role != 'analyst'",
        "{% if user.nap_role.role == 'reporter' %}",
        "User.objects.filter(nap_role__role__in=roles)",
    ]
    for line in leaks:
        assert any(pattern.search(line) for pattern in PATTERNS.values()), line
    assert sum(1 for _ in _sources()) > 200  # the tree was searched, not an empty walk
