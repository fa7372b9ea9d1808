# test_remote_edit.py: editing a server's file in place from Python (gi.repository.Tether)
# against a real OpenSSH server: a save of the local copy is uploaded; a change on the server
# meanwhile is a conflict that uploads nothing, resolved by keeping the server's version.
import os
import pwd
import shutil
import tempfile
import unittest

import gi

gi.require_version("Tether", "1")
from gi.repository import Tether  # noqa: E402

import taptestrunner  # noqa: E402
from tetherserver import TestServer  # noqa: E402
from tethertest import call, run_until  # noqa: E402

OLD_MTIME = 1000000000
OTHER_MTIME = 1100000000


class RemoteEditTest(unittest.TestCase):
    def setUp(self):
        self.server = TestServer("openssh")
        self.addCleanup(self.server.close)
        self.dir = tempfile.mkdtemp(prefix="tether-edit-py-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.user = pwd.getpwnam(self.server.user)
        os.chmod(self.dir, 0o755)
        os.chown(self.dir, self.user.pw_uid, self.user.pw_gid)
        self.remote = os.path.join(self.dir, "notes.txt")

        host = Tether.Host.new_for_destination(
            f"{self.server.user}@{self.server.host}:{self.server.port}")
        host.props.identity_files = [self.server.key]
        host.props.identities_only = True
        host.props.known_hosts_file = self.server.known_hosts
        self.conn = Tether.Connection.new(host)
        call(lambda cb: self.conn.connect_async(None, cb), self.conn.connect_finish)
        self.addCleanup(self.conn.close)
        self.client = call(lambda cb: Tether.SftpClient.new_async(self.conn, None, cb),
                           Tether.SftpClient.new_finish)
        self.addCleanup(self.client.close)

    def server_write(self, text, mtime):
        with open(self.remote, "w") as f:
            f.write(text)
        os.chown(self.remote, self.user.pw_uid, self.user.pw_gid)
        os.utime(self.remote, (mtime, mtime))

    def read(self, path):
        with open(path) as f:
            return f.read()

    def start(self):
        edit = Tether.RemoteEdit.new(self.client, self.remote)
        self.addCleanup(edit.stop)
        self.assertTrue(call(lambda cb: edit.start_async(None, cb), edit.start_finish))
        self.assertEqual(edit.props.state, Tether.RemoteEditState.WATCHING)
        self.assertEqual(edit.props.remote_path, self.remote)
        return edit

    def test_save_uploads(self):
        self.server_write("hello\n", OLD_MTIME)
        edit = self.start()
        local = edit.props.local_file.get_path()
        self.assertEqual(self.read(local), "hello\n")
        self.assertEqual(os.stat(os.path.dirname(local)).st_mode & 0o777, 0o700)

        with open(local, "a") as f:
            f.write("from python\n")
        run_until(lambda: edit.props.n_uploads == 1
                  and edit.props.state == Tether.RemoteEditState.WATCHING)
        self.assertIsNone(edit.props.error)
        self.assertEqual(self.read(self.remote), "hello\nfrom python\n")
        self.assertGreater(os.stat(self.remote).st_mtime, OLD_MTIME)

        edit.stop()
        self.assertEqual(edit.props.state, Tether.RemoteEditState.STOPPED)
        self.assertFalse(os.path.exists(local))

    def test_conflict_keep_theirs(self):
        self.server_write("hello\n", OLD_MTIME)
        edit = self.start()
        local = edit.props.local_file.get_path()
        conflicts = []
        edit.connect("conflict", lambda e: conflicts.append(e.props.state))
        self.server_write("theirs\n", OTHER_MTIME)

        with open(local, "w") as f:
            f.write("mine\n")
        run_until(lambda: conflicts or edit.props.n_uploads > 0)
        self.assertEqual(conflicts, [Tether.RemoteEditState.CONFLICT])
        self.assertEqual(edit.props.n_uploads, 0)
        self.assertEqual(self.read(self.remote), "theirs\n")

        edit.resolve(Tether.RemoteEditResolution.THEIRS)
        run_until(lambda: edit.props.state == Tether.RemoteEditState.WATCHING)
        self.assertEqual(self.read(local), "theirs\n")
        self.assertEqual(self.read(self.remote), "theirs\n")
        self.assertEqual(edit.props.n_uploads, 0)


if __name__ == "__main__":
    taptestrunner.main()
