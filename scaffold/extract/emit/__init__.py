"""Emit: source text of the notebook-derived modules, from the laid-out stages.

`stage_functions` makes one function per stage; `interface` makes `pipeline/__init__.py`
(`train`, `evaluate`, or `run` without a service) with one emitter per model shape (`frame`,
`array`, `forecast`, `formula`), all built of the stage calls in `calls`.
"""
