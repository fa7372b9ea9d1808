# test_connection.py: the connection service from Python (gi.repository.Tether), against real
# OpenSSH and Dropbear servers: every auth method, host keys, and a TetherInteraction subclass.
import gc
import os
import shutil
import subprocess
import tempfile
import unittest

import gi

gi.require_version("Tether", "1")
from gi.repository import Gio, GLib, Tether  # noqa: E402

import taptestrunner  # noqa: E402
from tetherserver import TestServer  # noqa: E402
from tethertest import TIMEOUT_S, call, run_until  # noqa: E402

class Prompts(Tether.Interaction):
    """A scripted user: answers from lists and records what was asked."""

    def __init__(self, host_key=Tether.HostKeyDecision.REJECT, passwords=(), passphrases=(),
                 kbd_answers=()):
        super().__init__()
        self.host_key = host_key
        self.passwords = list(passwords)
        self.passphrases = list(passphrases)
        self.kbd_answers = list(kbd_answers)
        self.asked = []
        self.host_key_infos = []

    def do_verify_host_key(self, info, cancellable):
        self.asked.append("host-key")
        self.host_key_infos.append(info)
        return self.host_key

    def do_ask_password(self, host, user, attempt, cancellable):
        self.asked.append(f"password:{user}:{attempt}")
        return self.passwords.pop(0) if self.passwords else None

    def do_ask_passphrase(self, key_file, attempt, cancellable):
        self.asked.append(f"passphrase:{os.path.basename(key_file)}:{attempt}")
        return self.passphrases.pop(0) if self.passphrases else None

    def do_ask_kbd_interactive(self, name, instruction, prompts, echo_mask, cancellable):
        self.asked.append("kbd:" + "|".join(prompts))
        return [self.kbd_answers.pop(0) if self.kbd_answers else "" for _ in prompts]


def make_host(server, identity=None, known_hosts=None):
    host = Tether.Host.new_for_destination(f"{server.user}@{server.host}:{server.port}")
    host.props.identity_files = [identity] if identity else ["/nonexistent/tether-no-key"]
    host.props.identities_only = True
    host.props.known_hosts_file = known_hosts or server.known_hosts
    return host


def connect(host, interaction=None):
    conn = Tether.Connection.new(host)
    if interaction is not None:
        conn.set_interaction(interaction)
    call(lambda cb: conn.connect_async(None, cb), conn.connect_finish)
    return conn


def run_command(conn, command):
    """Runs command on a new session channel; returns (stdout, exit status)."""
    channel = call(lambda cb: conn.open_session_async(None, cb), conn.open_session_finish)
    call(lambda cb: channel.request_exec_async(command, None, cb), channel.request_exec_finish)
    stream = channel.get_input_stream()
    out = b""
    while True:
        chunk = call(lambda cb: stream.read_bytes_async(65536, GLib.PRIORITY_DEFAULT, None, cb),
                     stream.read_bytes_finish)
        if chunk.get_size() == 0:
            break
        out += chunk.get_data()
    run_until(lambda: channel.props.exit_status >= 0)
    return out, channel.props.exit_status


