/* tether-connection-transport.c: the transports a connection runs over (TCP,
 * ProxyCommand, ProxyJump), set up on the owner thread, and the lines a server
 * sends before its banner.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gio/gunixsocketaddress.h>

#include <libssh/server.h>

#include "tether-connection-private.h"
#include "tether-enums.h"
#include "tether-error.h"
#include "tether-error-private.h"
#include "tether-host-key-info-private.h"
#include "tether-known-hosts.h"
#include "tether-worker-private.h"

/* OpenSSH's limit on the lines a server may send before its banner (SSH_MAX_PRE_BANNER_LINES). */
#define TETHER_MAX_PRE_BANNER_LINES 1024
/* How every SSH banner starts (RFC 4253 section 4.2). */
#define TETHER_BANNER_PREFIX "SSH-"
/* OpenSSH's limit on one line before or of the banner (SSH_MAX_BANNER_LEN). */
#define TETHER_MAX_BANNER_LINE 8192
/* SO_RCVLOWAT while libssh sends our banner: more than a server's first segment, yet small
 * enough that Linux does not grow the receive buffer and clamp the window to it. */
#define TETHER_BANNER_HOLD_LOWAT (16 * 1024)

/* ------------------------------------------------------------------------- */
/* Before the banner                                                         */

static GError *
not_ssh_error (TetherWorker *w)
{
  return g_error_new (TETHER_ERROR, TETHER_ERROR_PROTOCOL,
                      _("The server at %s:%u does not speak SSH."), w->hostname, w->port);
}

/* Reads the lines a server may send before its banner (RFC 4253 section 4.2) itself:
 * libssh skips any number of them, so a server that speaks something else (HTTP, a
 * database) would otherwise end in a packet error or hang. The banner line itself is
 * left in the socket for libssh. */
BannerStep
_tether_worker_step_banner (TetherWorker  *w,
                            GError       **error)
{
  g_autofree char *buf = g_malloc (TETHER_MAX_BANNER_LINE);

  for (;;) {
    gssize n = recv (w->fd, buf, TETHER_MAX_BANNER_LINE, MSG_PEEK | MSG_DONTWAIT);
    gsize done = 0;
    gsize line_start = 0;

    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
      return BANNER_WAIT;
    if (n < 0) {
      int saved = errno;

      g_set_error (error, TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                   _("The connection to %s:%u failed before the SSH banner: %s."),
                   w->hostname, w->port, g_strerror (saved));
      return BANNER_FAILED;
    }
    if (n == 0) {
      if (w->pre_banner_lines > 0)
        *error = not_ssh_error (w);
      else
        g_set_error (error, TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                     _("The server at %s:%u closed the connection before it sent its SSH "
                     "banner."), w->hostname, w->port);
      return BANNER_FAILED;
    }

    for (gsize i = 0; i < (gsize) n; i++) {
      /* A banner: everything before it goes, the rest is libssh's. */
      if (i == line_start && (gsize) n - i >= strlen (TETHER_BANNER_PREFIX) &&
          memcmp (buf + i, TETHER_BANNER_PREFIX, strlen (TETHER_BANNER_PREFIX)) == 0) {
        if (line_start > 0 && recv (w->fd, buf, line_start, MSG_DONTWAIT) < 0) {
          *error = _tether_worker_session_error (w, _("Connecting to"));
          return BANNER_FAILED;
        }
        return BANNER_FOUND;
      }
      /* OpenSSH refuses NUL bytes there too: binary data is not a greeting. */
      if (buf[i] == '\0') {
        *error = not_ssh_error (w);
        return BANNER_FAILED;
      }
      if (buf[i] == '\n') {
        if (++w->pre_banner_lines > TETHER_MAX_PRE_BANNER_LINES) {
          *error = not_ssh_error (w);
          return BANNER_FAILED;
        }
        line_start = i + 1;
        done = line_start;
      }
    }

    /* Only the start of a banner, or a line still coming. */
    if (done == 0) {
      if ((gsize) n >= TETHER_MAX_BANNER_LINE) {
        *error = not_ssh_error (w);
        return BANNER_FAILED;
      }
      return BANNER_WAIT;
    }
    if (recv (w->fd, buf, done, MSG_DONTWAIT) < 0) {
      *error = _tether_worker_session_error (w, _("Connecting to"));
      return BANNER_FAILED;
    }
  }
}

