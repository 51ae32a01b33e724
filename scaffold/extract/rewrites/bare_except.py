"""`except:` becomes `except Exception:` (ruff E722).

A bare `except:` also catches `KeyboardInterrupt` and `SystemExit`; the notebook meant the
errors its code raises, which is what `except Exception:` catches.
"""

from __future__ import annotations

import libcst as cst

from scaffold.cst_search import iter_nodes


class NameTheException(cst.CSTTransformer):
    """Give every bare `except:` the type `Exception`."""

    def leave_ExceptHandler(
        self, original_node: cst.ExceptHandler, updated_node: cst.ExceptHandler
    ) -> cst.ExceptHandler:
        if updated_node.type is not None:
            return updated_node
        return updated_node.with_changes(
            type=cst.Name("Exception"), whitespace_after_except=cst.SimpleWhitespace(" ")
        )


def name_the_exception(module: cst.Module) -> cst.Module:
    """`module` without a bare `except:`."""
    if not any(
        isinstance(node, cst.ExceptHandler) and node.type is None for node in iter_nodes(module)
    ):
        return module  # the common case, found without rebuilding the tree
    return module.visit(NameTheException())
