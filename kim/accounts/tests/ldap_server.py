"""A real OpenLDAP ``slapd`` for the directory tests (no protocol mocks, issue 15).

Started on a free loopback port with its own config and database in a temporary folder
(no system configuration; recipe in docs/testing.md), filled with a small tree:
``ou=people`` (inetOrgPerson with passwords) and ``ou=groups`` (groupOfNames).
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

SLAPD = "/usr/sbin/slapd"
SUFFIX = "dc=kreis-si,dc=example"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "slapd-admin-secret"  # a throw-away test server
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"

CONFIG = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
pidfile {dir}/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "{admin}"
rootpw {password}
directory {dir}/db
"""


def person(uid: str, given: str, surname: str, password: str) -> str:
    return (
        f"dn: uid={uid},{PEOPLE}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {given} {surname}\n"
        f"givenName: {given}\nsn: {surname}\nmail: {uid}@kreis-si.example\n"
        f"userPassword: {password}\n\n"
    )


def group(cn: str, *uids: str) -> str:
    members = "".join(f"member: uid={u},{PEOPLE}\n" for u in uids)
    # groupOfNames needs at least one member: the admin stands in for an empty group.
    return f"dn: cn={cn},{GROUPS}\nobjectClass: groupOfNames\ncn: {cn}\n{members or f'member: {ADMIN_DN}\n'}\n"


TREE = (
    f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\no: Kreis\ndc: kreis-si\n\n"
    f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n\n"
    f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups\n\n"
    + person("anna.ldap", "Anna", "Becker", "anna-pass-2026")
    + person("bernd.ldap", "Bernd", "Schäfer", "bernd-pass-2026")
    + person("carla.ldap", "Carla", "Yilmaz", "carla-pass-2026")
    + group("kim-cm-siegen", "anna.ldap", "bernd.ldap")
    + group("kim-teamlead-kreuztal", "bernd.ldap")
    + group("sachbearbeitung", "carla.ldap")
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LdapServer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.uri = f"ldap://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> LdapServer:
        (self.folder / "db").mkdir(parents=True)
        conf = self.folder / "slapd.conf"
        conf.write_text(
            CONFIG.format(dir=self.folder, suffix=SUFFIX, admin=ADMIN_DN, password=ADMIN_PASSWORD),
            encoding="utf-8",
        )
        # -d 0: stay in the foreground (a child of the test session), quiet.
        self.process = subprocess.Popen(
            [SLAPD, "-f", str(conf), "-h", self.uri + "/", "-d", "0"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            self.stop()
            raise RuntimeError(f"slapd did not listen on {self.uri}")
        self.ldif("ldapadd", TREE)
        return self

    def ldif(self, tool: str, text: str) -> None:
        """Run ``ldapadd``/``ldapmodify`` as the directory's administrator."""
        subprocess.run(
            [tool, "-x", "-H", self.uri, "-D", ADMIN_DN, "-w", ADMIN_PASSWORD],
            input=text.encode(),
            check=True,
            capture_output=True,
        )

    def remove_member(self, cn: str, uid: str) -> None:
        self.ldif(
            "ldapmodify",
            f"dn: cn={cn},{GROUPS}\nchangetype: modify\ndelete: member\n"
            f"member: uid={uid},{PEOPLE}\n",
        )

    def add_member(self, cn: str, uid: str) -> None:
        self.ldif(
            "ldapmodify",
            f"dn: cn={cn},{GROUPS}\nchangetype: modify\nadd: member\nmember: uid={uid},{PEOPLE}\n",
        )

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
        shutil.rmtree(self.folder, ignore_errors=True)
