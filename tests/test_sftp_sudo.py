# test_sftp_sudo.py: Tether.SftpClient.new_sudo_async from Python against a real OpenSSH
# server whose PATH starts with a stand-in sudo (a script speaking sudo -S -p's protocol),
# as an outside user would call it: a password asked through a Python Tether.Interaction.
import os
import pwd
import shutil
import tempfile
import unittest

import gi

gi.require_version("Tether", "1")
from gi.repository import Gio, Tether  # noqa: E402

import taptestrunner  # noqa: E402
from tetherserver import TestServer  # noqa: E402
from tethertest import call  # noqa: E402

PASSWORD = "stand-in sudo password"
SUDO_TRIES = 3

STAND_IN = """#!/bin/sh
prompt='Password: '
while [ $# -gt 0 ]; do
  case $1 in
    -p) prompt=$2; shift 2 ;;
    --) shift; break ;;
    -*) shift ;;
    *) break ;;
  esac
done
echo start >> '@LOG@'
tries=0
while [ $tries -lt 3 ]; do
  printf '%s' "$prompt" >&2
  IFS= read -r answer || exit 1
  if [ "$answer" = '@PASSWORD@' ]; then exec "$@"; fi
  tries=$((tries + 1))
  if [ $tries -lt 3 ]; then echo 'Sorry, try again.' >&2; fi
done
echo "sudo: $tries incorrect password attempts" >&2
exit 1
"""


class Answers(Tether.Interaction):
    """A scripted user: the answers in order, the last one repeated."""

    def __init__(self, answers):
        super().__init__()
        self.answers = list(answers)
        self.asked = []

    def do_ask_kbd_interactive(self, name, instruction, prompts, echo_mask, cancellable):
        self.asked.append((name, instruction, list(prompts), echo_mask))
        answer = self.answers[min(len(self.asked), len(self.answers)) - 1]
        return None if answer is None else [answer]


class SftpSudoTest(unittest.TestCase):
    def setUp(self):
        self.bin = tempfile.mkdtemp(prefix="tether-sudo-py-")
        self.addCleanup(shutil.rmtree, self.bin, True)
        os.chmod(self.bin, 0o755)
        sudo = os.path.join(self.bin, "sudo")
        self.server = TestServer("openssh", extra_config=f"SetEnv PATH={self.bin}:/usr/bin:/bin")
        # The stand-in notes each start in a folder the test user may write.
        self.work = tempfile.mkdtemp(prefix="tether-sudo-py-work-")
        self.addCleanup(shutil.rmtree, self.work, True)
        user = pwd.getpwnam(self.server.user)
        os.chown(self.work, user.pw_uid, user.pw_gid)
        self.log = os.path.join(self.work, "starts")
        with open(sudo, "w") as f:
            f.write(STAND_IN.replace("@PASSWORD@", PASSWORD).replace("@LOG@", self.log))
        os.chmod(sudo, 0o755)

        self.addCleanup(self.server.close)
        host = Tether.Host.new_for_destination(
            f"{self.server.user}@{self.server.host}:{self.server.port}")
        host.props.identity_files = [self.server.key]
        host.props.identities_only = True
        host.props.known_hosts_file = self.server.known_hosts
        self.conn = Tether.Connection.new(host)
        call(lambda cb: self.conn.connect_async(None, cb), self.conn.connect_finish)
        self.addCleanup(self.conn.close)

    def open(self, interaction):
        return call(lambda cb: Tether.SftpClient.new_sudo_async(self.conn, interaction, None,
                                                                cb),
                    Tether.SftpClient.new_sudo_finish)

    def test_password_then_list(self):
        user = Answers(["wrong", PASSWORD])
        client = self.open(user)
        self.assertEqual(client.get_server_version(), 3)
        self.assertEqual(len(user.asked), 2)
        name, instruction, prompts, echo_mask = user.asked[0]
        self.assertEqual(len(prompts), 1)
        self.assertEqual(echo_mask, 0)
        self.assertNotEqual(user.asked[1][1], instruction)
        listing = call(lambda cb: client.list_async(self.bin, None, cb), client.list_finish)
        self.assertEqual([info.get_name() for info in listing], ["sudo"])
        client.close()

    def starts(self):
        with open(self.log) as f:
            return f.read().count("start\n")

    def test_download_as_root(self):
        """A download of a sudo client starts sudo again, answered without asking."""
        user = Answers([PASSWORD])
        client = self.open(user)
        self.assertEqual(self.starts(), 1)
        local = os.path.join(self.work, "copy")
        call(lambda cb: client.download_async(os.path.join(self.bin, "sudo"),
                                              Gio.File.new_for_path(local), None, None, cb),
             client.download_finish)
        with open(local) as f, open(os.path.join(self.bin, "sudo")) as g:
            self.assertEqual(f.read(), g.read())
        self.assertEqual(self.starts(), 2)
        self.assertEqual(len(user.asked), 1)
        client.close()

    def test_wrong_password(self):
        user = Answers(["wrong"])
        with self.assertRaises(Exception) as raised:
            self.open(user)
        self.assertTrue(raised.exception.matches(Tether.error_quark(),
                                                 Tether.Error.AUTH_FAILED))
        self.assertEqual(len(user.asked), SUDO_TRIES)

    def test_no_interaction(self):
        with self.assertRaises(Exception) as raised:
            self.open(None)
        self.assertTrue(raised.exception.matches(Gio.io_error_quark(),
                                                 Gio.IOErrorEnum.PERMISSION_DENIED))


if __name__ == "__main__":
    taptestrunner.main()
