"""Relation rules: a small comparison over indicator codes, parsed here and never passed to ``eval``.

Grammar (the whole language)::

    relation := sum ("<=" | "<" | ">=" | ">" | "==" | "!=") sum
    sum      := term (("+" | "-") term)*
    term     := factor (("*" | "/") factor)*
    factor   := NUMBER | CODE | "(" sum ")" | "-" factor

A CODE is an indicator code (letters, digits, hyphens, underscores), so a minus sign between two codes needs
spaces around it ("a - b"; "a-b" is one code). The parsed tree is compiled to SQL with the numbers as query
parameters and each code as a column chosen by the caller: nothing of the text reaches SQL as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from tracker.validation import dialect

COMPARATORS = ("<=", ">=", "==", "!=", "<", ">")
_TOKEN = re.compile(r"\s*(?:(?P<cmp><=|>=|==|!=|<|>)|(?P<op>[-+*/()])|(?P<num>\d+(?:\.\d+)?)|(?P<code>[A-Za-z][\w-]*))")


class ExpressionError(ValueError):
    """The expression is not in the relation language; the message says where."""


@dataclass(frozen=True)
class Num:
    value: Decimal


@dataclass(frozen=True)
class Code:
    code: str


@dataclass(frozen=True)
class Neg:
    operand: Node


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Node
    right: Node


Node = Num | Code | Neg | BinOp


@dataclass(frozen=True)
class Relation:
    comparator: str
    left: Node
    right: Node

    @property
    def codes(self) -> list[str]:
        found: list[str] = []
        for side in (self.left, self.right):
            _collect(side, found)
        return found


def _collect(node: Node, found: list[str]) -> None:
    if isinstance(node, Code):
        if node.code not in found:
            found.append(node.code)
    elif isinstance(node, Neg):
        _collect(node.operand, found)
    elif isinstance(node, BinOp):
        _collect(node.left, found)
        _collect(node.right, found)


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ExpressionError(_("Cannot read the expression from “%(rest)s”.") % {"rest": text[position:]})
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.at = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise ExpressionError(_("The expression ends too early."))
        self.at += 1
        return token

    def relation(self) -> Relation:
        left = self.sum()
        kind, comparator = self.take()
        if kind != "cmp":
            raise ExpressionError(
                _("Expected a comparison (<=, <, >=, >, ==, !=), found “%(token)s”.") % {"token": comparator}
            )
        right = self.sum()
        if self.peek() is not None:
            raise ExpressionError(_("Unexpected “%(token)s” after the comparison.") % {"token": self.take()[1]})
        return Relation(comparator, left, right)

    def sum(self) -> Node:
        node = self.term()
        while (token := self.peek()) is not None and token[1] in ("+", "-"):
            self.take()
            node = BinOp(token[1], node, self.term())
        return node

    def term(self) -> Node:
        node = self.factor()
        while (token := self.peek()) is not None and token[1] in ("*", "/"):
            self.take()
            node = BinOp(token[1], node, self.factor())
        return node

    def factor(self) -> Node:
        kind, text = self.take()
        if kind == "num":
            return Num(Decimal(text))
        if kind == "code":
            return Code(text)
        if text == "-":
            return Neg(self.factor())
        if text == "(":
            node = self.sum()
            if self.take()[1] != ")":
                raise ExpressionError(_("A bracket is not closed."))
            return node
        raise ExpressionError(_("Unexpected “%(token)s”.") % {"token": text})


def parse(text: str) -> Relation:
    """The relation in ``text``, or ``ExpressionError`` saying what is wrong."""
    tokens = _tokens(text or "")
    if not tokens:
        raise ExpressionError(_("Write a comparison of indicators, e.g. “a <= b”."))
    return _Parser(tokens).relation()


def to_sql(node: Node, column: dict[str, str], params: list[object]) -> str:
    """SQL for ``node``: codes become the caller's column names, numbers become parameters (appended to
    ``params`` in order). A division by zero gives NULL, so the relation is simply not judged."""
    if isinstance(node, Num):
        params.append(node.value)
        return dialect.cast("%s", "numeric")
    if isinstance(node, Code):
        return column[node.code]
    if isinstance(node, Neg):
        return f"(-{to_sql(node.operand, column, params)})"
    left = to_sql(node.left, column, params)
    right = to_sql(node.right, column, params)
    if node.op == "/":
        return dialect.divide(left, right)
    return f"({left} {node.op} {right})"


def relation_sql(relation: Relation, column: dict[str, str], params: list[object]) -> tuple[str, str, str]:
    """(left SQL, comparator, right SQL); the comparator is one of ``COMPARATORS`` ("==" written "=")."""
    left = to_sql(relation.left, column, params)
    right = to_sql(relation.right, column, params)
    comparator = {"==": "=", "!=": "<>"}.get(relation.comparator, relation.comparator)
    return left, comparator, right
