# test_connection_api.py: what a Python user of the connection service found missing or
# unhelpful (issue 12): errors a user can act on (a server that does not speak SSH, a
# black-holed server, key files that do not exist), the reason code of a refused channel
# open, global and channel requests, incoming forwarded-tcpip channels, declined prompts and
# PreferredAuthentications. Real sshd servers, plus small Python socket servers on 127.0.0.1
# for the misbehaving ones.
import asyncio
import os
import shutil
import socket
import struct
import tempfile
import threading
import unittest
import warnings

# Our own HOME before GLib reads it: the login must never see the real user's ~/.ssh.
_HOME = tempfile.mkdtemp(prefix="tether-test-home-")
os.environ["HOME"] = _HOME
os.makedirs(os.path.join(_HOME, ".ssh"), mode=0o700)

import gi  # noqa: E402

gi.require_version("Tether", "1")
from gi.repository import Gio, GLib, Tether  # noqa: E402

import taptestrunner  # noqa: E402
import test_connection as tc  # noqa: E402 (a module, so its test cases do not run here)
from tetherserver import TestServer  # noqa: E402
from tethertest import TIMEOUT_S, call, run_until  # noqa: E402

make_host = tc.make_host
connect = tc.connect
Prompts = tc.Prompts

# Tether's login timeout without ConnectTimeout (TETHER_DEFAULT_LOGIN_TIMEOUT).
DEFAULT_LOGIN_TIMEOUT_S = 30
# OpenSSH's limit on lines before the banner; the garbage server sends more.
MAX_PRE_BANNER_LINES = 1024
# Comfortably under libssh's 255-byte banner line: what a chatty server prints first.
GREETING_LINES = 10
LISTEN_BACKLOG = 8
RECV_CHUNK = 65536
# How often a wait on a log file looks again (a file change wakes no main loop).
LOG_POLL_MS = 50
# Generous: an AsyncSSH server winds down its connections in well under a second.
SHUTDOWN_TIMEOUT_S = 30


class FakeServer:
    """A TCP server on 127.0.0.1 that runs script(sock) for each client on a thread.
    The client socket stays open until the script returns and close() is called."""

    def __init__(self, script):
        self.script = script
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(LISTEN_BACKLOG)
        self.port = self.listener.getsockname()[1]
        self.clients = []
        self.closing = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.closing.is_set():
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            self.clients.append(sock)
            threading.Thread(target=self._run, args=(sock,), daemon=True).start()

    def _run(self, sock):
        try:
            self.script(sock)
        except OSError:
            pass

    def close(self):
        # shutdown() wakes the threads blocked in accept() and recv(); close() would not.
        self.closing.set()
        for sock in [self.listener] + self.clients:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.thread.join()
        for sock in [self.listener] + self.clients:
            sock.close()


def drain(sock):
    """Reads and drops whatever the client sends until it hangs up."""
    while sock.recv(RECV_CHUNK):
        pass


def proxy(sock, port):
    """Splices sock to 127.0.0.1:port both ways until either side ends."""
    upstream = socket.create_connection(("127.0.0.1", port))

    def pump(src, dst):
        try:
            while True:
                data = src.recv(RECV_CHUNK)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
    back = threading.Thread(target=pump, args=(upstream, sock), daemon=True)
    back.start()
    pump(sock, upstream)
    back.join()
    upstream.close()


def fake_host(port, known_hosts, connect_timeout=0):
    host = Tether.Host.new_for_destination(f"nobody@127.0.0.1:{port}")
    host.props.identity_files = ["/nonexistent/tether-no-key"]
    host.props.identities_only = True
    host.props.known_hosts_file = known_hosts
    host.props.connect_timeout = connect_timeout
    return host


def connect_error(host, interaction=None):
    """Connects, expecting a failure; returns the GLib.Error."""
    conn = Tether.Connection.new(host)
    if interaction is not None:
        conn.set_interaction(interaction)
    results = []
    conn.connect_async(None, lambda _o, res: results.append(res))
    # Past the login timeout: a hang is a failure of the test, not of the wait.
    run_until(lambda: results, timeout=DEFAULT_LOGIN_TIMEOUT_S * 3)
    try:
        conn.connect_finish(results[0])
    except GLib.Error as e:
        return e
    raise AssertionError("the connection succeeded")