/* libssh sends our banner on its first ssh_connect () call, and reads whatever the socket
 * holds then. Servers that wait for the client's banner (RFC 4253 allows it) need ours
 * first, but the server's lines must stay in the socket for _tether_worker_step_banner ():
 * call libssh only while nothing is readable, and keep anything arriving meanwhile from
 * waking its poll
 * (SO_RCVLOWAT; a socket pair may not honour it, then libssh may read a line first).
 * Returns FALSE when libssh failed. */
gboolean
_tether_worker_send_client_banner (TetherWorker *w)
{
  struct pollfd pfd = { w->fd, POLLIN, 0 };
  int lowat = TETHER_BANNER_HOLD_LOWAT;
  int one = 1;
  int rc;

  w->client_banner_sent = TRUE;
  if (poll (&pfd, 1, 0) != 0)
    return TRUE;   /* the server spoke first: _tether_worker_step_banner reads it, then libssh
                    * answers */
  setsockopt (w->fd, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof lowat);
  w->fd_attached = TRUE;
  rc = ssh_connect (w->session);
  setsockopt (w->fd, SOL_SOCKET, SO_RCVLOWAT, &one, sizeof one);
  return rc != SSH_ERROR;
}

/* What libssh's handshake failure means to the user. */
GError *
_tether_worker_handshake_error (TetherWorker *w)
{
  const char *banner = ssh_get_serverbanner (w->session);
  const char *detail = ssh_get_error (w->session);

  if (banner != NULL && !g_str_has_prefix (banner, "SSH-2.0-") &&
      !g_str_has_prefix (banner, "SSH-1.99-")) {
    if (g_str_has_prefix (banner, "SSH-1."))
      return g_error_new (TETHER_ERROR, TETHER_ERROR_PROTOCOL,
                          _("The server at %s:%u speaks only SSH version 1, which is "
                          "insecure and not supported (it sent “%s”)."),
                          w->hostname, w->port, banner);
    return not_ssh_error (w);
  }
  /* A banner followed by something that does not parse as SSH packets. */
  if (detail != NULL && (strstr (detail, "Packet len") != NULL ||
                         strstr (detail, "Packet corrupt") != NULL ||
                         strstr (detail, "too large banner") != NULL))
    return not_ssh_error (w);
  return _tether_worker_session_error (w, _("Connecting to"));
}

/* ------------------------------------------------------------------------- */
/* Transport (owner thread)                                                  */

void
_tether_connection_fail_connect_on_owner (TetherConnection *self,
                                          GError           *error)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->connect_task);

  _tether_connection_forget_caller_cancellable (self);
  _tether_connection_close_transport (self);
  _tether_connection_set_state (self, TETHER_CONNECTION_STATE_CLOSED);
  if (task != NULL)
    g_task_return_error (task, error);
  else
    g_error_free (error);
}

void
_tether_connection_tcp_connected_cb (GObject      *source,
                                     GAsyncResult *result,
                                     gpointer      user_data)
{
  g_autoptr(TetherConnection) self = user_data;
  g_autoptr(GError) error = NULL;
  GSocketConnection *connection;
  GSocket *socket;

  connection = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, &error);
  if (connection == NULL) {
    if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
      g_prefix_error (&error, _("Could not reach %s port %u: "),
                      tether_host_get_hostname (self->host),
                      tether_host_get_port (self->host));
      /* GIO's messages are fragments; ours are sentences. */
      if (!g_str_has_suffix (error->message, ".")) {
        char *sentence = g_strconcat (error->message, ".", NULL);

        g_free (error->message);
        error->message = sentence;
      }
    }
    _tether_connection_fail_connect_on_owner (self, g_steal_pointer (&error));
    return;
  }
  self->socket_connection = connection;
  socket = g_socket_connection_get_socket (connection);
  /* Without TCP_NODELAY small writes wait for delayed ACKs (DESIGN.md section 6). */
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  /* libssh gets its own descriptor: it closes it on errors, and the
   * GSocketConnection closes the original, so neither closes the other's. */
  _tether_connection_start_worker (self, dup (g_socket_get_fd (socket)));
}

