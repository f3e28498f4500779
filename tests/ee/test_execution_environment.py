"""The execution environment (execution-environment.yml, docs/awx.md) for AWX and ansible-navigator.

No image is built here (no container registry is reachable): `ansible-builder create` writes the build context,
and what the build would run is replayed where it can be without a network — the galaxy stage's install of the
kit's collection, ansible-builder's own introspection of the Python requirements — and read where it cannot.

ee/requirements.txt is generated from pyproject.toml; after changing pyproject's dependencies run
    .venv/bin/python tests/ee/test_execution_environment.py --write
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import os
import re
import shlex
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/support.py, also when run as a script
from support import ROOT, VENV_BIN, run

EE_FILE = ROOT / "execution-environment.yml"
REQUIREMENTS = ROOT / "ee" / "requirements.txt"
KIT_COLLECTION = ROOT / "collections" / "ansible_collections" / "wardkit" / "core"
HEADER = (
    "# Generated from pyproject.toml's [project].dependencies: edit pyproject.toml, then run\n"
    "#   .venv/bin/python tests/ee/test_execution_environment.py --write\n"
    "# (tests/ee fails while the two differ). The Python packages of execution-environment.yml.\n"
)
FQCN = r"[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*"
# Where a playbook names a plugin inside Jinja: a filter, a lookup, a test.
JINJA_REFS = {
    "filter": re.compile(rf"\|\s*({FQCN})\b"),
    "lookup": re.compile(rf"\b(?:lookup|query|q)\(\s*['\"]({FQCN})['\"]"),
    "test": re.compile(rf"\bis\s+(?:not\s+)?({FQCN})\b"),
}
PLAY_KEYWORDS = {"hosts", "import_playbook", "ansible.builtin.import_playbook"}


def pyproject_dependencies() -> list[str]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]


def render_requirements() -> str:
    return HEADER + "".join(f"{dep}\n" for dep in pyproject_dependencies())


def by_name(lines: list[str]) -> dict[str, Requirement]:
    reqs = [Requirement(line.split(" #")[0]) for line in lines if line.strip() and not line.startswith("#")]
    return {canonicalize_name(r.name): r for r in reqs}


# --- the build context ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def context(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `ansible-builder create` writes for the EE file: the Containerfile and _build/."""
    out = tmp_path_factory.mktemp("ee") / "context"
    run([str(VENV_BIN / "ansible-builder"), "create", "--file", str(EE_FILE), "--context", str(out),
         "--output-filename", "Containerfile"], timeout=120)  # fmt: skip
    return out


@pytest.fixture(scope="module")
def containerfile(context: Path) -> list[str]:
    """The Containerfile's instructions, continuation lines joined."""
    return (context / "Containerfile").read_text().replace("\\\n", " ").splitlines()


def stage(lines: list[str], name: str) -> list[str]:
    """The instructions of one build stage (`FROM … AS name` up to the next FROM)."""
    start = next(i for i, line in enumerate(lines) if re.match(rf"FROM \S+ AS {name}$", line))
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("FROM ")), len(lines))
    return lines[start:end]


def build_arg(lines: list[str], name: str) -> str:
    for line in lines:
        if m := re.fullmatch(rf'ARG {name}="(.*)"', line):
            return m.group(1)
    raise AssertionError(f"no ARG {name} with a value in the Containerfile")