class NotSshTest(unittest.TestCase):
    """Servers that do not speak SSH, or stop answering, get a sentence a user can act on."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)
        self.known_hosts = os.path.join(self.tmp, "known_hosts")

    def serve(self, script):
        server = FakeServer(script)
        self.addCleanup(server.close)
        return server

    def assertNotSsh(self, error, port):
        self.assertTrue(error.matches(Tether.error_quark(), Tether.Error.PROTOCOL),
                        f"{error.domain} {error.code}: {error.message}")
        self.assertEqual(error.message, f"The server at 127.0.0.1:{port} does not speak SSH.")

    def test_binary_garbage(self):
        def garbage(sock):
            sock.sendall(bytes(range(256)) * 16)
            drain(sock)
        server = self.serve(garbage)
        self.assertNotSsh(connect_error(fake_host(server.port, self.known_hosts)), server.port)

    def test_http_server(self):
        # An HTTP server waits for a request: the client's banner is one (a bad one).
        def http(sock):
            request = b""
            while b"\n" not in request:
                data = sock.recv(RECV_CHUNK)
                if not data:
                    return
                request += data
            sock.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                         b"Connection: close\r\n\r\n")
            sock.shutdown(socket.SHUT_WR)
        server = self.serve(http)
        error = connect_error(fake_host(server.port, self.known_hosts))
        self.assertNotSsh(error, server.port)

    def test_banner_then_garbage(self):
        def garbage(sock):
            sock.sendall(b"SSH-2.0-Fake\r\n" + b"\xff" * 4096)
            drain(sock)
        server = self.serve(garbage)
        self.assertNotSsh(connect_error(fake_host(server.port, self.known_hosts)), server.port)

    def test_too_many_lines_before_banner(self):
        # A text protocol that never stops talking: give up as OpenSSH does.
        def chatty(sock):
            sock.sendall(b"".join(b"hello %d\r\n" % i
                                  for i in range(MAX_PRE_BANNER_LINES * 2)))
            drain(sock)
        server = self.serve(chatty)
        self.assertNotSsh(connect_error(fake_host(server.port, self.known_hosts)), server.port)

    def test_lines_before_banner_are_allowed(self):
        # RFC 4253 4.2: a server may send lines before its banner. Greet, then be sshd.
        sshd = TestServer("openssh")
        self.addCleanup(sshd.close)

        def greet_then_proxy(sock):
            sock.sendall(b"".join(b"Welcome, line %d\r\n" % i for i in range(GREETING_LINES)))
            proxy(sock, sshd.port)
        server = self.serve(greet_then_proxy)
        host = make_host(sshd, sshd.key)
        host.props.port = server.port
        known = os.path.join(self.tmp, "known_hosts_proxy")
        with open(sshd.known_hosts) as f:
            line = f.read().replace(f"]:{sshd.port} ", f"]:{server.port} ")
        with open(known, "w") as f:
            f.write(line)
        host.props.known_hosts_file = known
        conn = connect(host)
        out, status = tc.run_command(conn, "echo greeted")
        self.assertEqual((out, status), (b"greeted\n", 0))
        conn.close()

    def test_black_hole_after_banner_times_out_by_default(self):
        def banner_then_silence(sock):
            sock.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n")
            drain(sock)
        server = self.serve(banner_then_silence)
        error = connect_error(fake_host(server.port, self.known_hosts))
        self.assertTrue(error.matches(Tether.error_quark(), Tether.Error.TIMED_OUT),
                        error.message)
        self.assertEqual(error.message,
                         f"The server at 127.0.0.1:{server.port} sent its banner but did not "
                         f"answer the key exchange within {DEFAULT_LOGIN_TIMEOUT_S} seconds.")

    def test_silent_server_times_out_after_connect_timeout(self):
        server = self.serve(drain)
        error = connect_error(fake_host(server.port, self.known_hosts, connect_timeout=2))
        self.assertTrue(error.matches(Tether.error_quark(), Tether.Error.TIMED_OUT),
                        error.message)
        self.assertEqual(error.message,
                         f"The server at 127.0.0.1:{server.port} accepted the connection but "
                         "sent no SSH banner within 2 seconds.")


class StalledLogin:
    """An AsyncSSH server on 127.0.0.1 that completes the key exchange and then never
    answers the login: its begin_auth waits for ever."""

    def __init__(self):
        with warnings.catch_warnings():
            # The distribution's asyncssh imports ciphers cryptography deprecates.
            warnings.simplefilter("ignore")
            import asyncssh
        self.loop = asyncio.new_event_loop()
        self.never = self.loop.create_future()
        never = self.never

        class Server(asyncssh.SSHServer):
            async def begin_auth(self, username):
                await never
                return True

        key = asyncssh.generate_private_key("ssh-ed25519")
        self.server = self.loop.run_until_complete(
            asyncssh.create_server(Server, "127.0.0.1", 0, server_host_keys=[key]))
        self.port = self.server.sockets[0].getsockname()[1]
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def close(self):
        async def shut_down():
            self.never.cancel()
            self.server.close()
            await self.server.wait_closed()
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)
        asyncio.run_coroutine_threadsafe(shut_down(), self.loop).result(SHUTDOWN_TIMEOUT_S)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()


class LoginTimeoutTest(unittest.TestCase):
    def test_stalled_login_times_out(self):
        server = StalledLogin()
        self.addCleanup(server.close)
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        host = fake_host(server.port, os.path.join(tmp, "known_hosts"), connect_timeout=2)
        # The time the user takes over the host key does not count; the login's does.
        prompts = Prompts(host_key=Tether.HostKeyDecision.ACCEPT_ONCE)
        error = connect_error(host, prompts)
        self.assertTrue(error.matches(Tether.error_quark(), Tether.Error.TIMED_OUT),
                        error.message)
        self.assertEqual(error.message,
                         f"The server at 127.0.0.1:{server.port} did not answer the login "
                         "within 2 seconds.")
        self.assertEqual(len(prompts.host_key_infos), 1)


class KeyFilesTest(unittest.TestCase):
    def test_missing_default_keys_are_not_listed(self):
        server = TestServer("openssh")
        self.addCleanup(server.close)
        ssh_dir = os.path.join(_HOME, ".ssh")
        # What `ssh -G` (and so a TetherHost from the store) lists when nothing is configured.
        defaults = [os.path.join(ssh_dir, name) for name in
                    ("id_rsa", "id_ecdsa", "id_ecdsa_sk", "id_ed25519", "id_ed25519_sk",
                     "id_xmss", "id_dsa")]
        broken = os.path.join(self.make_tmp(), "id_broken")
        with open(broken, "w") as f:
            f.write("not a key\n")
        host = make_host(server)
        host.props.identity_files = defaults + [broken]
        error = connect_error(host)
        self.assertTrue(error.matches(Tether.error_quark(), Tether.Error.AUTH_FAILED),
                        error.message)
        self.assertNotIn(ssh_dir, error.message)
        # A key that is there but unusable is worth saying.
        self.assertIn(f"key {broken} (could not be read)", error.message)

    def make_tmp(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        return tmp


class OpenReasonTest(unittest.TestCase):
    def test_refused_open_keeps_reason_code(self):
        server = TestServer("openssh", extra_config="PermitOpen 127.0.0.1:1\n")
        self.addCleanup(server.close)
        conn = connect(make_host(server, server.key))
        free = socket.socket()
        free.bind(("127.0.0.1", 0))
        closed_port = free.getsockname()[1]
        free.close()

        # PermitOpen allows only port 1, which nobody listens on: connect failed (2).
        with self.assertRaises(GLib.Error) as cm:
            call(lambda cb: conn.open_direct_tcpip_async("127.0.0.1", 1, None, 0, None, cb),
                 conn.open_direct_tcpip_finish)
        self.assertTrue(cm.exception.matches(Tether.error_quark(),
                                             Tether.Error.CHANNEL_OPEN_FAILED),
                        cm.exception.message)
        self.assertEqual(Tether.error_get_open_reason(cm.exception), 2, cm.exception.message)

        # Anything else is administratively prohibited (1).
        with self.assertRaises(GLib.Error) as cm:
            call(lambda cb: conn.open_direct_tcpip_async("127.0.0.1", closed_port, None, 0,
                                                         None, cb),
                 conn.open_direct_tcpip_finish)
        self.assertEqual(Tether.error_get_open_reason(cm.exception), 1, cm.exception.message)

        # Not an open failure: no reason.
        other = GLib.Error.new_literal(Tether.error_quark(), "x", Tether.Error.DISCONNECTED)
        self.assertEqual(Tether.error_get_open_reason(other), 0)
        conn.close()


def read_until_closed(sock):
    """Everything the peer sends until it closes, read while the main loop runs."""
    sock.setblocking(False)
    got = []
    done = []

    def readable(*_):
        try:
            data = sock.recv(RECV_CHUNK)
        except BlockingIOError:
            return True
        except OSError:
            data = b""
        if data:
            got.append(data)
            return True
        done.append(True)
        return False
    GLib.io_add_watch(sock.fileno(), GLib.PRIORITY_DEFAULT,
                      GLib.IO_IN | GLib.IO_HUP | GLib.IO_ERR, readable)
    run_until(lambda: done)
    return b"".join(got)


def wait_for_log(server, text):
    """Waits until the server's log has text; a file sends no event, so look again on a tick."""
    def has_text():
        with open(server.log, errors="replace") as f:
            return text in f.read()
    tick = GLib.timeout_add(LOG_POLL_MS, lambda: True)
    try:
        run_until(has_text)
    finally:
        GLib.source_remove(tick)


