"""A throw-away PostgreSQL cluster for tests: initdb into a temporary folder, started on a free
loopback port, stopped and deleted afterwards.

PostgreSQL refuses to run as root; run as root, the cluster belongs to the `postgres` user (or
`nobody`) and its commands go through `runuser`. Everything that keeps it from starting is a
`PostgresUnavailableError` saying why, for the test to skip with.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "scaffold"


class PostgresUnavailableError(Exception):
    """PostgreSQL is not installed here, or its cluster does not start; the message says why."""


@dataclass(frozen=True)
class Cluster:
    """A running cluster: trust authentication for `SUPERUSER` on 127.0.0.1:`port`."""

    port: int
    data: Path
    as_user: tuple[str, ...]
    """The command prefix that runs a program as the cluster's owner (empty when not root)."""
    bin_dir: Path

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL of `database` through psycopg 3."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create database `name`; return its URL."""
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", SUPERUSER, name)
        return self.url(name)

    def run(self, program: str, *arguments: str) -> str:
        """Run one of PostgreSQL's programs as the cluster's owner; return its output."""
        command = [*self.as_user, str(self.bin_dir / program), *arguments]
        result = subprocess.run(  # from a folder the owner may enter
            command, cwd=self.data.parent, capture_output=True, text=True, timeout=120, check=False
        )
        if result.returncode != 0:
            said = (result.stderr or result.stdout)[:500]
            raise PostgresUnavailableError(f"{program} failed: {said}")
        return result.stdout


def bin_dir() -> Path:
    """The folder of initdb, pg_ctl and createdb: on PATH, else Debian's newest version."""
    found = shutil.which("initdb")
    candidates = [Path(found).resolve().parent] if found else []
    debian = [p for p in Path("/usr/lib/postgresql").glob("*/bin") if p.parent.name.isdigit()]
    candidates += sorted(debian, key=lambda p: int(p.parent.name), reverse=True)
    for folder in candidates:
        if all((folder / name).exists() for name in ("initdb", "pg_ctl", "createdb")):
            return folder
    raise PostgresUnavailableError(
        "PostgreSQL is not installed (no initdb, pg_ctl and createdb on PATH or in "
        "/usr/lib/postgresql/*/bin; on Debian: apt-get install postgresql)"
    )


def _owner() -> tuple[tuple[str, ...], int, int]:
    """The `runuser` prefix and the uid and gid the cluster runs as."""
    if os.geteuid() != 0:
        return (), os.geteuid(), os.getegid()
    runuser = shutil.which("runuser")
    if runuser is None:
        raise PostgresUnavailableError("running as root without runuser: PostgreSQL refuses root")
    for name in ("postgres", "nobody"):
        try:
            user = pwd.getpwnam(name)
        except KeyError:
            continue
        return (runuser, "-u", name, "--"), user.pw_uid, user.pw_gid
    raise PostgresUnavailableError("running as root and no user `postgres` or `nobody` to run as")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def postgres_cluster() -> Iterator[Cluster]:
    """A fresh cluster for the duration of the `with` block."""
    programs = bin_dir()
    as_user, uid, gid = _owner()
    # not under pytest's tmp_path: its folders are private to root, the cluster's owner is not
    folder = Path(tempfile.mkdtemp(prefix="scaffold-pg-"))
    os.chown(folder, uid, gid)
    data = folder / "data"
    cluster = Cluster(port=_free_port(), data=data, as_user=as_user, bin_dir=programs)
    started = False
    try:
        cluster.run(
            "initdb", "-D", str(data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8",
            "--no-locale", "--no-sync",
        )  # fmt: skip
        options = (
            f"-p {cluster.port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off"
        )
        log = folder / "server.log"
        try:
            cluster.run("pg_ctl", "-D", str(data), "-o", options, "-l", str(log), "-w", "start")
        except PostgresUnavailableError as exc:
            tail = log.read_text(errors="replace")[-500:] if log.exists() else ""
            raise PostgresUnavailableError(f"{exc} {tail}") from exc
        started = True
        yield cluster
    finally:
        if started:
            cluster.run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)
