# test_remote_ports.py: the listening ports of a server from Python (gi.repository.Tether),
# against the real test sshd on this machine: a port this test listens on is in the list
# after a refresh, and the auto-forward filter reads as documented.
import socket
import unittest

import gi

gi.require_version("Tether", "1")
from gi.repository import Gio, Tether  # noqa: E402

import taptestrunner  # noqa: E402
from tetherserver import TestServer  # noqa: E402
from tethertest import call, run_until  # noqa: E402


class RemotePortsTest(unittest.TestCase):
    def setUp(self):
        self.server = TestServer("openssh")
        self.addCleanup(self.server.close)

    def test_finds_listening_port(self):
        host = Tether.Host.new_for_destination(
            f"{self.server.user}@{self.server.host}:{self.server.port}")
        host.props.identity_files = [self.server.key]
        host.props.identities_only = True
        host.props.known_hosts_file = self.server.known_hosts
        session = Tether.HostSession.new(host)
        self.addCleanup(session.close)
        session.connect_async(None, None)
        run_until(lambda: session.props.state == Tether.HostSessionState.READY)

        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(listener.close)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        ports = Tether.RemotePorts.new(session)
        self.assertTrue(isinstance(ports, Gio.ListModel))
        self.assertEqual(ports.get_item_type(), Tether.RemotePort.__gtype__)
        self.assertTrue(call(lambda cb: ports.refresh_async(None, cb), ports.refresh_finish))
        self.assertIsNone(ports.props.error)
        self.assertFalse(ports.props.loading)

        numbers = [item.props.port for item in ports]
        self.assertEqual(numbers, sorted(numbers))
        self.assertIn(port, numbers)
        self.assertIn(self.server.port, numbers)
        item = ports.lookup(port)
        self.assertEqual(item.props.address, "127.0.0.1")
        self.assertTrue(item.props.is_loopback_only)

        # Closed: gone after the next refresh, found by the periodic one.
        listener.close()
        ports.props.refresh_interval = 1
        run_until(lambda: ports.lookup(port) is None)
        ports.props.refresh_interval = 0

        # Auto-forwarding acts only when the host asks for it.
        auto = Tether.AutoForward.new(session)
        self.assertFalse(auto.props.active)
        self.assertIsInstance(auto.props.remote_ports, Tether.RemotePorts)
        self.assertEqual(auto.props.remote_ports.props.refresh_interval, 0)
        host.props.auto_forward_ports = True
        self.assertTrue(auto.props.active)
        self.assertEqual(auto.props.remote_ports.props.refresh_interval, auto.props.interval)
        host.props.auto_forward_ports = False
        self.assertFalse(auto.props.active)

    def test_filter(self):
        allows = Tether.RemotePorts.filter_allows
        self.assertFalse(allows(None, 22))
        self.assertTrue(allows("", 8000))
        self.assertTrue(allows("3000-3999,8080,!22", 3500))
        self.assertFalse(allows("3000-3999,8080,!22", 5000))
        self.assertFalse(allows("3000-3999,!3306", 3306))
        self.assertFalse(allows("30x0", 3000))
        with self.assertRaises(Exception):
            Tether.RemotePorts.filter_check("30x0")

    def test_host_keys(self):
        host = Tether.Host(alias="py-auto")
        self.assertFalse(host.props.auto_forward_ports)
        self.assertIsNone(host.props.auto_forward_ports_filter)
        host.props.auto_forward_ports = True
        host.props.auto_forward_ports_filter = "3000-3999,!3306"
        copy = host.copy()
        self.assertTrue(copy.props.auto_forward_ports)
        self.assertEqual(copy.props.auto_forward_ports_filter, "3000-3999,!3306")


if __name__ == "__main__":
    taptestrunner.main()