class IncomingChannelTest(unittest.TestCase):
    def test_two_remote_forwards_told_apart_and_refusal_answered(self):
        server = TestServer("openssh")
        self.addCleanup(server.close)
        conn = connect(make_host(server, server.key))
        ports = [call(lambda cb: conn.request_remote_forward_async("127.0.0.1", 0, None, cb),
                      conn.request_remote_forward_finish) for _ in range(2)]
        self.assertNotEqual(ports[0], ports[1])

        refuse_port = []
        channels = []

        def on_incoming(_conn, channel, channel_type):
            if channel.props.connected_port in refuse_port:
                return False
            channels.append(channel)
            return True
        conn.connect("incoming-channel::forwarded-tcpip", on_incoming)

        for port in ports:
            with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S) as sock:
                run_until(lambda: channels and channels[-1].props.connected_port == port)
                channel = channels[-1]
                self.assertEqual(channel.props.channel_type, "forwarded-tcpip")
                self.assertEqual(channel.props.connected_address, "127.0.0.1")
                self.assertEqual(channel.props.originator_address, "127.0.0.1")
                self.assertEqual(channel.props.originator_port, sock.getsockname()[1])
                out = channel.get_output_stream()
                call(lambda cb: out.write_bytes_async(GLib.Bytes.new(b"port %d" % port), 0,
                                                      None, cb),
                     out.write_bytes_finish)
                sock.settimeout(TIMEOUT_S)
                self.assertEqual(sock.recv(RECV_CHUNK), b"port %d" % port)
                channel.close(None)

        # A handler that declines: the server gets OPEN_FAILURE (it says so in its log), and
        # its client's connection closes without data.
        refuse_port.append(ports[1])
        with socket.create_connection(("127.0.0.1", ports[1]), timeout=TIMEOUT_S) as sock:
            self.assertEqual(read_until_closed(sock), b"")
        wait_for_log(server, "open failed: administratively prohibited")
        conn.close()