/* Makes a socket pair; *@ours stays with Tether, *@theirs goes to libssh. */
static gboolean
make_socketpair (int     *ours,
                 int     *theirs,
                 GError **error)
{
  int fds[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) {
    int saved = errno;

    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                 _("Could not create a socket pair: %s"), g_strerror (saved));
    return FALSE;
  }
  *ours = fds[0];
  *theirs = fds[1];
  return TRUE;
}

/* ProxyCommand's %h, %p, %r and %%. */
static char *
expand_proxy_command (TetherHost *host)
{
  const char *p = tether_host_get_proxy_command (host);
  g_autofree char *user = tether_host_dup_effective_user (host);
  GString *s = g_string_new (NULL);

  for (; *p; p++) {
    if (*p != '%' || p[1] == '\0') {
      g_string_append_c (s, *p);
      continue;
    }
    p++;
    switch (*p) {
    case 'h': g_string_append (s, tether_host_get_hostname (host)); break;
    case 'p': g_string_append_printf (s, "%u", tether_host_get_port (host)); break;
    case 'r': g_string_append (s, user); break;
    case 'n': g_string_append (s, tether_host_get_alias (host)); break;
    case '%': g_string_append_c (s, '%'); break;
    default: g_string_append_c (s, '%'); g_string_append_c (s, *p); break;
    }
  }
  return g_string_free (s, FALSE);
}

void
_tether_connection_start_proxy_command (TetherConnection *self)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *command = expand_proxy_command (self->host);
  int ours = -1;
  int theirs = -1;

  if (!make_socketpair (&ours, &theirs, &error)) {
    _tether_connection_fail_connect_on_owner (self, g_steal_pointer (&error));
    return;
  }
  /* The command's stdin and stdout are one end of the pair, as with OpenSSH. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_take_stdin_fd (launcher, dup (ours));
  g_subprocess_launcher_take_stdout_fd (launcher, ours);
  self->proxy_process = g_subprocess_launcher_spawn (launcher, &error, "/bin/sh", "-c", command,
                                                     NULL);
  if (self->proxy_process == NULL) {
    close (theirs);
    g_prefix_error (&error, _("The ProxyCommand “%s” could not be started: "), command);
    _tether_connection_fail_connect_on_owner (self, g_steal_pointer (&error));
    return;
  }
  _tether_connection_start_worker (self, theirs);
}

/* A jump host's channel is spliced to the socket pair on a thread of its own,
 * so that the bytes of the inner connection never pass through the caller's
 * (the UI's) main loop. The thread ends when the splice does: when either
 * connection ends, its side closes and the splice closes the other. */
typedef struct
{
  GIOStream *channel;
  GIOStream *socket;
  GMainContext *ctx;
  gboolean done;
} JumpSplice;

static void
jump_splice_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  JumpSplice *splice = user_data;

  g_io_stream_splice_finish (result, NULL);
  splice->done = TRUE;
}

static gpointer
jump_splice_thread (gpointer data)
{
  JumpSplice *splice = data;

  g_main_context_push_thread_default (splice->ctx);
  g_io_stream_splice_async (splice->channel, splice->socket,
                            G_IO_STREAM_SPLICE_CLOSE_STREAM1 | G_IO_STREAM_SPLICE_CLOSE_STREAM2,
                            G_PRIORITY_DEFAULT, NULL, jump_splice_cb, splice);
  while (!splice->done)
    g_main_context_iteration (splice->ctx, TRUE);
  /* Let the closes the splice started finish before the context goes. */
  while (g_main_context_pending (splice->ctx))
    g_main_context_iteration (splice->ctx, FALSE);
  g_main_context_pop_thread_default (splice->ctx);
  g_object_unref (splice->channel);
  g_object_unref (splice->socket);
  g_main_context_unref (splice->ctx);
  g_free (splice);
  return NULL;
}

