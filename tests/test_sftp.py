# test_sftp.py: the SFTP client from Python (gi.repository.Tether) against a real OpenSSH
# server: list a folder and download a file, as outside users do.
import hashlib
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
from tethertest import call, run_until  # noqa: E402

PAYLOAD_SIZE = 3 * 1024 * 1024 + 7


class SftpTest(unittest.TestCase):
    def setUp(self):
        self.server = TestServer("openssh")
        self.addCleanup(self.server.close)
        self.dir = tempfile.mkdtemp(prefix="tether-sftp-py-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        user = pwd.getpwnam(self.server.user)
        os.chmod(self.dir, 0o755)
        os.chown(self.dir, user.pw_uid, user.pw_gid)

        host = Tether.Host.new_for_destination(
            f"{self.server.user}@{self.server.host}:{self.server.port}")
        host.props.identity_files = [self.server.key]
        host.props.identities_only = True
        host.props.known_hosts_file = self.server.known_hosts
        self.conn = Tether.Connection.new(host)
        call(lambda cb: self.conn.connect_async(None, cb), self.conn.connect_finish)
        self.addCleanup(self.conn.close)

    def test_list_and_download(self):
        payload = os.urandom(PAYLOAD_SIZE)
        with open(os.path.join(self.dir, "data.bin"), "wb") as f:
            f.write(payload)
        os.mkdir(os.path.join(self.dir, "folder"))

        client = call(lambda cb: Tether.SftpClient.new_async(self.conn, None, cb),
                      Tether.SftpClient.new_finish)
        self.assertEqual(client.get_server_version(), 3)
        listing = call(lambda cb: client.list_async(self.dir, None, cb), client.list_finish)
        entries = {info.get_name(): info for info in listing}
        self.assertEqual(sorted(entries), ["data.bin", "folder"])
        self.assertEqual(entries["data.bin"].get_size(), PAYLOAD_SIZE)
        self.assertEqual(entries["data.bin"].get_file_type(), Gio.FileType.REGULAR)
        self.assertEqual(entries["folder"].get_file_type(), Gio.FileType.DIRECTORY)

        transfer = Tether.Transfer.new()
        states = []
        transfer.connect("notify::state", lambda t, _p: states.append(t.props.state))
        local = Gio.File.new_for_path(os.path.join(self.dir, "copy.bin"))
        ok = call(lambda cb: client.download_async(os.path.join(self.dir, "data.bin"), local,
                                                   transfer, None, cb),
                  client.download_finish)
        self.assertTrue(ok)
        run_until(lambda: transfer.props.state == Tether.TransferState.DONE)
        self.assertEqual(transfer.props.bytes_done, PAYLOAD_SIZE)
        self.assertEqual(transfer.props.bytes_total, PAYLOAD_SIZE)
        self.assertIn(Tether.TransferState.RUNNING, states)
        with open(local.get_path(), "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(),
                             hashlib.sha256(payload).hexdigest())

        with self.assertRaises(Exception) as raised:
            call(lambda cb: client.stat_async(os.path.join(self.dir, "missing"), True, None, cb),
                 client.stat_finish)
        self.assertTrue(raised.exception.matches(Gio.io_error_quark(),
                                                 Gio.IOErrorEnum.NOT_FOUND))
        client.close()


if __name__ == "__main__":
    taptestrunner.main()