@pytest.fixture(scope="module")
def galaxy_installed(context: Path, containerfile: list[str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The galaxy stage's collection install, replayed as written: in _build (the stage's WORKDIR /build), into
    a scratch path instead of /usr/share/ansible/collections. Galaxy itself is never asked (loopback port 9)."""
    galaxy = stage(containerfile, "galaxy")
    assert "COPY _build /build" in galaxy and "WORKDIR /build" in galaxy
    install = next(line for line in galaxy if "ansible-galaxy collection install" in line)
    argv = shlex.split(install.removeprefix("RUN "))
    env_words = [w for w in argv if re.fullmatch(r"[A-Z_]+=.*", w)]
    argv = [w for w in argv if w not in env_words and not w.startswith("$")]
    dest = tmp_path_factory.mktemp("galaxy")
    argv[argv.index("--collections-path") + 1] = str(dest)
    argv[0] = str(VENV_BIN / "ansible-galaxy")
    # The image build has no project ansible.cfg: with ours (make exports it), galaxy would find wardkit.core already
    # in its collections_path and install nothing.
    env = {k: v for k, v in os.environ.items() if k not in ("ANSIBLE_CONFIG", "ANSIBLE_COLLECTIONS_PATH")}
    env.update(ANSIBLE_GALAXY_SERVER="http://127.0.0.1:9/", **dict(w.split("=", 1) for w in env_words))
    run(argv, cwd=context / "_build", env=env, timeout=120)
    return dest / "ansible_collections"


@pytest.fixture(scope="module")
def introspected(context: Path, containerfile: list[str], galaxy_installed: Path) -> list[str]:
    """The builder stage's introspection (ansible-builder's own script from the context), replayed as written:
    the Python requirements its assemble step then installs."""
    builder = stage(containerfile, "builder")
    line = next(line for line in builder if "introspect.py introspect" in line)
    argv = shlex.split(line.removeprefix("RUN "))
    out = context / "replayed"
    out.mkdir(exist_ok=True)
    args = [sys.executable, str(context / "_build" / "scripts" / "introspect.py"), "introspect"]
    for word in argv[3:]:
        key, _, value = word.partition("=")
        if key in ("--user-pip", "--user-bindep"):
            assert f"COPY _build/{value} {value}" in builder, f"{value} is not copied into the builder stage"
            args.append(f"{key}={context / '_build' / value}")
        elif key in ("--write-pip", "--write-bindep"):
            args.append(f"{key}={out / Path(value).name}")
        else:
            args.append(word)
    args.append(str(galaxy_installed.parent))  # the collections the galaxy stage installed
    run(args, timeout=60)
    return (out / "requirements.txt").read_text().splitlines()


# --- one list of Python requirements ----------------------------------------------------------------------------


def test_requirements_file_is_generated_from_pyproject():
    assert REQUIREMENTS.read_text() == render_requirements(), (
        "ee/requirements.txt differs from pyproject.toml's dependencies: "
        ".venv/bin/python tests/ee/test_execution_environment.py --write"
    )


def test_the_build_installs_every_pyproject_pin(introspected):
    """What the builder stage will pip-install: every one of pyproject's dependencies, with pyproject's exact
    specifier (mitogen==0.3.54, netmiko 4.8.x, ansible 12.x…), and nothing unpinned besides."""
    installed = by_name(introspected)
    for name, req in by_name(pyproject_dependencies()).items():
        assert name in installed, f"{name}: in pyproject.toml, not installed by the execution environment"
        assert installed[name].specifier == req.specifier, f"{name}: EE {installed[name]}, pyproject {req}"
        assert installed[name].marker == req.marker, name
    assert set(installed) <= set(by_name(pyproject_dependencies())), "a requirement pyproject.toml does not have"


def test_ansible_core_and_runner_first_with_pyprojects_ranges(containerfile):
    """ansible-core and ansible-runner go in before everything else (the final stage checks both exist), from the
    EE file's own fields: those must say what pyproject.toml says."""
    refs = by_name(build_arg(containerfile, "ANSIBLE_INSTALL_REFS").split())
    pins = by_name(pyproject_dependencies())
    assert set(refs) == {"ansible-core", "ansible-runner"}
    for name, req in refs.items():
        assert req.specifier == pins[name].specifier, f"{name}: EE {req}, pyproject {pins[name]}"
    base = stage(containerfile, "base")
    assert "RUN $PYCMD -m pip install --no-cache-dir $ANSIBLE_INSTALL_REFS" in base


