# test_host_store.py: Tether.HostStore from Python (gi.repository.Tether), as outside users
# drive it: load an ssh_config file, look a host up, compare with `ssh -G`; save hosts.
import os
import shutil
import subprocess
import tempfile
import unittest

import gi

gi.require_version("Tether", "1")
from gi.repository import Gio, GLib, Tether  # noqa: E402

import taptestrunner  # noqa: E402
from tethertest import call, run_until  # noqa: E402

CONFIG = """\
# a fixture in ssh_config syntax
Host web
    #@tether label=Web server
    #@tether group=Work
    HostName web.example.org
    User alice
    Port 2222
    IdentityFile /keys/web_ed25519
    ProxyJump bastion.example.org:2200
    LocalForward 8080 localhost:80
    DynamicForward 1080

Host db db-replica
    HostName 10.1.2.3

Host *.example.org
    User fallback

Host *
    ServerAliveInterval 45
    ConnectTimeout 7
"""


def ssh_g(config_path, alias):
    """What `ssh -G` resolves for alias: keyword -> list of values."""
    out = subprocess.run(["ssh", "-G", "-F", config_path, alias],
                         check=True, capture_output=True, text=True).stdout
    values = {}
    for line in out.splitlines():
        key, _, value = line.partition(" ")
        values.setdefault(key, []).append(value)
    return values


class HostStoreTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tether-host-store-")
        self.config = os.path.join(self.tmp, "fixture.conf")
        with open(self.config, "w") as f:
            f.write(CONFIG)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def load(self):
        store = Tether.HostStore.new()
        self.assertTrue(store.load_file(Gio.File.new_for_path(self.config)))
        return store

    def test_load_file_lists_concrete_hosts(self):
        store = self.load()
        aliases = [store.get_item(i).props.alias for i in range(store.get_n_items())]
        self.assertEqual(aliases, ["web", "db", "db-replica"])
        web = store.get_item(0)
        self.assertEqual(web.props.source, Tether.HostSource.SSH_CONFIG)
        self.assertEqual(web.props.label, "Web server")
        self.assertEqual(web.props.group, "Work")
        self.assertTrue(web.props.id)

    def test_lookup_properties(self):
        host = self.load().lookup("web")
        self.assertEqual(host.props.alias, "web")
        self.assertEqual(host.props.hostname, "web.example.org")
        self.assertEqual(host.props.port, 2222)
        self.assertEqual(host.props.user, "alice")
        self.assertEqual(list(host.props.identity_files), ["/keys/web_ed25519"])
        self.assertEqual(host.props.proxy_jump, "bastion.example.org:2200")
        self.assertEqual(host.props.server_alive_interval, 45)
        self.assertEqual(host.props.connect_timeout, 7)
        self.assertEqual(host.props.label, "Web server")
        self.assertEqual(len(host.props.local_forwards), 1)
        self.assertEqual(len(host.props.dynamic_forwards), 1)

    @unittest.skipUnless(shutil.which("ssh"), "OpenSSH's ssh is not installed")
    def test_lookup_equals_ssh_G(self):
        store = self.load()
        for alias in ["web", "db", "db-replica", "other.example.org", "elsewhere"]:
            with self.subTest(alias=alias):
                host = store.lookup(alias)
                expected = ssh_g(self.config, alias)
                self.assertEqual(host.props.hostname, expected["hostname"][0])
                self.assertEqual(str(host.props.port), expected["port"][0])
                self.assertEqual(host.props.user, expected["user"][0])
                self.assertEqual(str(host.props.server_alive_interval),
                                 expected["serveraliveinterval"][0])
                self.assertEqual(str(host.props.connect_timeout), expected["connecttimeout"][0])
                self.assertEqual(host.props.proxy_jump, expected.get("proxyjump", [None])[0])
                self.assertEqual(list(host.props.local_forwards or []),
                                 expected.get("localforward", []))
                self.assertEqual(list(host.props.dynamic_forwards or []),
                                 expected.get("dynamicforward", []))

    def test_malformed_file_raises_with_line(self):
        with open(self.config, "a") as f:
            f.write("Host broken\n    Port many\n")
        store = Tether.HostStore.new()
        with self.assertRaises(GLib.Error) as cm:
            store.load_file(Gio.File.new_for_path(self.config))
        self.assertTrue(cm.exception.matches(Tether.error_quark(), Tether.Error.CONFIG))
        self.assertIn(f"fixture.conf:{len(CONFIG.splitlines()) + 2}:", cm.exception.message)

    def test_save_hosts(self):
        ssh_config = os.path.join(self.tmp, "ssh_config")
        hosts = os.path.join(self.tmp, "tether", "hosts.conf")
        with open(ssh_config, "w") as f:
            f.write("Host theirs\n    HostName theirs.example.org\n")
        store = Tether.HostStore.new_for_paths(ssh_config, hosts)
        done = []
        store.load_default_async(None, lambda s, res: done.append(s.load_default_finish(res)))
        run_until(lambda: done)
        self.assertEqual(store.get_n_items(), 1)

        host = Tether.Host(alias="mine", hostname="mine.example.org", port=2200)
        host.props.group = "Home"
        host.props.keep_shells = True
        self.assertTrue(call(lambda cb: store.add_async(host, None, cb), store.add_finish))
        self.assertEqual(host.props.source, Tether.HostSource.TETHER)
        self.assertEqual(store.get_item(0), host)
        with open(hosts) as f:
            text = f.read()
        self.assertIn("Host mine\n", text)
        self.assertIn("#@tether group=Home\n", text)
        self.assertIn("#@tether keep-shells=yes\n", text)
        self.assertEqual(store.lookup("mine").props.port, 2200)
        self.assertTrue(store.lookup("mine").props.keep_shells)
        self.assertFalse(Tether.Host(alias="other").props.keep_shells)

        with self.assertRaises(GLib.Error) as cm:
            theirs = store.get_item(1)
            call(lambda cb: store.remove_async(theirs, None, cb), store.remove_finish)
        self.assertTrue(cm.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.READ_ONLY))
        self.assertTrue(call(lambda cb: store.remove_async(host, None, cb),
                                 store.remove_finish))
        self.assertEqual(store.get_n_items(), 1)


