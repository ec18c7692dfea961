"""Rewrite a checked syntax tree so that risky operations go through run-time guards.

Attribute reads, the operators that can allocate (+, *, **, <<, %), augmented assignments,
loops, function calls, star-unpacking and f-strings become calls to functions whose names
start with "_sx_". The static rules reject every identifier that starts with an underscore,
so a script can neither call these names itself nor rebind them.
"""

from __future__ import annotations

import ast
import copy

from engine.runtime.sandbox_guards import GUARDED_OPERATORS

GUARD_GETATTR = "_sx_getattr"
GUARD_BINARY = "_sx_binary"
GUARD_INPLACE = "_sx_inplace"
GUARD_ITER = "_sx_iter"
GUARD_TICK = "_sx_tick"
GUARD_UNPACK = "_sx_unpack"
GUARD_SIZED = "_sx_sized"
GUARD_CAUGHT = "_sx_caught"
CAUGHT_NAME = "_sx_exception"
TEMPORARY_PREFIX = "_sx_tmp"

OPERATOR_SYMBOLS: dict[type[ast.operator], str] = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//",
    ast.Mod: "%", ast.Pow: "**", ast.LShift: "<<", ast.RShift: ">>", ast.BitAnd: "&",
    ast.BitOr: "|", ast.BitXor: "^", ast.MatMult: "@",
}


def _call(function: str, *args: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(id=function, ctx=ast.Load()), args=list(args), keywords=[])


def _tick_statement(at: ast.AST) -> ast.Expr:
    return ast.copy_location(ast.Expr(value=_call(GUARD_TICK)), at)


class GuardTransformer(ast.NodeTransformer):
    """Insert the guard calls; run it only on a tree that passed the static rules."""

    def __init__(self) -> None:
        self._temporaries = 0

    def _temporary(self) -> str:
        self._temporaries += 1
        return f"{TEMPORARY_PREFIX}{self._temporaries}"

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self.generic_visit(node)
        guarded = _call(GUARD_GETATTR, node.value, ast.Constant(value=node.attr))
        return ast.copy_location(guarded, node)

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        symbol = OPERATOR_SYMBOLS[type(node.op)]
        if symbol not in GUARDED_OPERATORS:
            return node
        guarded = _call(GUARD_BINARY, ast.Constant(value=symbol), node.left, node.right)
        return ast.copy_location(guarded, node)

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST | list[ast.stmt]:
        self.generic_visit(node)
        symbol = ast.Constant(value=OPERATOR_SYMBOLS[type(node.op)])
        target = node.target

        if isinstance(target, ast.Name):
            current = ast.Name(id=target.id, ctx=ast.Load())
            value = _call(GUARD_INPLACE, symbol, current, node.value)
            assign = ast.Assign(targets=[ast.Name(id=target.id, ctx=ast.Store())], value=value)
            return ast.copy_location(assign, node)

        if not isinstance(target, ast.Subscript):
            raise ValueError(f"unexpected augmented assignment target {type(target).__name__}")

        # Evaluate the container and the key once, as Python does for `a[k] += v`.
        statements: list[ast.stmt] = []
        container = self._temporary()
        statements.append(ast.Assign(targets=[ast.Name(id=container, ctx=ast.Store())],
                                     value=target.value))
        if isinstance(target.slice, ast.Slice):
            key_load: ast.expr = target.slice
            key_store: ast.expr = copy.deepcopy(target.slice)
        else:
            key = self._temporary()
            statements.append(ast.Assign(targets=[ast.Name(id=key, ctx=ast.Store())],
                                         value=target.slice))
            key_load = ast.Name(id=key, ctx=ast.Load())
            key_store = ast.Name(id=key, ctx=ast.Load())

        item = ast.Subscript(value=ast.Name(id=container, ctx=ast.Load()), slice=key_load,
                             ctx=ast.Load())
        store = ast.Subscript(value=ast.Name(id=container, ctx=ast.Load()), slice=key_store,
                              ctx=ast.Store())
        statements.append(ast.Assign(targets=[store],
                                     value=_call(GUARD_INPLACE, symbol, item, node.value)))
        return [ast.copy_location(statement, node) for statement in statements]

    def visit_For(self, node: ast.For) -> ast.AST:
        self.generic_visit(node)
        node.iter = ast.copy_location(_call(GUARD_ITER, node.iter), node.iter)
        return node

    def visit_While(self, node: ast.While) -> ast.AST:
        self.generic_visit(node)
        node.body.insert(0, _tick_statement(node))
        return node

    def visit_comprehension(self, node: ast.comprehension) -> ast.AST:
        self.generic_visit(node)
        node.iter = ast.copy_location(_call(GUARD_ITER, node.iter), node.iter)
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        self.generic_visit(node)
        node.body.insert(0, _tick_statement(node))
        return node

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        self.generic_visit(node)
        # `_sx_tick() or body`: the tick returns None, so the body's value is the result.
        ticked = ast.BoolOp(op=ast.Or(), values=[_call(GUARD_TICK), node.body])
        node.body = ast.copy_location(ticked, node.body)
        return node

    def visit_Starred(self, node: ast.Starred) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.ctx, ast.Load):
            node.value = ast.copy_location(_call(GUARD_UNPACK, node.value), node.value)
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        self.generic_visit(node)
        return ast.copy_location(_call(GUARD_SIZED, node), node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        # The format spec must stay a plain JoinedStr, so only the value is rewritten.
        node.value = self.visit(node.value)
        return node

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> ast.AST:
        self.generic_visit(node)
        if node.name is None:
            node.name = CAUGHT_NAME
        check = ast.Expr(value=_call(GUARD_CAUGHT, ast.Name(id=node.name, ctx=ast.Load())))
        node.body.insert(0, ast.copy_location(check, node))
        return node


def add_guards(tree: ast.Module | ast.Expression) -> ast.Module | ast.Expression:
    """Return `tree` rewritten in place with guard calls and complete source locations."""
    guarded = GuardTransformer().visit(tree)
    return ast.fix_missing_locations(guarded)