class ConnectionTest(unittest.TestCase):
    kind = "openssh"
    extra_config = None

    def setUp(self):
        self.server = TestServer(self.kind, extra_config=self.extra_config)
        self.addCleanup(self.server.close)
        self.agent_env = None

    def assertLoggedIn(self, conn):
        self.assertEqual(conn.get_state(), Tether.ConnectionState.READY)
        out, status = run_command(conn, "echo tether-$((6*7)); whoami")
        self.assertEqual(out.decode().split(), ["tether-42", self.server.user])
        self.assertEqual(status, 0)
        closed = []
        conn.connect("closed", lambda _c, reason: closed.append(reason))
        conn.close()
        run_until(lambda: conn.get_state() == Tether.ConnectionState.CLOSED)
        run_until(lambda: closed)
        self.assertEqual(closed, [None])

    def test_plain_key(self):
        conn = connect(make_host(self.server, self.server.key))
        self.assertTrue(conn.props.server_banner.startswith("SSH-2.0-"))
        self.assertEqual(conn.props.host_key_fingerprint, self.server.host_key_fingerprint)
        self.assertLoggedIn(conn)

    def test_encrypted_key_asks_passphrase(self):
        prompts = Prompts(passphrases=["wrong", self.server.passphrase])
        conn = connect(make_host(self.server, self.server.encrypted_key), prompts)
        key = os.path.basename(self.server.encrypted_key)
        self.assertEqual(prompts.asked, [f"passphrase:{key}:0", f"passphrase:{key}:1"])
        self.assertLoggedIn(conn)

    def test_password_via_interaction(self):
        prompts = Prompts(passwords=[self.server.password])
        conn = connect(make_host(self.server), prompts)
        self.assertIn(f"password:{self.server.user}:0", prompts.asked)
        self.assertLoggedIn(conn)

    def test_wrong_password_is_auth_failed(self):
        prompts = Prompts(passwords=["wrong-1", "wrong-2", "wrong-3"])
        with self.assertRaises(GLib.Error) as cm:
            connect(make_host(self.server), prompts)
        self.assertTrue(cm.exception.matches(Tether.error_quark(), Tether.Error.AUTH_FAILED),
                        cm.exception.message)
        self.assertIn("password", cm.exception.message)
        self.assertIn("Permission denied", cm.exception.message)
        self.assertEqual(len([a for a in prompts.asked if a.startswith("password")]), 3)

    def test_cancelled_password_is_auth_cancelled(self):
        prompts = Prompts(passwords=[])
        with self.assertRaises(GLib.Error) as cm:
            connect(make_host(self.server), prompts)
        self.assertTrue(cm.exception.matches(Tether.error_quark(), Tether.Error.AUTH_CANCELLED),
                        cm.exception.message)

    def test_no_interaction_only_tries_keys(self):
        with self.assertRaises(GLib.Error) as cm:
            connect(make_host(self.server))
        self.assertTrue(cm.exception.matches(Tether.error_quark(), Tether.Error.AUTH_FAILED))
        # The message says what the server offered and what was tried.
        self.assertIn("publickey", cm.exception.message)

    def test_agent(self):
        agent = subprocess.run(["ssh-agent", "-s"], capture_output=True, text=True, check=True)
        env = {}
        for part in agent.stdout.replace("\n", ";").split(";"):
            if "=" in part:
                name, value = part.strip().split("=", 1)
                env[name] = value
        self.addCleanup(lambda: subprocess.run(["kill", env["SSH_AGENT_PID"]]))
        subprocess.run(["ssh-add", "-q", self.server.key], env={**os.environ, **env}, check=True)
        old = os.environ.get("SSH_AUTH_SOCK")
        os.environ["SSH_AUTH_SOCK"] = env["SSH_AUTH_SOCK"]
        GLib.setenv("SSH_AUTH_SOCK", env["SSH_AUTH_SOCK"], True)

        def restore():
            if old is None:
                GLib.unsetenv("SSH_AUTH_SOCK")
            else:
                GLib.setenv("SSH_AUTH_SOCK", old, True)
        self.addCleanup(restore)

        host = make_host(self.server)
        host.props.identities_only = False
        conn = connect(host)
        self.assertLoggedIn(conn)

    def test_unknown_host_key_accepted_and_saved_then_change_refused(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        known = os.path.join(tmp, "known_hosts")

        # Without an interaction an unknown key is refused.
        with self.assertRaises(GLib.Error) as cm:
            connect(make_host(self.server, self.server.key, known))
        self.assertTrue(cm.exception.matches(Tether.error_quark(),
                                             Tether.Error.HOST_KEY_UNKNOWN))
        self.assertFalse(os.path.exists(known))

        prompts = Prompts(host_key=Tether.HostKeyDecision.ACCEPT_AND_SAVE)
        conn = connect(make_host(self.server, self.server.key, known), prompts)
        info = prompts.host_key_infos[0]
        self.assertEqual(info.get_status(), Tether.HostKeyStatus.UNKNOWN)
        self.assertEqual(info.get_fingerprint(), self.server.host_key_fingerprint)
        self.assertEqual(len(info.get_randomart().splitlines()), 11)
        with open(known) as f:
            saved = f.read()
        self.assertIn(f"[{self.server.host}]:{self.server.port} ", saved)
        conn.close()

        # Known now: no question.
        prompts = Prompts(host_key=Tether.HostKeyDecision.REJECT)
        conn = connect(make_host(self.server, self.server.key, known), prompts)
        self.assertEqual(prompts.asked, [])
        conn.close()

        old_fingerprint = self.server.host_key_fingerprint
        self.server.replace_host_key()
        prompts = Prompts(host_key=Tether.HostKeyDecision.REJECT)
        with self.assertRaises(GLib.Error) as cm:
            connect(make_host(self.server, self.server.key, known), prompts)
        self.assertTrue(cm.exception.matches(Tether.error_quark(),
                                             Tether.Error.HOST_KEY_CHANGED))
        self.assertIn(old_fingerprint, cm.exception.message)
        self.assertIn(self.server.host_key_fingerprint, cm.exception.message)
        info = prompts.host_key_infos[0]
        self.assertEqual(info.get_status(), Tether.HostKeyStatus.CHANGED)
        self.assertEqual(info.get_old_fingerprint(), old_fingerprint)
        self.assertEqual(info.get_known_hosts_line(), 1)
        with open(known) as f:
            self.assertEqual(f.read(), saved, "a refused key must not touch known_hosts")

        # Explicitly replacing rewrites that line only.
        prompts = Prompts(host_key=Tether.HostKeyDecision.ACCEPT_AND_SAVE)
        conn = connect(make_host(self.server, self.server.key, known), prompts)
        self.assertLoggedIn(conn)
        conn = connect(make_host(self.server, self.server.key, known))
        conn.close()

    def test_descriptors_closed_once(self):
        # libssh closes its socket on errors: Tether must neither leak it nor close it twice
        # (a second close would hit whatever file reused the number).
        def fds():
            # Leave out the descriptor listdir itself had open (gone by readlink time).
            found = set()
            for name in os.listdir("/proc/self/fd"):
                try:
                    found.add((name, os.readlink(f"/proc/self/fd/{name}")))
                except OSError:
                    pass
            return found

        # A first connection creates what GLib keeps for good (its worker and default
        # contexts); count from after it.
        conn = connect(make_host(self.server, self.server.key))
        conn.close()
        run_until(lambda: conn.get_state() == Tether.ConnectionState.CLOSED)
        del conn
        gc.collect()
        before = fds()
        for kill in (False, True, False):
            conn = connect(make_host(self.server, self.server.key))
            closed = []
            conn.connect("closed", lambda _c, reason: closed.append(reason))
            if kill:
                self.server.stop()
            else:
                conn.close()
            run_until(lambda: closed)
            if kill:
                self.assertIsNotNone(closed[0])
                self.server.start()
            read_end, write_end = os.pipe()
            del conn
            gc.collect()
            for _ in range(50):
                GLib.MainContext.default().iteration(False)
            # The pipe opened after the connection ended must survive its cleanup.
            os.write(write_end, b"x")
            self.assertEqual(os.read(read_end, 1), b"x")
            os.close(read_end)
            os.close(write_end)
        # Worker threads end on their own after the connection: wait for them, then count.
        try:
            run_until(lambda: len(fds() - before) <= 1)
        except AssertionError:
            pass
        leaked = fds() - before
        self.assertLessEqual(len(leaked), 1, f"descriptors left open: {leaked}")

    def test_cancel_connect(self):
        from gi.repository import Gio
        conn = Tether.Connection.new(make_host(self.server, self.server.key))
        cancellable = Gio.Cancellable()
        results = []
        conn.connect_async(cancellable, lambda _o, res: results.append(res))
        cancellable.cancel()
        run_until(lambda: results)
        with self.assertRaises(GLib.Error) as cm:
            conn.connect_finish(results[0])
        self.assertTrue(cm.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED))
        self.assertEqual(conn.get_state(), Tether.ConnectionState.CLOSED)

        # A cancellable that outlives its connection may be cancelled later, harmlessly.
        cancellable = Gio.Cancellable()
        conn = Tether.Connection.new(make_host(self.server, self.server.key))
        call(lambda cb: conn.connect_async(cancellable, cb), conn.connect_finish)
        conn.close()
        run_until(lambda: conn.get_state() == Tether.ConnectionState.CLOSED)
        del conn
        gc.collect()
        cancellable.cancel()
        self.assertLoggedIn(connect(make_host(self.server, self.server.key)))

    def test_unreachable_port(self):
        host = make_host(self.server, self.server.key)
        self.server.stop()
        with self.assertRaises(GLib.Error) as cm:
            connect(host)
        self.assertTrue(cm.exception.matches(Gio.io_error_quark(),
                                             Gio.IOErrorEnum.CONNECTION_REFUSED),
                        cm.exception.message)
        self.assertIn(str(self.server.port), cm.exception.message)
        self.assertTrue(cm.exception.message.endswith("."), cm.exception.message)

    def test_unresolvable_name(self):
        host = Tether.Host.new_for_destination("nobody@tether-nonexistent.invalid")
        host.props.known_hosts_file = self.server.known_hosts
        with self.assertRaises(GLib.Error) as cm:
            connect(host)
        self.assertIn("tether-nonexistent.invalid", cm.exception.message)

    def test_exec_stderr_and_exit_status(self):
        conn = connect(make_host(self.server, self.server.key))
        channel = call(lambda cb: conn.open_session_async(None, cb), conn.open_session_finish)
        statuses = []
        channel.connect("exit-status", lambda _c, status: statuses.append(status))
        call(lambda cb: channel.request_exec_async("echo oops >&2; exit 5", None, cb),
             channel.request_exec_finish)
        err = channel.get_stderr_stream()
        data = call(lambda cb: err.read_bytes_async(100, 0, None, cb), err.read_bytes_finish)
        self.assertEqual(data.get_data(), b"oops\n")
        run_until(lambda: statuses)
        self.assertEqual(statuses, [5])
        conn.close()


    def test_remote_forward_dispatches_incoming_channels(self):
        import socket
        conn = connect(make_host(self.server, self.server.key))
        port = call(lambda cb: conn.request_remote_forward_async("127.0.0.1", 0, None, cb),
                    conn.request_remote_forward_finish)
        self.assertGreater(port, 0)

        # Nobody handles forwarded-tcpip yet: the server's open is refused, the client sees
        # its connection closed without data.
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S) as sock:
            sock.setblocking(False)
            got = []

            def readable(*_):
                try:
                    got.append(sock.recv(100))
                except BlockingIOError:
                    return True
                return False
            GLib.io_add_watch(sock.fileno(), GLib.IO_IN | GLib.IO_HUP, readable)
            run_until(lambda: got)
            self.assertEqual(got, [b""])

        channels = []

        def on_incoming(_conn, channel, channel_type):
            channels.append((channel, channel_type))
            return True
        conn.connect("incoming-channel::forwarded-tcpip", on_incoming)
        with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S) as sock:
            sock.sendall(b"ping")
            run_until(lambda: channels)
            channel, channel_type = channels[0]
            self.assertEqual(channel_type, "forwarded-tcpip")
            stream = channel.get_input_stream()
            data = call(lambda cb: stream.read_bytes_async(4, 0, None, cb),
                        stream.read_bytes_finish)
            self.assertEqual(data.get_data(), b"ping")
            out = channel.get_output_stream()
            call(lambda cb: out.write_bytes_async(GLib.Bytes.new(b"pong"), 0, None, cb),
                 out.write_bytes_finish)
            sock.settimeout(TIMEOUT_S)
            self.assertEqual(sock.recv(4), b"pong")
        try:
            cancelled = call(lambda cb: conn.cancel_remote_forward_async("127.0.0.1", port,
                                                                         None, cb),
                             conn.cancel_remote_forward_finish)
            self.assertTrue(cancelled)
        except GLib.Error as e:
            # Dropbear 2022.83 files a port-0 forward under port 0 and cannot cancel it by the
            # port it bound: a clear refusal is what Tether can give.
            self.assertEqual(self.kind, "dropbear", e.message)
            self.assertTrue(e.matches(Tether.error_quark(), Tether.Error.REQUEST_DENIED))
            self.assertIn(str(port), e.message)
        conn.close()


