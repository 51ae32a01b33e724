"""Read a Dockerfile, and build it without a Docker engine: each stage in a folder of its own.

`parse` gives the instructions by stage. `Build` runs them in order: a stage's root is a
folder, the image paths the Dockerfile uses (`/app`, `/opt/venv`, ...) are mapped into it, the
base image's Python is this interpreter (the project's virtualenv is made clean from it), COPY
honours `.dockerignore`, and RUN commands run in `sh` with the stage's environment in its
working folder. What an engine alone can do (switch
user, own files) is recorded, not done.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

IMAGE_PATHS = ("/app", "/opt", "/root", "/bin")
"""The absolute paths a Dockerfile of ours may use; each is mapped into the stage's folder."""

NETWORK = frozenset(
    {
        *(f"{name}_proxy" for name in ("http", "https", "all", "no")),
        *(f"{name}_PROXY" for name in ("HTTP", "HTTPS", "ALL", "NO")),
        "SSL_CERT_FILE",
        "SSL_CERT_DIR",
        "UV_DEFAULT_INDEX",
        "UV_INDEX_URL",
        "UV_EXTRA_INDEX_URL",
        "UV_NATIVE_TLS",
    }
)
"""The host's network settings, passed to RUN as a builder's network would provide them."""

_VARIABLE = re.compile(r"\$\{(\w+)\}|\$(\w+)")
_ABSOLUTE = re.compile(r"(?<![\w.:/$])/(?:app|opt|root|bin)(?:/[\w.-]*)*")


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    line: int

    def options(self) -> list[tuple[str, str]]:
        """`--from=build --chown=1:1` -> [("from", "build"), ("chown", "1:1")], in order."""
        found = []
        for word in shlex.split(self.arguments):
            if not word.startswith("--"):
                break
            name, _, value = word[2:].partition("=")
            found.append((name, value))
        return found

    def flags(self) -> dict[str, str]:
        """The options by name (the last one of a name repeated)."""
        return dict(self.options())

    def words(self) -> list[str]:
        """The arguments after the flags."""
        words = shlex.split(self.arguments)
        return [word for index, word in enumerate(words) if not _is_flag(words, index)]

    def command(self) -> str:
        """A RUN's shell command, without its flags."""
        text = self.arguments
        while text.startswith("--"):
            text = text.split(None, 1)[1] if " " in text else ""
        return text


def _is_flag(words: list[str], index: int) -> bool:
    return all(word.startswith("--") for word in words[: index + 1])


@dataclass
class Stage:
    base: str
    name: str
    instructions: list[Instruction] = field(default_factory=list)


def parse(text: str) -> list[Stage]:
    """The stages of a Dockerfile, each with its instructions (continuations joined)."""
    stages: list[Stage] = []
    logical = ""
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not logical and (not line or line.startswith("#")):
            continue
        if logical and line.startswith("#"):
            continue
        start = start or number
        if line.endswith("\\"):
            logical += line[:-1].strip() + " "
            continue
        logical += line
        keyword, _, arguments = logical.partition(" ")
        instruction = Instruction(keyword.upper(), arguments.strip(), start)
        if instruction.keyword == "FROM":
            words = instruction.words()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else str(len(stages))
            stages.append(Stage(words[0], name))
        else:
            stages[-1].instructions.append(instruction)
        logical, start = "", 0
    return stages


def ignored(relative: str, patterns: list[str]) -> bool:
    """Whether `.dockerignore` patterns leave `relative` out of the build context."""
    result = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        pattern = pattern.removeprefix("**/")
        parts = relative.split("/")
        candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        if pattern != "*" and "/" not in pattern:
            candidates += parts  # `**/__pycache__`: a name anywhere
        if any(fnmatch.fnmatchcase(candidate, pattern) for candidate in candidates):
            result = not negate
    return result


@dataclass
class StageState:
    root: Path
    environment: dict[str, str]
    workdir: str = "/"
    user: str = "0"
    external: bool = False
    """An image that is not built here: its paths are its folder's, unmapped."""