def test_the_python_that_runs_ansible_is_one_ansible_core_supports(containerfile):
    """ansible-core's own floor for the controller's Python, against the interpreter the EE installs."""
    pycmd = build_arg(containerfile, "PYCMD")
    version = re.fullmatch(r"/usr/bin/python(\d+\.\d+)", pycmd)
    assert version, pycmd
    floor = importlib.metadata.metadata("ansible-core")["Requires-Python"]
    assert version.group(1) + ".0" in Requirement(f"python{floor}").specifier, (pycmd, floor)
    assert f'ARG PYPKG="python{version.group(1)}"' in containerfile


def test_this_venv_satisfies_what_the_ee_installs(introspected):
    """The suite's own environment stands in for the image below: only valid while it satisfies the same pins."""
    for name, req in by_name(introspected).items():
        version = importlib.metadata.version(name)
        assert req.specifier.contains(version, prereleases=True), f"{name} {version} here, EE wants {req}"


# --- the kit's collection and wardctl ---------------------------------------------------------------------------


def source_files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts}


def test_the_kit_collection_is_installed_from_the_context(galaxy_installed):
    installed = galaxy_installed / "wardkit" / "core"
    expected = source_files(KIT_COLLECTION) - {"galaxy.yml"}  # galaxy.yml becomes MANIFEST.json
    assert expected <= source_files(installed)
    for name in expected:
        assert (installed / name).read_bytes() == (KIT_COLLECTION / name).read_bytes(), name


def wardctl_imports(root: Path) -> set[str]:
    """Every wardctl module the collection's plugins import."""
    found = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "wardctl":
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.split(".")[0] == "wardctl")
    return found


def test_wardctl_built_into_the_image_has_what_the_collection_imports(context, containerfile):
    """The kit's collection runs wardctl code on the controller; the final stage builds wardctl from the copy in
    the context, whose pyproject must find the package where the copy put it."""
    src = context / "_build" / "wardctl"
    final = stage(containerfile, "final")
    assert "COPY _build/wardctl /tmp/wardctl-src" in final
    assert any("pip install" in line and "/tmp/wardctl-src" in line and "pip check" in line for line in final)
    project = tomllib.loads((src / "pyproject.toml").read_text())
    assert (src / project["project"]["readme"]).is_file()
    roots = [src / where for where in project["tool"]["setuptools"]["packages"]["find"]["where"]]
    imports = wardctl_imports(KIT_COLLECTION / "plugins")
    assert imports, "the collection no longer imports wardctl: the EE need not build it"
    for module in sorted(imports):
        parts = module.split(".")
        candidates = [Path(*parts).with_suffix(".py"), Path(*parts, "__init__.py"), Path(*parts[:-1], "__init__.py")]
        if len(parts) > 1:
            candidates.append(Path(*parts[:-1]).with_suffix(".py"))  # `from wardctl.x import name`
        assert any((r / c).is_file() for r in roots for c in candidates), f"{module} is not in the image's wardctl"


def test_mitogen_strategy_is_linked_into_a_default_strategy_path(containerfile):
    """`ANSIBLE_STRATEGY=mitogen_linear` works in the image without a path: the link the final stage makes sits on
    ansible-core's default strategy plugin path, and points where the kit itself finds Mitogen's strategies."""
    import jinja2
    from ansible import constants

    from wardctl.rollout import accelerate

    link = next(line for line in stage(containerfile, "final") if "strategy_plugins()" in line)
    target = shlex.split(link)[-1]
    default = constants.config.get_configuration_definition("DEFAULT_STRATEGY_PLUGIN_PATH")["default"]
    assert target in jinja2.Template(default).render(ANSIBLE_HOME="~/.ansible").split(":"), (target, default)
    assert "from wardctl.rollout.accelerate import strategy_plugins" in link
    assert (accelerate.strategy_plugins() / f"{accelerate.STRATEGY}.py").is_file()