class DropbearConnectionTest(ConnectionTest):
    kind = "dropbear"

    # Dropbear has no certificates or keyboard-interactive; the rest must work the same.


class ProxyJumpTest(unittest.TestCase):
    def test_jump_threads_end_with_the_connection(self):
        jump = TestServer("openssh")
        self.addCleanup(jump.close)
        target = TestServer("dropbear")
        self.addCleanup(target.close)
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        known = os.path.join(tmp, "known_hosts")
        with open(known, "w") as f:
            for server in (jump, target):
                with open(server.known_hosts) as k:
                    f.write(k.read())

        def threads():
            return len(os.listdir("/proc/self/task"))

        before = threads()
        host = make_host(target, target.key, known)
        # A bare jump host inherits the target's identities: offer both keys.
        host.props.identity_files = [target.key, jump.key]
        host.props.proxy_jump = f"{jump.user}@{jump.host}:{jump.port}"
        conn = connect(host)
        out, status = run_command(conn, "echo via-jump")
        self.assertEqual((out, status), (b"via-jump\n", 0))
        self.assertEqual(jump.count_logins(), 1)
        # Inner worker, jump splice and the jump connection's worker are running now.
        self.assertGreaterEqual(threads(), before + 3)
        conn.close()
        run_until(lambda: conn.get_state() == Tether.ConnectionState.CLOSED)
        del conn
        gc.collect()
        run_until(lambda: threads() <= before + 1)


