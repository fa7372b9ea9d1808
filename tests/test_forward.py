# test_forward.py: port forwards from Python (gi.repository.Tether) against a real sshd: a
# local forward started from Python carries data both ways, its counters come through
# property notifications, and stopping it closes the listener.
import socket
import socketserver
import threading
import unittest

import gi

gi.require_version("Tether", "1")
from gi.repository import Tether  # noqa: E402

import taptestrunner  # noqa: E402
from tetherserver import TestServer  # noqa: E402
from tethertest import call, run_until  # noqa: E402

SIZE = 512 * 1024


class EchoHandler(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            data = self.request.recv(65536)
            if not data:
                break
            self.request.sendall(data)


class EchoServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def key_host(server):
    host = Tether.Host.new_for_destination(f"{server.user}@{server.host}:{server.port}")
    host.props.identity_files = [server.key]
    host.props.identities_only = True
    host.props.known_hosts_file = server.known_hosts
    return host


class ForwardTest(unittest.TestCase):
    kind = "openssh"

    def setUp(self):
        self.server = TestServer(self.kind)
        self.addCleanup(self.server.close)
        self.echo = EchoServer(("127.0.0.1", 0), EchoHandler)
        self.addCleanup(self.echo.server_close)
        self.addCleanup(self.echo.shutdown)
        threading.Thread(target=self.echo.serve_forever, daemon=True).start()

    def test_local_forward_moves_data(self):
        session = Tether.HostSession.new(key_host(self.server))
        self.addCleanup(session.close)
        forwards = session.get_forwards()
        self.assertEqual(forwards.get_n_items(), 0)
        self.assertEqual(forwards.get_item_type(), Tether.Forward.__gtype__)

        echo_port = self.echo.server_address[1]
        forward = Tether.Forward.new(Tether.ForwardKind.LOCAL, "127.0.0.1", 0,
                                     "127.0.0.1", echo_port)
        forwards.add(forward)
        self.assertEqual(forwards.get_n_items(), 1)
        self.assertEqual(forward.props.state, Tether.ForwardState.STOPPED)
        notified = []
        forward.connect("notify::bytes-in", lambda f, _p: notified.append(f.props.bytes_in))

        # Starting connects the session.
        forward.start()
        run_until(lambda: forward.props.state != Tether.ForwardState.STARTING)
        self.assertEqual(forward.props.state, Tether.ForwardState.ACTIVE)
        self.assertIsNone(forward.props.error)
        port = forward.props.bound_port
        self.assertNotEqual(port, 0)

        payload = bytes((i * 7 + (i >> 11)) & 0xFF for i in range(SIZE))
        received = bytearray()
        done = []

        def client():
            with socket.create_connection(("127.0.0.1", port)) as sock:
                sock.sendall(payload)
                sock.shutdown(socket.SHUT_WR)
                while True:
                    data = sock.recv(65536)
                    if not data:
                        break
                    received.extend(data)
            done.append(True)

        threading.Thread(target=client, daemon=True).start()
        run_until(lambda: done)
        self.assertEqual(bytes(received), payload)
        run_until(lambda: forward.props.bytes_in == SIZE and forward.props.bytes_out == SIZE
                  and forward.props.n_active == 0)
        self.assertEqual(forward.props.n_total, 1)
        run_until(lambda: notified and notified[-1] == SIZE)

        forward.stop()
        self.assertEqual(forward.props.state, Tether.ForwardState.STOPPED)

        def refused():
            try:
                socket.create_connection(("127.0.0.1", port)).close()
                return False
            except ConnectionRefusedError:
                return True

        run_until(refused)
        forwards.remove(forward)
        self.assertEqual(forwards.get_n_items(), 0)

    def test_port_in_use_from_spec(self):
        session = Tether.HostSession.new(key_host(self.server))
        self.addCleanup(session.close)
        call(lambda cb: session.connect_async(None, cb), session.connect_finish)
        taken = self.echo.server_address[1]
        spec = Tether.ForwardSpec.parse(Tether.ForwardKind.LOCAL,
                                        f"127.0.0.1:{taken} 127.0.0.1:9", )
        forward = session.get_forwards().add_spec(spec, False)
        forward.start()
        run_until(lambda: forward.props.state == Tether.ForwardState.FAILED)
        self.assertEqual(forward.props.error.message,
                         f"Port {taken} is already in use on this computer.")


if __name__ == "__main__":
    taptestrunner.main()