def test_system_packages_parse_and_name_the_ssh_client(context):
    """bindep parses the file the final stage installs from, and on the RPM base it names the SSH client every
    Linux endpoint needs."""
    from bindep.depends import Depends

    depends = Depends((context / "_build" / "bindep.txt").read_text())  # raises on a malformed line
    rhel9 = ["platform:rpm", "platform:redhat", "platform:rhel", "platform:rhel-9", "default"]
    assert "openssh-clients" in {name for name, _, _ in depends.active_rules(rhel9)}


# --- every collection the playbooks and roles name is in the image ----------------------------------------------


def _loader() -> type[yaml.SafeLoader]:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)  # !unsafe, !vault: not plugin names
    return Loader


def task_files() -> Iterator[Path]:
    for path in sorted((ROOT / "playbooks").rglob("*.yml")):
        yield path
    for path in sorted((ROOT / "roles").rglob("*.yml")):
        rel = path.relative_to(ROOT / "roles").parts
        if rel[1] in ("tasks", "handlers") or (rel[1] == "molecule" and path.name != "molecule.yml"):
            yield path


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from strings(k)
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def connections(value: Any) -> Iterator[str]:
    """`connection:` and `ansible_connection:` anywhere (plays, tasks, vars)."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k in ("connection", "ansible_connection") and isinstance(v, str):
                yield v
            yield from connections(v)
    elif isinstance(value, list):
        for v in value:
            yield from connections(v)


def task_refs(tasks: Any) -> Iterator[tuple[str, str]]:
    for task in tasks if isinstance(tasks, list) else []:
        if not isinstance(task, dict):
            continue
        for key, value in task.items():
            if re.fullmatch(FQCN, str(key)):
                yield "module", key
            elif key in ("action", "local_action"):
                name = value.get("module") if isinstance(value, dict) else str(value).split()[0]
                yield "module", name
        for key in ("block", "rescue", "always"):
            yield from task_refs(task.get(key))


def plugin_references() -> dict[tuple[str, str], set[str]]:
    """(kind, FQCN) -> the files naming it."""
    refs: dict[tuple[str, str], set[str]] = {}

    def add(kind: str, name: str, path: Path) -> None:
        if name.count(".") >= 2:  # short names are ansible.builtin's or a role's own
            refs.setdefault((kind, name), set()).add(str(path.relative_to(ROOT)))

    for path in task_files():
        doc = yaml.load(path.read_text(), Loader=_loader())  # a SafeLoader subclass
        items = doc if isinstance(doc, list) else []
        plays = [i for i in items if isinstance(i, dict) and PLAY_KEYWORDS & set(i)]
        tasks = [i for i in items if i not in plays]
        for play in plays:
            for section in ("pre_tasks", "tasks", "post_tasks", "handlers"):
                tasks += play.get(section) or []
            if isinstance(play.get("strategy"), str):
                add("strategy", play["strategy"], path)
            for role in play.get("roles") or []:
                add("role", role.get("role", role.get("name", "")) if isinstance(role, dict) else role, path)
        for kind, name in task_refs(tasks):
            add(kind, name, path)
        for name in connections(doc):
            add("connection", name, path)
        for text in strings(doc):
            for kind, pattern in JINJA_REFS.items():
                for name in pattern.findall(text):
                    add(kind, name, path)
    for path in sorted((ROOT / "roles").glob("*/templates/**/*.j2")):
        for kind, pattern in JINJA_REFS.items():
            for name in pattern.findall(path.read_text()):
                add(kind, name, path)
    return refs


def jinja_plugin_names(directory: Path, kind: str) -> set[str]:
    """Filters and tests live several to a file: the names each file's plugin class hands out."""
    names = set()
    for path in directory.glob("*.py"):
        spec = importlib.util.spec_from_file_location(f"_ee_{kind}_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        cls = getattr(module, "FilterModule" if kind == "filter" else "TestModule", None)
        if cls is not None:
            names |= set(getattr(cls(), "filters" if kind == "filter" else "tests")())
    return names


PLUGIN_DIRS = {"module": "modules", "connection": "connection", "strategy": "strategy", "lookup": "lookup",
               "filter": "filter", "test": "test", "role": "roles"}  # fmt: skip


def provides(collection: Path, kind: str, name: str) -> bool:
    plugins = collection / ("roles" if kind == "role" else f"plugins/{PLUGIN_DIRS[kind]}")
    if kind == "role":
        return (plugins / name).is_dir()
    if kind in ("filter", "test"):
        return plugins.is_dir() and name in jinja_plugin_names(plugins, kind)
    if any((plugins / f"{name}{ext}").is_file() for ext in (".py", ".ps1")):
        return True
    runtime = collection / "meta" / "runtime.yml"
    routing = (yaml.safe_load(runtime.read_text()) or {}).get("plugin_routing", {}) if runtime.is_file() else {}
    return name in (routing.get(PLUGIN_DIRS[kind]) or {})


def builtin_provides(kind: str, name: str) -> bool:
    import ansible

    core = Path(ansible.__file__).parent
    if kind == "module":
        return (core / "modules" / f"{name}.py").is_file()
    if kind in ("filter", "test"):
        return name in jinja_plugin_names(core / "plugins" / kind, kind)
    return (core / "plugins" / PLUGIN_DIRS[kind] / f"{name}.py").is_file()


def test_every_collection_the_playbooks_name_is_in_the_image(galaxy_installed, introspected):
    """Each FQCN the playbooks, roles and molecule scenarios use resolves, in the image, to a plugin: ansible-core's
    for ansible.builtin, the kit's collection as the galaxy stage installed it, or the `ansible` package the EE
    pins (this venv's copy, which satisfies the same pin: test above)."""
    refs = plugin_references()
    assert ("module", "wardkit.core.router_config") in refs, "the scan finds no module references: scan broken"
    assert any(kind == "filter" for kind, _ in refs), "the scan finds no FQCN filters: scan broken"
    bundle_req = by_name(introspected)["ansible"]
    bundle = importlib.metadata.distribution("ansible")
    assert bundle_req.specifier.contains(bundle.version), (bundle.version, str(bundle_req))
    roots = [galaxy_installed, Path(str(bundle.locate_file("ansible_collections")))]
    missing = []
    for (kind, fqcn), where in sorted(refs.items()):
        namespace, collection, name = fqcn.split(".", 2)
        if (namespace, collection) == ("ansible", "builtin"):
            found = builtin_provides(kind, name)
        else:
            found = any(provides(root / namespace / collection, kind, name) for root in roots)
        if not found:
            missing.append(f"{kind} {fqcn} ({', '.join(sorted(where))})")
    assert not missing, "not in the execution environment:\n" + "\n".join(missing)


def test_collections_requirements_are_met_by_the_bundle(introspected):
    """collections/requirements.yml (for Galaxy users) and the EE's `ansible` bundle must not disagree: each
    collection listed there is in the bundle at a version the file accepts."""
    from ansible.galaxy.dependency_resolution.versioning import meets_requirements

    bundle = importlib.metadata.distribution("ansible")
    root = Path(str(bundle.locate_file("ansible_collections")))
    wanted = yaml.safe_load((ROOT / "collections" / "requirements.yml").read_text())["collections"]
    for entry in wanted:
        namespace, collection = entry["name"].split(".")
        manifest = root / namespace / collection / "MANIFEST.json"
        assert manifest.is_file(), f"{entry['name']} is not in ansible {bundle.version}"
        version = yaml.safe_load(manifest.read_text())["collection_info"]["version"]
        assert meets_requirements(version, entry.get("version", "*")), (entry, version)


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit(f"usage: {sys.argv[0]} --write   (regenerates {REQUIREMENTS.relative_to(ROOT)})")
    REQUIREMENTS.parent.mkdir(exist_ok=True)
    REQUIREMENTS.write_text(render_requirements())
    print(f"wrote {REQUIREMENTS.relative_to(ROOT)}")