def ssh_string(value):
    data = value.encode() if isinstance(value, str) else value
    return struct.pack(">I", len(data)) + data


def ssh_uint32(value):
    return struct.pack(">I", value)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_accepts(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_S).close()
        return True
    except ConnectionRefusedError:
        return False


class RequestsTest(unittest.TestCase):
    """What send_global_request_async and send_request_async can do with libssh 0.10."""

    @classmethod
    def setUpClass(cls):
        cls.server = TestServer("openssh")
        cls.conn = connect(make_host(cls.server, cls.server.key))

    @classmethod
    def tearDownClass(cls):
        cls.conn.close()
        cls.server.close()

    def global_request(self, name, payload, want_reply):
        conn = self.conn
        data = GLib.Bytes.new(payload) if payload is not None else None
        return call(lambda cb: conn.send_global_request_async(name, data, want_reply, None, cb),
                    conn.send_global_request_finish)

    def assertError(self, domain, code, func, *args):
        with self.assertRaises(GLib.Error) as cm:
            func(*args)
        self.assertTrue(cm.exception.matches(domain, code),
                        f"{cm.exception.domain} {cm.exception.code}: {cm.exception.message}")
        return cm.exception

    def test_tcpip_forward_as_a_global_request(self):
        port = free_port()
        payload = ssh_string("127.0.0.1") + ssh_uint32(port)
        self.assertTrue(self.global_request("tcpip-forward", payload, True))
        self.assertTrue(port_accepts(port))
        self.assertTrue(self.global_request("cancel-tcpip-forward", payload, True))
        self.assertFalse(port_accepts(port))
        # The test user may not bind a privileged port: the server's refusal comes back.
        self.assertError(Tether.error_quark(), Tether.Error.REQUEST_DENIED, self.global_request,
                         "tcpip-forward", ssh_string("127.0.0.1") + ssh_uint32(1), True)
        self.assertError(Gio.io_error_quark(), Gio.IOErrorEnum.INVALID_ARGUMENT,
                         self.global_request, "tcpip-forward", b"\0\0", True)

    def test_keepalive_with_and_without_reply(self):
        # OpenSSH answers keepalive@openssh.com with a failure: the answer came, so it's alive.
        self.assertError(Tether.error_quark(), Tether.Error.REQUEST_DENIED, self.global_request,
                         "keepalive@openssh.com", None, True)
        self.assertTrue(self.global_request("keepalive@openssh.com", None, False))
        # The keepalive's answer must not be taken for the forward's.
        port = call(lambda cb: self.conn.request_remote_forward_async("127.0.0.1", 0, None, cb),
                    self.conn.request_remote_forward_finish)
        self.assertGreater(port, 0)
        self.assertTrue(port_accepts(port))

    def test_unsupported_global_request(self):
        error = self.assertError(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_SUPPORTED,
                                 self.global_request, "no-more-sessions@openssh.com", None,
                                 False)
        self.assertIn("no-more-sessions@openssh.com", error.message)

    def session(self):
        conn = self.conn
        return call(lambda cb: conn.open_session_async(None, cb), conn.open_session_finish)

    def request(self, channel, name, payload, want_reply):
        data = GLib.Bytes.new(payload) if payload is not None else None
        return call(lambda cb: channel.send_request_async(name, data, want_reply, None, cb),
                    channel.send_request_finish)

    def test_want_reply_false_does_not_wait_for_the_answer(self):
        channel = self.session()
        # sshd refuses an unknown subsystem; without want_reply nobody hears of it.
        self.assertTrue(self.request(channel, "subsystem", ssh_string("tether-none"), False))
        channel = self.session()
        self.assertError(Tether.error_quark(), Tether.Error.REQUEST_DENIED, self.request,
                         channel, "subsystem", ssh_string("tether-none"), True)

    def test_pty_and_window_change_requests(self):
        channel = self.session()
        pty = (ssh_string("xterm") + ssh_uint32(91) + ssh_uint32(27) + ssh_uint32(0)
               + ssh_uint32(0) + ssh_string(b""))
        self.assertTrue(self.request(channel, "pty-req", pty, True))
        self.assertTrue(self.request(channel, "window-change",
                                     ssh_uint32(101) + ssh_uint32(33) + ssh_uint32(0)
                                     + ssh_uint32(0), False))
        self.assertTrue(self.request(channel, "exec", ssh_string("stty size"), False))
        stream = channel.get_input_stream()
        out = b""
        while True:
            chunk = call(lambda cb: stream.read_bytes_async(1024, 0, None, cb),
                         stream.read_bytes_finish)
            if chunk.get_size() == 0:
                break
            out += chunk.get_data()
        self.assertEqual(out.split(), [b"33", b"101"])

    def test_requests_libssh_sends_without_reply(self):
        channel = self.session()
        for name, payload in (("signal", ssh_string("TERM")),
                              ("window-change", ssh_uint32(80) + ssh_uint32(24) + ssh_uint32(0)
                               + ssh_uint32(0)),
                              ("break", ssh_uint32(0)),
                              ("auth-agent-req@openssh.com", None)):
            error = self.assertError(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_SUPPORTED,
                                     self.request, channel, name, payload, True)
            self.assertIn("want_reply", error.message)
        self.assertError(Gio.io_error_quark(), Gio.IOErrorEnum.NOT_SUPPORTED, self.request,
                         channel, "x11-req", None, True)