@dataclass
class Build:
    """Builds `dockerfile` from `context` under `scratch`."""

    context: Path
    scratch: Path
    external: dict[str, Path]
    """Files of the images COPY --from names that are not stages (`ghcr.io/astral-sh/uv:...`)."""
    cache: Path
    """Where RUN --mount=type=cache mounts point (kept between builds, like BuildKit's cache)."""
    states: dict[str, StageState] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)

    def map(self, state: StageState, path: str) -> Path:
        if state.external:
            return state.root / path.lstrip("/")
        if not path.startswith("/"):
            path = f"{state.workdir.rstrip('/')}/{path}"
        assert path == "/" or path.startswith(IMAGE_PATHS), f"unmapped image path {path}"
        return state.root / path.lstrip("/")

    def map_text(self, state: StageState, text: str) -> str:
        return _ABSOLUTE.sub(lambda match: str(self.map(state, match.group(0))), text)

    def run(self, stages: list[Stage], until: str | None = None) -> None:
        patterns = self._dockerignore()
        for stage in stages:
            self._start(stage, stages)
            state = self.states[stage.name]
            for instruction in stage.instructions:
                self.log.append(f"{stage.name}: {instruction.keyword} {instruction.arguments}")
                getattr(self, f"_{instruction.keyword.lower()}")(state, instruction, patterns)
            if stage.name == until:
                return

    def _dockerignore(self) -> list[str]:
        path = self.context / ".dockerignore"
        lines = path.read_text().splitlines() if path.exists() else []
        return [line.strip() for line in lines if line.strip() and not line.startswith("#")]

    def _start(self, stage: Stage, stages: list[Stage]) -> None:
        root = self.scratch / stage.name
        names = {earlier.name for earlier in stages}
        if stage.base in names:  # FROM build AS train: a copy of that stage
            parent = self.states[stage.base]
            shutil.copytree(parent.root, root, symlinks=True, copy_function=os.link)
            self.states[stage.name] = StageState(
                root, dict(parent.environment), parent.workdir, parent.user
            )
            return
        root.mkdir(parents=True)
        if stage.base in self.external:  # an image we only copy files from
            for item in self.external[stage.base].iterdir():
                shutil.copy2(item, root / item.name)
            self.states[stage.name] = StageState(root, {}, external=True)
            return
        assert stage.base.startswith("python:"), stage.base
        python = self.scratch / f"{stage.name}-base-python"  # the image's python on PATH
        python.mkdir()
        interpreter = Path(sys.executable).resolve()
        for name in ("python", "python3", f"python3.{sys.version_info.minor}"):
            (python / name).symlink_to(interpreter)
        (root / "bin").mkdir()
        environment = {
            **{name: value for name, value in os.environ.items() if name in NETWORK},
            "PATH": os.pathsep.join([str(python), str(root / "bin"), "/usr/bin", "/bin"]),
            "HOME": str(root / "root"),
            "LANG": "C.UTF-8",
        }
        self.states[stage.name] = StageState(root, environment)

    def _env(self, state: StageState, instruction: Instruction, patterns: list[str]) -> None:
        for word in shlex.split(instruction.arguments):
            name, _, value = word.partition("=")
            value = self.map_text(state, value)
            state.environment[name] = _VARIABLE.sub(
                lambda match: state.environment.get(match.group(1) or match.group(2), ""), value
            )

    def _workdir(self, state: StageState, instruction: Instruction, patterns: list[str]) -> None:
        state.workdir = instruction.arguments
        self.map(state, state.workdir).mkdir(parents=True, exist_ok=True)

    def _copy(self, state: StageState, instruction: Instruction, patterns: list[str]) -> None:
        flags = instruction.flags()
        *sources, destination = instruction.words()
        target = self.map(state, destination)
        if "from" in flags:
            source_state = self.states[flags["from"]]
            pairs = [(self.map(source_state, source), source) for source in sources]
            ignore: list[str] = []
        else:
            pairs = [(self.context / source, source) for source in sources]
            ignore = patterns
        into_folder = destination.endswith("/") or len(sources) > 1
        for path, source in pairs:
            assert path.exists(), f"line {instruction.line}: COPY source {source} does not exist"
            if path.is_dir():
                self._copy_tree(path, target, path, ignore)
            else:
                if not flags.get("from"):
                    assert not ignored(source, ignore), f"{source} is left out by .dockerignore"
                place = target / path.name if into_folder else target
                place.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, place, follow_symlinks=False)

    def _copy_tree(self, source: Path, target: Path, top: Path, ignore: list[str]) -> None:
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted(source.rglob("*")):
            relative = path.relative_to(top)
            from_context = path.relative_to(self.context).as_posix() if ignore else ""
            if ignore and ignored(from_context, ignore):
                continue
            place = target / relative
            if path.is_dir() and not path.is_symlink():
                place.mkdir(parents=True, exist_ok=True)
            else:
                place.parent.mkdir(parents=True, exist_ok=True)
                if path.is_symlink():
                    place.symlink_to(path.readlink())
                else:
                    os.link(path, place)

    def _run(self, state: StageState, instruction: Instruction, patterns: list[str]) -> None:
        for name, value in instruction.options():
            if name == "mount":
                options = dict(part.split("=", 1) for part in value.split(","))
                assert options.get("type") == "cache", f"unsupported mount {value}"
                mount = self.map(state, options["target"])
                mount.parent.mkdir(parents=True, exist_ok=True)
                if not mount.exists():
                    mount.symlink_to(self.cache, target_is_directory=True)
        command = self.map_text(state, instruction.command())
        result = subprocess.run(
            ["/bin/sh", "-c", command],
            cwd=self.map(state, state.workdir),
            env=state.environment,
            capture_output=True,
            text=True,
            timeout=1200,
            check=False,
        )
        assert result.returncode == 0, (
            f"line {instruction.line}: RUN {command} failed:\n{result.stdout}\n{result.stderr}"
        )

    def _user(self, state: StageState, instruction: Instruction, patterns: list[str]) -> None:
        state.user = instruction.arguments

    def _expose(self, state: StageState, instruction: Instruction, patterns: list[str]) -> None:
        pass

    def _healthcheck(
        self, state: StageState, instruction: Instruction, patterns: list[str]
    ) -> None:
        pass

    def _cmd(self, state: StageState, instruction: Instruction, patterns: list[str]) -> None:
        pass
