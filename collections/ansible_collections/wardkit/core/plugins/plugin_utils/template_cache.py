"""Compiled Jinja templates kept across Ansible's forked workers and across runs (used by lean_workers).

Ansible 2.19 compiles a template or a conditional again each time it renders one (its environment keeps no
compiled `from_string` template), in the worker it forks for each host and task: the same task arguments,
conditionals, variables and template files are parsed and compiled once per host, task and run. Here the code
Jinja's compile returns is kept, in the process and in a directory, under the hash of its source text, the
settings that shape it (lexer, Ansible's backslash escaping, code generator) and the versions of Python, Jinja
and Ansible. It is a code object only, holding no variable: each use still builds its own template from it,
bound to its own environment, as Jinja's `from_string` does, and Jinja's bytecode cache and Python's __pycache__
keep the same thing. The directory is refused unless it is the user's own and no one else's to write (as
Jinja's bytecode cache checks its own); files are written whole (a temporary file renamed) and a file that does
not load is compiled again.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import importlib.util
import marshal
import os
import stat
import sys
import tempfile
import types
from pathlib import Path
from typing import Any

import jinja2
from ansible import __version__ as ansible_version
from ansible._internal._templating import _jinja_bits as jb
from ansible._internal._templating._jinja_common import _TemplateConfig
from jinja2 import nodes
from jinja2.environment import TemplateExpression

MEMORY_LIMIT = 20_000  # entries a process keeps (a city's plays use a few thousand)
DISK_LIMIT = 20_000  # files the directory keeps; beyond, the oldest half is removed at the next start
_VERSIONS = f"{importlib.util.MAGIC_NUMBER.hex()} {sys.version} jinja {jinja2.__version__} ansible {ansible_version}"
_CODE: dict[str, types.CodeType] = {}
_DIR: list[Path] = []  # the directory in use, if any (set by install)
# The code a compile_expression call made, for that call to keep (Jinja compiles an expression as a node tree).
_CAUGHT: contextvars.ContextVar[list[types.CodeType] | None] = contextvars.ContextVar("wardkit_caught", default=None)


def _key(kind: str, source: str, env: jb.AnsibleEnvironment) -> str:
    """The hash of the source and of what else shapes its compiled code: the lexer's settings (the key of
    Ansible's own lexer cache), Ansible's backslash escaping (on only while Ansible compiles) and embedded
    templates, the extensions, and the code generator."""
    context = jb._TemplateCompileContext.current(optional=True)
    settings = (
        tuple(getattr(env, name) for name in jb._TEMPLATE_OVERRIDE_FIELD_NAMES),
        bool(context and context.escape_backslashes),
        _TemplateConfig.allow_embedded_templates,
        tuple(sorted(env.extensions)),
        env.optimized,
        env.autoescape,
        env.is_async,
        tuple(sorted(env.intercepted_binops)),
        tuple(sorted(env.intercepted_unops)),
        _name(type(env)),
        _name(env.code_generator_class),
    )
    return hashlib.sha256(f"{_VERSIONS}\0{kind}\0{settings!r}\0{source}".encode()).hexdigest()


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _load(key: str) -> types.CodeType | None:
    if (code := _CODE.get(key)) is not None or not _DIR:
        return code
    try:
        code = marshal.loads((_DIR[0] / key).read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(code, types.CodeType):
        return None
    _remember(key, code)
    return code


def _remember(key: str, code: types.CodeType) -> None:
    if len(_CODE) < MEMORY_LIMIT:
        _CODE[key] = code


def _store(key: str, code: types.CodeType) -> None:
    _remember(key, code)
    if not _DIR:
        return
    with contextlib.suppress(OSError):  # a full or read-only disk costs a compile next time, nothing more
        fd, tmp = tempfile.mkstemp(dir=_DIR[0], prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(marshal.dumps(code))
            os.replace(tmp, _DIR[0] / key)
        except OSError:
            os.unlink(tmp)
            raise


def _safe_directory(path: Path) -> Path | None:
    """The directory, made if missing, when it is a real directory owned by this user and writable by no one
    else; None otherwise (the cache then lives in memory only)."""
    with contextlib.suppress(OSError):
        path.mkdir(mode=stat.S_IRWXU, parents=True, exist_ok=True)
        info = path.lstat()
        others_write = info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid() and not others_write:
            return path
    return None


def _prune(path: Path) -> None:
    """Past DISK_LIMIT files, the older half goes (the versions of templates no play uses any more)."""
    with contextlib.suppress(OSError):
        entries = [e for e in os.scandir(path) if e.is_file(follow_symlinks=False)]
        if len(entries) > DISK_LIMIT:
            entries.sort(key=lambda e: e.stat(follow_symlinks=False).st_mtime)
            for entry in entries[: len(entries) // 2]:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def install(directory: str | None) -> Path | None:
    """Wrap the environment's compile and compile_expression (once per process); keep files in `directory`
    (None or empty: in memory only). Returns the directory in use."""
    if directory and not _DIR and (path := _safe_directory(Path(directory).expanduser())) is not None:
        _prune(path)
        _DIR.append(path)
    env_class = jb.AnsibleEnvironment
    if getattr(env_class, "wardkit_template_cache", False):
        return _DIR[0] if _DIR else None
    compile_source = env_class.compile
    compile_expression = env_class.compile_expression

    def compile_kept(
        self: jb.AnsibleEnvironment,
        source: str | nodes.Template,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if isinstance(source, nodes.Template):
            code = compile_source(self, source, name, filename, raw, defer_init)
            if (caught := _CAUGHT.get()) is not None and not raw:
                caught.append(code)
            return code
        # Named (a file Jinja loads itself), raw or debug compiles are Jinja's and Ansible's own business.
        if name is not None or filename is not None or raw or defer_init or self._debuggable_template_source:
            return compile_source(self, source, name, filename, raw, defer_init)
        key = _key("template", str(source), self)
        if (code := _load(key)) is None:
            code = compile_source(self, source)
            _store(key, code)
        return code

    def compile_expression_kept(
        self: jb.AnsibleEnvironment, source: str, undefined_to_none: bool = True
    ) -> TemplateExpression:
        if self._debuggable_template_source:
            return compile_expression(self, source, undefined_to_none)
        key = _key("expression", str(source), self)
        if (code := _load(key)) is None:
            token = _CAUGHT.set([])
            try:
                expression = compile_expression(self, source, undefined_to_none)
                caught = _CAUGHT.get()
            finally:
                _CAUGHT.reset(token)
            if caught and len(caught) == 1:
                _store(key, caught[0])
            return expression
        # What Jinja's compile_expression does with the code it compiled (jinja2/environment.py, 3.1).
        template = self.template_class.from_code(self, code, self.make_globals(None), None)
        return TemplateExpression(template, undefined_to_none)

    env_class.compile = compile_kept  # type: ignore[method-assign]
    env_class.compile_expression = compile_expression_kept  # type: ignore[method-assign]
    env_class.wardkit_template_cache = True  # type: ignore[attr-defined]
    return _DIR[0] if _DIR else None