class Declining(Prompts):
    """Says no to the prompts named in decline, answers the others from the lists."""

    def __init__(self, decline, **kwargs):
        super().__init__(**kwargs)
        self.decline = decline

    def do_ask_password(self, host, user, attempt, cancellable):
        answer = super().do_ask_password(host, user, attempt, cancellable)
        return None if "password" in self.decline else answer

    def do_ask_kbd_interactive(self, name, instruction, prompts, echo_mask, cancellable):
        answers = super().do_ask_kbd_interactive(name, instruction, prompts, echo_mask,
                                                 cancellable)
        return None if "keyboard-interactive" in self.decline else answers


class AuthMethodsTest(unittest.TestCase):
    """A declined prompt moves on to the next method; PreferredAuthentications orders them."""

    @classmethod
    def setUpClass(cls):
        cls.server = TestServer("openssh", extra_config="UsePAM yes\n"
                                "KbdInteractiveAuthentication yes\n")

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def assertWorks(self, conn):
        out, status = tc.run_command(conn, "echo in")
        self.assertEqual((out, status), (b"in\n", 0))
        conn.close()

    def test_declined_kbd_interactive_moves_on_to_password(self):
        prompts = Declining({"keyboard-interactive"}, passwords=[self.server.password])
        conn = connect(make_host(self.server), prompts)
        self.assertEqual([a.split(":")[0] for a in prompts.asked], ["kbd", "password"])
        self.assertWorks(conn)

    def test_declined_password_moves_on_to_kbd_interactive(self):
        prompts = Declining({"password"}, kbd_answers=[self.server.password])
        host = make_host(self.server)
        host.props.preferred_authentications = ["password", "keyboard-interactive"]
        conn = connect(host, prompts)
        self.assertEqual([a.split(":")[0] for a in prompts.asked], ["password", "kbd"])
        self.assertWorks(conn)

    def test_declining_everything_is_cancelled(self):
        prompts = Declining({"password", "keyboard-interactive"})
        error = connect_error(make_host(self.server), prompts)
        self.assertTrue(error.matches(Tether.error_quark(), Tether.Error.AUTH_CANCELLED),
                        error.message)
        self.assertIn("keyboard-interactive (declined)", error.message)
        self.assertIn("password (declined)", error.message)

    def test_cancellable_cancels_the_whole_login(self):
        cancellable = Gio.Cancellable()

        class CancelAtPrompt(Prompts):
            def do_ask_kbd_interactive(self, *args):
                cancellable.cancel()
                return None

            def do_ask_password(self, *args):
                raise AssertionError("asked for a password after the login was cancelled")
        conn = Tether.Connection.new(make_host(self.server))
        conn.set_interaction(CancelAtPrompt())
        with self.assertRaises(GLib.Error) as cm:
            call(lambda cb: conn.connect_async(cancellable, cb), conn.connect_finish)
        self.assertTrue(cm.exception.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED)
                        or cm.exception.matches(Tether.error_quark(),
                                                Tether.Error.AUTH_CANCELLED),
                        cm.exception.message)

    def test_preferred_authentications_password_over_a_working_key(self):
        prompts = Prompts(passwords=[self.server.password])
        host = make_host(self.server, self.server.key)
        host.props.preferred_authentications = ["password"]
        conn = connect(host, prompts)
        self.assertEqual(prompts.asked, [f"password:{self.server.user}:0"])
        self.assertWorks(conn)

    def test_preferred_authentications_from_ssh_config(self):
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        config = os.path.join(tmp, "config")
        with open(config, "w") as f:
            f.write(f"Host target\n  HostName {self.server.host}\n  Port {self.server.port}\n"
                    f"  User {self.server.user}\n  IdentityFile {self.server.key}\n"
                    f"  IdentitiesOnly yes\n  UserKnownHostsFile {self.server.known_hosts}\n"
                    "  PreferredAuthentications password\n")
        store = Tether.HostStore.new()
        self.assertTrue(store.load_file(Gio.File.new_for_path(config)))
        host = store.lookup("target")
        self.assertEqual(list(host.props.preferred_authentications), ["password"])
        prompts = Prompts(passwords=[self.server.password])
        conn = connect(host, prompts)
        self.assertEqual(prompts.asked, [f"password:{self.server.user}:0"])
        self.assertWorks(conn)


if __name__ == "__main__":
    try:
        taptestrunner.main()
    finally:
        shutil.rmtree(_HOME, ignore_errors=True)