class ForwardSpecTest(unittest.TestCase):
    """Tether.ForwardSpec: the one forward parser, as the port forwarding code will call it."""

    def test_parse_local_forward(self):
        spec = Tether.ForwardSpec.parse(Tether.ForwardKind.LOCAL, "[::1]:8080:db.internal:5432")
        self.assertEqual(spec.get_kind(), Tether.ForwardKind.LOCAL)
        self.assertEqual(spec.get_bind_address(), "::1")
        self.assertEqual(spec.get_bind_port(), 8080)
        self.assertEqual(spec.get_host(), "db.internal")
        self.assertEqual(spec.get_host_port(), 5432)
        self.assertEqual(spec.to_string(), "[::1]:8080 db.internal:5432")

    def test_dynamic_forward_has_no_destination(self):
        spec = Tether.ForwardSpec.parse(Tether.ForwardKind.DYNAMIC, "1080")
        self.assertIsNone(spec.get_bind_address())
        self.assertIsNone(spec.get_host())
        self.assertEqual(spec.to_string(), "1080")

    def test_errors_carry_domain_and_code(self):
        cases = [
            (Tether.ForwardKind.LOCAL, "8080", Tether.ForwardSpecError.NO_DESTINATION),
            (Tether.ForwardKind.LOCAL, "8080 localhost:99999", Tether.ForwardSpecError.PORT),
            (Tether.ForwardKind.LOCAL, "8080 /run/app.sock", Tether.ForwardSpecError.UNIX_SOCKET),
            (Tether.ForwardKind.DYNAMIC, "1080 localhost:80", Tether.ForwardSpecError.SYNTAX),
        ]
        for kind, text, code in cases:
            with self.subTest(spec=text):
                with self.assertRaises(GLib.Error) as cm:
                    Tether.ForwardSpec.parse(kind, text)
                self.assertTrue(cm.exception.matches(Tether.forward_spec_error_quark(), code))
                self.assertIn(text, cm.exception.message)

    def test_kind_from_keyword(self):
        ok, kind = Tether.forward_kind_from_keyword("RemoteForward")
        self.assertTrue(ok)
        self.assertEqual(kind, Tether.ForwardKind.REMOTE)
        self.assertEqual(Tether.forward_kind_to_keyword(Tether.ForwardKind.LOCAL), "LocalForward")

if __name__ == "__main__":
    taptestrunner.main()
