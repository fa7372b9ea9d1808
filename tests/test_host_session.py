# test_host_session.py: host sessions and their shells from Python (gi.repository.Tether),
# against real OpenSSH and Dropbear: one password prompt per host, not one per shell, at the
# first login and after the server restarts; shells come back as the same objects.
import unittest

import gi

gi.require_version("Tether", "1")
from gi.repository import GLib, Tether  # noqa: E402

import taptestrunner  # noqa: E402
from tetherserver import TestServer  # noqa: E402
from tethertest import run_until  # noqa: E402

N_SHELLS = 3


class Passwords(Tether.Interaction):
    """A user who types the password every time and is counted."""

    def __init__(self, password):
        super().__init__()
        self.password = password
        self.asked = 0

    def do_ask_password(self, host, user, attempt, cancellable):
        self.asked += 1
        return self.password


def saved_host(server, host_id):
    host = Tether.Host.new(host_id)
    host.set_id(host_id)
    host.set_source(Tether.HostSource.TETHER)
    host.props.hostname = server.host
    host.props.port = server.port
    host.props.user = server.user
    host.props.identity_files = []
    host.props.identities_only = True
    host.props.known_hosts_file = server.known_hosts
    return host


class Recorder:
    """Collects what a shell prints and how often it came back."""

    def __init__(self, shell):
        self.shell = shell
        self.output = b""
        self.reconnected = 0
        shell.connect("data", self.on_data)
        shell.connect("reconnected", self.on_reconnected)

    def on_data(self, _shell, data):
        self.output += data.get_data()

    def on_reconnected(self, _shell):
        self.reconnected += 1

    def echo(self, tag, n):
        self.shell.write(GLib.Bytes.new(f"echo {tag}-$(({n}+0))\n".encode()))
        marker = f"{tag}-{n}\r\n".encode()
        run_until(lambda: marker in self.output)


class HostSessionTest(unittest.TestCase):
    kind = "openssh"

    def setUp(self):
        self.server = TestServer(self.kind)
        self.addCleanup(self.server.close)

    def test_one_prompt_per_host(self):
        prompts = Passwords(self.server.password)
        manager = Tether.SessionManager.new()
        manager.set_interaction(prompts)
        host = saved_host(self.server, "python-host")
        session = manager.lookup_or_create(host)
        self.assertEqual(manager.get_n_items(), 1)
        self.assertEqual(session.props.state, Tether.HostSessionState.IDLE)

        results = []
        for _ in range(N_SHELLS):
            session.open_shell_async("xterm-256color", 80, 24, ["LANG=C.UTF-8"], None,
                                     lambda s, res: results.append(s.open_shell_finish(res)))
        run_until(lambda: len(results) == N_SHELLS)
        recorders = [Recorder(shell) for shell in results]
        self.assertEqual(prompts.asked, 1)
        self.assertEqual(session.props.connection.props.n_channels, N_SHELLS)
        for i, rec in enumerate(recorders):
            self.assertEqual(rec.shell.props.state, Tether.ShellState.RUNNING)
            rec.echo("py-before", i)

        states = []
        session.connect("notify::state", lambda s, _p: states.append(s.props.state))
        self.server.stop()
        run_until(lambda: session.props.state == Tether.HostSessionState.RECONNECTING)
        run_until(lambda: all(r.shell.props.state == Tether.ShellState.RECONNECTING
                              for r in recorders))
        self.assertGreaterEqual(session.props.reconnect_attempt, 1)
        self.assertIsNotNone(session.props.error)
        self.server.start()
        session.reconnect()
        run_until(lambda: all(r.reconnected == 1 for r in recorders))
        self.assertEqual(session.props.state, Tether.HostSessionState.READY)
        self.assertIn(Tether.HostSessionState.RECONNECTING, states)
        # One more prompt for the whole host, not one per shell.
        self.assertEqual(prompts.asked, 2)
        self.assertEqual(self.server.count_logins(), 2)
        for i, rec in enumerate(recorders):
            self.assertIs(rec.shell.props.session, session)
            rec.echo("py-after", i)

        # A shell that exits says so, with its status, and leaves the session.
        first = recorders[0]
        first.shell.write(GLib.Bytes.new(b"exit 7\n"))
        run_until(lambda: first.shell.props.state == Tether.ShellState.EXITED)
        self.assertEqual(first.shell.props.exit_status, 7)
        self.assertEqual(session.props.n_riders, N_SHELLS - 1)
        for rec in recorders[1:]:
            rec.shell.close()
        self.assertEqual(manager.get_n_items(), 0)
        self.assertEqual(session.props.state, Tether.HostSessionState.IDLE)


class DropbearHostSessionTest(HostSessionTest):
    kind = "dropbear"


if __name__ == "__main__":
    taptestrunner.main()