static void
jump_channel_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TetherConnection) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherChannel) channel = NULL;
  g_autoptr(GSocket) socket = NULL;
  JumpSplice *splice;
  int ours = -1;
  int theirs = -1;

  channel = tether_connection_open_direct_tcpip_finish (TETHER_CONNECTION (source), result,
                                                        &error);
  if (channel == NULL) {
    g_prefix_error (&error, _("The jump host could not reach %s port %u: "),
                    tether_host_get_hostname (self->host), tether_host_get_port (self->host));
    _tether_connection_fail_connect_on_owner (self, g_steal_pointer (&error));
    return;
  }
  if (!make_socketpair (&ours, &theirs, &error)) {
    _tether_connection_fail_connect_on_owner (self, g_steal_pointer (&error));
    return;
  }
  socket = g_socket_new_from_fd (ours, &error);
  if (socket == NULL) {
    close (ours);
    close (theirs);
    _tether_connection_fail_connect_on_owner (self, g_steal_pointer (&error));
    return;
  }
  splice = g_new0 (JumpSplice, 1);
  splice->channel = G_IO_STREAM (g_steal_pointer (&channel));
  splice->socket = G_IO_STREAM (g_socket_connection_factory_create_connection (socket));
  splice->ctx = g_main_context_new ();
  g_thread_unref (g_thread_new ("tether-jump", jump_splice_thread, splice));
  _tether_connection_start_worker (self, theirs);
}

static void
jump_connected_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(TetherConnection) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!tether_connection_connect_finish (TETHER_CONNECTION (source), result, &error)) {
    g_prefix_error (&error, _("Jump host: "));
    _tether_connection_fail_connect_on_owner (self, g_steal_pointer (&error));
    return;
  }
  tether_connection_open_direct_tcpip_async (TETHER_CONNECTION (source),
                                             tether_host_get_hostname (self->host),
                                             tether_host_get_port (self->host),
                                             "127.0.0.1", 0, NULL, jump_channel_cb,
                                             g_object_ref (self));
}

/* The host of the last hop of ProxyJump; earlier hops become its own ProxyJump. */
static TetherHost *
jump_host_for (TetherHost  *host,
               GError     **error)
{
  g_auto(GStrv) hops = g_strsplit (tether_host_get_proxy_jump (host), ",", -1);
  guint n = g_strv_length (hops);
  g_autofree char *last = NULL;
  TetherHost *jump;

  if (n == 0)
    return NULL;
  last = g_strstrip (g_strdup (hops[n - 1]));
  jump = tether_host_new_for_destination (last, error);
  if (jump == NULL)
    return NULL;
  if (n > 1) {
    g_free (hops[n - 1]);
    hops[n - 1] = NULL;
    {
      g_autofree char *rest = g_strjoinv (",", hops);

      tether_host_set_proxy_jump (jump, rest);
    }
  }
  /* A bare jump host inherits how to trust and log in from the target. */
  tether_host_set_identity_files (jump, tether_host_get_identity_files (host));
  tether_host_set_certificate_files (jump, tether_host_get_certificate_files (host));
  tether_host_set_identities_only (jump, tether_host_get_identities_only (host));
  tether_host_set_known_hosts_file (jump, tether_host_get_known_hosts_file (host));
  tether_host_set_connect_timeout (jump, tether_host_get_connect_timeout (host));
  return jump;
}

void
_tether_connection_start_proxy_jump (TetherConnection *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherHost) jump_host = jump_host_for (self->host, &error);

  if (jump_host == NULL) {
    g_prefix_error (&error, _("ProxyJump: "));
    _tether_connection_fail_connect_on_owner (self, g_steal_pointer (&error));
    return;
  }
  self->jump = tether_connection_new (jump_host);
  tether_connection_set_interaction (self->jump, self->interaction);
  tether_connection_connect_async (self->jump, self->cancellable, jump_connected_cb,
                                   g_object_ref (self));
}
