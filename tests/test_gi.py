# test_gi.py: libtether works from Python through GObject introspection.
import gi

gi.require_version("Tether", "1")
from gi.repository import GLib, Tether  # noqa: E402

import unittest  # noqa: E402

import taptestrunner  # noqa: E402


class GITest(unittest.TestCase):
    def test_version(self):
        self.assertRegex(Tether.get_version(), r"^\d+\.\d+\.\d+$")

    def test_destination(self):
        host = Tether.Host.new_for_destination("alice@[2001:db8::1]:2222")
        self.assertEqual(host.props.hostname, "2001:db8::1")
        self.assertEqual(host.props.port, 2222)
        self.assertEqual(host.props.user, "alice")
        self.assertEqual(host.dup_destination(), "alice@[2001:db8::1]:2222")

    def test_ssh_uri(self):
        host = Tether.Host.new_for_destination("ssh://bob@example.org:23/")
        self.assertEqual(host.get_hostname(), "example.org")
        self.assertEqual(host.get_port(), 23)
        self.assertEqual(host.get_user(), "bob")

    def test_bad_destination_raises_config_error(self):
        with self.assertRaises(GLib.Error) as cm:
            Tether.Host.new_for_destination("alice@host:99999")
        self.assertTrue(cm.exception.matches(Tether.error_quark(), Tether.Error.CONFIG))
        self.assertIn("port", cm.exception.message)

    def test_properties_use_openssh_words(self):
        host = Tether.Host(alias="web")
        host.props.identity_files = ["~/.ssh/id_ed25519"]
        host.props.proxy_jump = "bastion"
        host.props.server_alive_interval = 30
        self.assertEqual(list(host.props.identity_files), ["~/.ssh/id_ed25519"])
        self.assertEqual(host.get_proxy_jump(), "bastion")
        self.assertEqual(host.props.display_name, "web")
        self.assertEqual(host.get_port(), 22)


if __name__ == "__main__":
    taptestrunner.main()