class ConcurrentHostKeysTest(unittest.TestCase):
    def test_two_connections_asking_at_once(self):
        # Each connection must save its own server's key, even when both questions are open
        # at the same time (the second asked while the first is still unanswered).
        servers = [TestServer("openssh"), TestServer("dropbear")]
        for server in servers:
            self.addCleanup(server.close)
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)

        class BothAtOnce(Tether.Interaction):
            def __init__(self):
                super().__init__()
                self.ports = []

            def do_verify_host_key(self, info, cancellable):
                self.ports.append(info.get_port())
                if len(self.ports) == 1:
                    run_until(lambda: len(self.ports) == 2)
                return Tether.HostKeyDecision.ACCEPT_AND_SAVE

        interaction = BothAtOnce()
        results = []
        conns = []
        for i, server in enumerate(servers):
            host = make_host(server, server.key, os.path.join(tmp, f"known_hosts_{i}"))
            conn = Tether.Connection.new(host)
            conn.set_interaction(interaction)
            conn.connect_async(None, lambda c, res: results.append((c, res)))
            conns.append(conn)
        run_until(lambda: len(results) == 2)
        for conn, res in results:
            self.assertTrue(conn.connect_finish(res))
        self.assertEqual(sorted(interaction.ports), sorted(s.port for s in servers))
        for i, server in enumerate(servers):
            with open(os.path.join(tmp, f"known_hosts_{i}")) as f:
                saved = f.read()
            self.assertIn(f"[{server.host}]:{server.port} ", saved)
            self.assertEqual(len(saved.splitlines()), 1)
        for conn in conns:
            conn.close()


class CertificateTest(unittest.TestCase):
    def test_certificate(self):
        server = TestServer("openssh")
        self.addCleanup(server.close)
        conn = connect(make_host(server, server.cert_key))
        out, status = run_command(conn, "echo cert-ok")
        self.assertEqual((out, status), (b"cert-ok\n", 0))
        conn.close()


class KeyboardInteractiveTest(unittest.TestCase):
    def test_keyboard_interactive(self):
        server = TestServer("openssh", extra_config="UsePAM yes\n"
                            "KbdInteractiveAuthentication yes\nPasswordAuthentication no\n")
        self.addCleanup(server.close)
        prompts = Prompts(kbd_answers=[server.password])
        conn = connect(make_host(server), prompts)
        self.assertTrue(any(a.startswith("kbd:") for a in prompts.asked), prompts.asked)
        out, status = run_command(conn, "echo kbd-ok")
        self.assertEqual((out, status), (b"kbd-ok\n", 0))
        conn.close()


if __name__ == "__main__":
    taptestrunner.main()
