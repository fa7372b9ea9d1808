/* test-forward.c: port forwards (local, remote, SOCKS) of a host session against real sshd
 * and Dropbear.
 *
 * The destinations are small TCP servers of the test's own on 127.0.0.1 (an echo server, and
 * servers that say who they are), served from threads; clients are threads with blocking
 * sockets, so the test's main thread only iterates its main context (where the forwards'
 * notifications come) while waiting for conditions, with a timeout that fails the test.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <gio/gio.h>

#include "tether.h"
#include "tether-test-host.h"
#include "tether-test-server.h"
#include "tether-test-wait.h"

/* Generous: two cores are shared by parallel tests and sanitizer builds. */
#define WAIT_TIMEOUT_MS (120 * 1000)
#define N_BULK_CLIENTS 20
#define BULK_SIZE (10 * 1024 * 1024)
#define SMALL_SIZE (256 * 1024)
#define CHUNK (64 * 1024)

/* ------------------------------------------------------------------------- */
/* Destinations: an echo server and servers that say their name              */

typedef struct
{
  GSocketService *service;
  guint16 port;
  gboolean has_ipv6;
} TestServer;

static gboolean
on_echo_run (GThreadedSocketService *service,
             GSocketConnection      *connection,
             GObject                *source,
             gpointer                data)
{
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  g_autofree guint8 *buffer = g_malloc (CHUNK);

  for (;;) {
    gssize n = g_input_stream_read (in, buffer, CHUNK, NULL, NULL);

    if (n <= 0 || !g_output_stream_write_all (out, buffer, n, NULL, NULL, NULL))
      break;
  }
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

static gboolean
on_name_run (GThreadedSocketService *service,
             GSocketConnection      *connection,
             GObject                *source,
             gpointer                data)
{
  const char *name = data;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));

  g_output_stream_write_all (out, name, strlen (name), NULL, NULL, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return TRUE;
}

/* A threaded server on 127.0.0.1 (and ::1 on the same port where there is one). */
static void
test_server_start (TestServer *server,
                   GCallback   run,
                   gpointer    data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) v4 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GInetAddress) v6 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocketAddress) want4 = g_inet_socket_address_new (v4, 0);
  g_autoptr(GSocketAddress) got4 = NULL;
  g_autoptr(GSocketAddress) want6 = NULL;

  server->service = g_threaded_socket_service_new (N_BULK_CLIENTS + 4);
  g_socket_listener_add_address (G_SOCKET_LISTENER (server->service), want4,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &got4,
                                 &error);
  g_assert_no_error (error);
  server->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (got4));
  want6 = g_inet_socket_address_new (v6, server->port);
  server->has_ipv6 = g_socket_listener_add_address (G_SOCKET_LISTENER (server->service), want6,
                                                    G_SOCKET_TYPE_STREAM,
                                                    G_SOCKET_PROTOCOL_TCP, NULL, NULL, NULL);
  g_signal_connect (server->service, "run", run, data);
  g_socket_service_start (server->service);
}

static void
test_server_stop (TestServer *server)
{
  g_socket_service_stop (server->service);
  g_socket_listener_close (G_SOCKET_LISTENER (server->service));
  g_clear_object (&server->service);
}

/* A port nobody listens on (bound and closed again at once). */
static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, address, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* ------------------------------------------------------------------------- */
/* Clients (threads, blocking sockets)                                       */

static guint8
pattern_byte (guint  client,
              gsize  offset)
{
  guint32 x = (guint32) (offset / 4096) * 2654435761u + client * 40503u;

  return (guint8) ((x >> 13) ^ offset ^ (offset >> 7));
}

static GSocketConnection *
connect_to (const char *address,
            guint       port,
            GError    **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);
  g_autoptr(GSocketAddress) target = g_inet_socket_address_new (inet, port);

  return g_socket_client_connect (client, G_SOCKET_CONNECTABLE (target), NULL, error);
}

typedef struct
{
  GSocketConnection *connection;
  guint client;
  gsize size;
} Writer;

static gpointer
writer_thread (gpointer data)
{
  Writer *w = data;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (w->connection));
  g_autofree guint8 *buffer = g_malloc (CHUNK);
  gsize done = 0;

  while (done < w->size) {
    gsize n = MIN (CHUNK, w->size - done);

    for (gsize i = 0; i < n; i++)
      buffer[i] = pattern_byte (w->client, done + i);
    if (!g_output_stream_write_all (out, buffer, n, NULL, NULL, NULL))
      return GINT_TO_POINTER (FALSE);
    done += n;
  }
  /* Half-close: the echo must still come back whole. */
  g_socket_shutdown (g_socket_connection_get_socket (w->connection), FALSE, TRUE, NULL);
  return GINT_TO_POINTER (TRUE);
}

/* Writes @size pattern bytes through @connection and reads them back until EOF; TRUE when
 * exactly those bytes came back. */
static gboolean
echo_through (GSocketConnection *connection,
              guint              client,
              gsize              size)
{
  Writer w = { connection, client, size };
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  g_autofree guint8 *buffer = g_malloc (CHUNK);
  GThread *thread = g_thread_new ("writer", writer_thread, &w);
  gsize got = 0;
  gboolean same = TRUE;

  for (;;) {
    gssize n = g_input_stream_read (in, buffer, CHUNK, NULL, NULL);

    if (n <= 0)
      break;
    for (gssize i = 0; i < n && same; i++)
      same = got + i < size && buffer[i] == pattern_byte (client, got + i);
    got += n;
  }
  same &= GPOINTER_TO_INT (g_thread_join (thread));
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  if (got != size)
    g_printerr ("# client %u got %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes\n", client,
                got, size);
  return same && got == size;
}

typedef struct
{
  guint port;
  guint client;
  gsize size;
  gint *n_done;
  gint *n_ok;
} Client;

static gpointer
client_thread (gpointer data)
{
  Client *c = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = connect_to ("127.0.0.1", c->port, &error);

  if (connection != NULL && echo_through (connection, c->client, c->size))
    g_atomic_int_inc (c->n_ok);
  else if (error != NULL)
    g_printerr ("# client %u: %s\n", c->client, error->message);
  g_atomic_int_inc (c->n_done);
  return NULL;
}

typedef struct
{
  gint *n_done;
  gint n;
} AllDone;

static gboolean
all_done (gpointer data)
{
  AllDone *a = data;

  return g_atomic_int_get (a->n_done) == a->n;
}

/* @n clients at once, each echoing @size bytes through 127.0.0.1:@port; TRUE when all
 * got their bytes back exactly. The main context runs meanwhile. */
static gboolean
run_echo_clients (guint port,
                  guint n,
                  gsize size)
{
  g_autofree Client *clients = g_new0 (Client, n);
  g_autofree GThread **threads = g_new0 (GThread *, n);
  gint n_done = 0;
  gint n_ok = 0;
  AllDone a = { &n_done, n };

  for (guint i = 0; i < n; i++) {
    clients[i] = (Client) { port, i, size, &n_done, &n_ok };
    threads[i] = g_thread_new ("client", client_thread, &clients[i]);
  }
  tether_test_wait_until (all_done, &a, WAIT_TIMEOUT_MS, "the echo clients");
  for (guint i = 0; i < n; i++)
    g_thread_join (threads[i]);
  return n_ok == (gint) n;
}

/* What a server that says its name says, read until EOF (the main context runs). */
typedef struct
{
  guint port;
  char *text;
  gboolean done;
} ReadAll;

static gpointer
read_all_thread (gpointer data)
{
  ReadAll *r = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = connect_to ("127.0.0.1", r->port, &error);
  g_autoptr(GString) text = g_string_new (NULL);
  char buffer[256];

  if (connection != NULL) {
    GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
    gssize n;

    while ((n = g_input_stream_read (in, buffer, sizeof buffer, NULL, NULL)) > 0)
      g_string_append_len (text, buffer, n);
  }
  r->text = g_string_free (g_steal_pointer (&text), FALSE);
  g_atomic_int_set (&r->done, TRUE);
  return NULL;
}

static gboolean
read_all_done (gpointer data)
{
  ReadAll *r = data;

  return g_atomic_int_get (&r->done);
}

static char *
read_all_from (guint port)
{
  ReadAll r = { port, NULL, FALSE };
  GThread *thread = g_thread_new ("reader", read_all_thread, &r);

  tether_test_wait_until (read_all_done, &r, WAIT_TIMEOUT_MS, "a server's name");
  g_thread_join (thread);
  return r.text;
}

/* ------------------------------------------------------------------------- */
/* Sessions and forwards                                                     */

typedef struct
{
  TetherForward *forward;
  TetherForwardState state;
} ForwardState;

static gboolean
forward_in_state (gpointer data)
{
  ForwardState *f = data;

  return tether_forward_get_state (f->forward) == f->state;
}

static void
wait_forward_state (TetherForward      *forward,
                    TetherForwardState  state)
{
  ForwardState f = { forward, state };
  g_autofree char *what = g_strdup_printf ("forward state %d", state);

  tether_test_wait_until (forward_in_state, &f, WAIT_TIMEOUT_MS, what);
}

static gboolean
forward_not_active (gpointer data)
{
  return tether_forward_get_state (data) != TETHER_FORWARD_STATE_ACTIVE;
}

static gboolean
forward_idle (gpointer data)
{
  return tether_forward_get_n_active (data) == 0;
}

static void
connect_session (TetherHostSession *session)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;

  tether_host_session_connect_async (session, NULL, tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, WAIT_TIMEOUT_MS, "the session to connect");
  g_assert_true (tether_host_session_connect_finish (session, result, &error));
  g_assert_no_error (error);
}

typedef struct
{
  TetherTestServer *server;
  TetherHost *host;
  TetherHostSession *session;
  TetherForwardList *list;
} Fixture;

static gboolean
fixture_init (Fixture              *fx,
              TetherTestServerKind  kind)
{
  memset (fx, 0, sizeof *fx);
  fx->server = tether_test_server_new_or_skip (kind, NULL);
  if (fx->server == NULL)
    return FALSE;
  fx->host = tether_test_server_new_host (fx->server);
  fx->session = tether_host_session_new (fx->host);
  fx->list = tether_host_session_get_forwards (fx->session);
  return TRUE;
}

static void
fixture_clear (Fixture *fx)
{
  if (fx->session != NULL) {
    tether_host_session_close (fx->session);
    tether_test_drain_main_context ();
  }
  g_clear_object (&fx->session);
  g_clear_object (&fx->host);
  g_clear_pointer (&fx->server, tether_test_server_free);
}

static TetherForward *
add_forward (Fixture           *fx,
             TetherForwardKind  kind,
             const char        *bind_address,
             guint              bind_port,
             const char        *host,
             guint              port)
{
  g_autoptr(TetherForward) forward = tether_forward_new (kind, bind_address, bind_port, host,
                                                         port);

  tether_forward_list_add (fx->list, forward);
  return forward;   /* the list holds it */
}

typedef struct
{
  TetherForward *forward;
  guint64 in;
  guint64 out;
} Bytes;

static gboolean
counters_are (gpointer data)
{
  Bytes *b = data;

  return tether_forward_get_bytes_in (b->forward) == b->in &&
         tether_forward_get_bytes_out (b->forward) == b->out &&
         tether_forward_get_n_active (b->forward) == 0;
}

typedef struct
{
  guint64 n_total;
  guint64 bytes_in;
  guint notifies;
  guint64 wanted;
} Notified;

static gboolean
notified_final (gpointer data)
{
  Notified *n = data;

  return n->bytes_in == n->wanted;
}

static gboolean
no_channels (gpointer data)
{
  return tether_connection_get_n_channels (data) == 0;
}

static gboolean
has_channels (gpointer data)
{
  return tether_connection_get_n_channels (data) > 0;
}

static void
on_counter_notify (TetherForward *forward,
                   GParamSpec    *pspec,
                   Notified      *n)
{
  n->notifies++;
  g_object_get (forward, "n-total", &n->n_total, "bytes-in", &n->bytes_in, NULL);
}

/* ------------------------------------------------------------------------- */
/* Cases                                                                     */

/* 20 clients at once, 10 MB each way each, byte-exact through a local forward on port 0;
 * the counters end at the bytes moved. */
static void
test_local_bulk (gconstpointer data)
{
  Fixture fx;
  TestServer echo;
  TetherForward *forward;
  TetherConnection *connection;
  Notified notified = { 0 };
  Bytes b;

  if (!fixture_init (&fx, GPOINTER_TO_INT (data)))
    return;
  test_server_start (&echo, G_CALLBACK (on_echo_run), NULL);
  connect_session (fx.session);
  connection = tether_host_session_get_connection (fx.session);

  forward = add_forward (&fx, TETHER_FORWARD_KIND_LOCAL, "127.0.0.1", 0, "127.0.0.1",
                         echo.port);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx.list)), ==, 1);
  g_signal_connect (forward, "notify::bytes-in", G_CALLBACK (on_counter_notify), &notified);
  tether_forward_start (forward);
  wait_forward_state (forward, TETHER_FORWARD_STATE_ACTIVE);
  g_assert_cmpuint (tether_forward_get_bound_port (forward), !=, 0);
  g_assert_null (tether_forward_get_error (forward));

  g_assert_true (run_echo_clients (tether_forward_get_bound_port (forward), N_BULK_CLIENTS,
                                   BULK_SIZE));
  b = (Bytes) { forward, (guint64) N_BULK_CLIENTS * BULK_SIZE,
                (guint64) N_BULK_CLIENTS * BULK_SIZE };
  tether_test_wait_until (counters_are, &b, WAIT_TIMEOUT_MS, "the counters");
  g_assert_cmpuint (tether_forward_get_n_total (forward), ==, N_BULK_CLIENTS);
  /* Notified, and with the final value in the end. */
  notified.wanted = b.in;
  tether_test_wait_until (notified_final, &notified, WAIT_TIMEOUT_MS, "the last notify");
  g_assert_cmpuint (notified.notifies, >, 0);
  g_assert_cmpuint (notified.n_total, ==, N_BULK_CLIENTS);
  /* Every channel of the forward is closed. */
  tether_test_wait_until (no_channels, connection, WAIT_TIMEOUT_MS, "the channels to close");

  g_signal_handlers_disconnect_by_data (forward, &notified);
  test_server_stop (&echo);
  fixture_clear (&fx);
}

/* A port taken on this computer: FAILED with a sentence naming it; another forward of the
 * same session is not affected. Port 0 reports the port it got. */
static void
test_local_port_in_use (gconstpointer data)
{
  Fixture fx;
  TestServer echo;
  g_autoptr(GSocket) taken = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  TetherForward *busy;
  TetherForward *fine;
  guint port;

  if (!fixture_init (&fx, GPOINTER_TO_INT (data)))
    return;
  test_server_start (&echo, G_CALLBACK (on_echo_run), NULL);
  taken = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                        &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (taken, any_port, TRUE, &error));
  g_assert_true (g_socket_listen (taken, &error));
  bound = g_socket_get_local_address (taken, &error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));

  fine = add_forward (&fx, TETHER_FORWARD_KIND_LOCAL, NULL, 0, "127.0.0.1", echo.port);
  busy = add_forward (&fx, TETHER_FORWARD_KIND_LOCAL, "127.0.0.1", port, "127.0.0.1",
                      echo.port);
  /* Not connected yet: starting connects the session. */
  tether_forward_start (fine);
  g_assert_cmpint (tether_forward_get_state (fine), ==, TETHER_FORWARD_STATE_STARTING);
  tether_forward_start (busy);
  wait_forward_state (busy, TETHER_FORWARD_STATE_FAILED);
  wait_forward_state (fine, TETHER_FORWARD_STATE_ACTIVE);

  expected = g_strdup_printf ("Port %u is already in use on this computer.", port);
  g_assert_error (tether_forward_get_error (busy), G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
  g_assert_cmpstr (tether_forward_get_error (busy)->message, ==, expected);
  {
    GError *prop = NULL;

    g_object_get (busy, "error", &prop, NULL);
    g_assert_error (prop, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
    g_error_free (prop);
  }
  g_assert_cmpuint (tether_forward_get_bound_port (busy), ==, 0);

  /* The other one, on port 0 of the default (loopback) addresses, works. */
  g_assert_cmpuint (tether_forward_get_bound_port (fine), !=, 0);
  g_assert_true (run_echo_clients (tether_forward_get_bound_port (fine), 2, SMALL_SIZE));

  test_server_stop (&echo);
  fixture_clear (&fx);
}

/* A destination that refuses: the client's connection is closed, the forward stays up. */
static void
test_local_destination_refuses (gconstpointer data)
{
  Fixture fx;
  TetherForward *forward;
  g_autofree char *text = NULL;

  if (!fixture_init (&fx, GPOINTER_TO_INT (data)))
    return;
  connect_session (fx.session);
  forward = add_forward (&fx, TETHER_FORWARD_KIND_LOCAL, NULL, 0, "127.0.0.1", free_port ());
  tether_forward_start (forward);
  wait_forward_state (forward, TETHER_FORWARD_STATE_ACTIVE);

  text = read_all_from (tether_forward_get_bound_port (forward));
  g_assert_cmpstr (text, ==, "");
  tether_test_wait_until (forward_idle, forward, WAIT_TIMEOUT_MS, "the refused client");
  g_assert_cmpint (tether_forward_get_state (forward), ==, TETHER_FORWARD_STATE_ACTIVE);
  g_assert_null (tether_forward_get_error (forward));
  fixture_clear (&fx);
}

/* Remote forwards on port 0: the server's port is reported and carries data; two of them on
 * one connection each get their own traffic. */
static void
test_remote (gconstpointer data)
{
  Fixture fx;
  TestServer echo;
  TestServer one;
  TestServer two;
  TetherForward *to_echo;
  TetherForward *to_one;
  TetherForward *to_two;
  g_autofree char *said_one = NULL;
  g_autofree char *said_two = NULL;

  if (!fixture_init (&fx, GPOINTER_TO_INT (data)))
    return;
  test_server_start (&echo, G_CALLBACK (on_echo_run), NULL);
  test_server_start (&one, G_CALLBACK (on_name_run), (gpointer) "one");
  test_server_start (&two, G_CALLBACK (on_name_run), (gpointer) "two");
  connect_session (fx.session);

  to_echo = add_forward (&fx, TETHER_FORWARD_KIND_REMOTE, "127.0.0.1", 0, "127.0.0.1",
                         echo.port);
  to_one = add_forward (&fx, TETHER_FORWARD_KIND_REMOTE, "127.0.0.1", 0, "127.0.0.1",
                        one.port);
  to_two = add_forward (&fx, TETHER_FORWARD_KIND_REMOTE, "127.0.0.1", 0, "127.0.0.1",
                        two.port);
  tether_forward_start (to_echo);
  tether_forward_start (to_one);
  tether_forward_start (to_two);
  wait_forward_state (to_echo, TETHER_FORWARD_STATE_ACTIVE);
  wait_forward_state (to_one, TETHER_FORWARD_STATE_ACTIVE);
  wait_forward_state (to_two, TETHER_FORWARD_STATE_ACTIVE);
  g_assert_cmpuint (tether_forward_get_bound_port (to_echo), !=, 0);
  g_assert_cmpuint (tether_forward_get_bound_port (to_one), !=,
                    tether_forward_get_bound_port (to_two));

  /* The servers listen on this machine's loopback: the test reaches them directly. */
  g_assert_true (run_echo_clients (tether_forward_get_bound_port (to_echo), 3, SMALL_SIZE));
  said_one = read_all_from (tether_forward_get_bound_port (to_one));
  said_two = read_all_from (tether_forward_get_bound_port (to_two));
  g_assert_cmpstr (said_one, ==, "one");
  g_assert_cmpstr (said_two, ==, "two");
  {
    Bytes b = { to_echo, 3 * SMALL_SIZE, 3 * SMALL_SIZE };

    tether_test_wait_until (counters_are, &b, WAIT_TIMEOUT_MS, "the remote counters");
  }
  g_assert_cmpuint (tether_forward_get_n_total (to_one), ==, 1);

  /* Stopping one leaves the others working (Dropbear's cancel never matches, which must
   * not matter here). */
  tether_forward_stop (to_one);
  g_assert_cmpint (tether_forward_get_state (to_one), ==, TETHER_FORWARD_STATE_STOPPED);
  g_clear_pointer (&said_two, g_free);
  said_two = read_all_from (tether_forward_get_bound_port (to_two));
  g_assert_cmpstr (said_two, ==, "two");

  test_server_stop (&echo);
  test_server_stop (&one);
  test_server_stop (&two);
  fixture_clear (&fx);
}

/* ------------------------------------------------------------------------- */
/* SOCKS                                                                     */

typedef struct
{
  guint port;
  GBytes *request;      /* everything the client sends before it reads the reply */
  gsize reply_len;      /* what it reads as the reply */
  gsize echo_size;      /* then echoes this much (0: none) */
  guint8 *reply;
  gboolean echoed;
  gboolean eof_after_reply;
  gboolean done;
} SocksClient;

static gboolean
read_exactly (GInputStream *in,
              guint8       *buffer,
              gsize         size)
{
  gsize got = 0;

  return g_input_stream_read_all (in, buffer, size, &got, NULL, NULL) && got == size;
}

static gpointer
socks_client_thread (gpointer data)
{
  SocksClient *c = data;
  g_autoptr(GSocketConnection) connection = connect_to ("127.0.0.1", c->port, NULL);
  GInputStream *in;
  GOutputStream *out;
  gsize size;
  const guint8 *request;

  c->reply = g_malloc0 (c->reply_len);
  if (connection == NULL)
    goto out;
  in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  request = g_bytes_get_data (c->request, &size);
  if (!g_output_stream_write_all (out, request, size, NULL, NULL, NULL) ||
      !read_exactly (in, c->reply, c->reply_len))
    goto out;
  if (c->echo_size > 0) {
    c->echoed = echo_through (connection, 7, c->echo_size);
  } else {
    guint8 byte;

    c->eof_after_reply = g_input_stream_read (in, &byte, 1, NULL, NULL) <= 0;
  }
out:
  g_atomic_int_set (&c->done, TRUE);
  return NULL;
}

static gboolean
socks_client_done (gpointer data)
{
  SocksClient *c = data;

  return g_atomic_int_get (&c->done);
}

static void
socks_run (SocksClient *c)
{
  GThread *thread = g_thread_new ("socks", socks_client_thread, c);

  tether_test_wait_until (socks_client_done, c, WAIT_TIMEOUT_MS, "a SOCKS client");
  g_thread_join (thread);
}

static void
socks_client_clear (SocksClient *c)
{
  g_bytes_unref (c->request);
  g_free (c->reply);
}

/* A SOCKS5 greeting (no auth) and CONNECT of address type @atyp. */
static GBytes *
socks5_request (guint8        atyp,
                const guint8 *address,
                gsize         address_len,
                guint16       port,
                guint8        command)
{
  GByteArray *a = g_byte_array_new ();
  const guint8 greeting[] = { 5, 1, 0 };
  guint8 head[] = { 5, command, 0, atyp };
  guint8 len = (guint8) address_len;
  guint8 port_be[] = { port >> 8, port & 0xff };

  g_byte_array_append (a, greeting, sizeof greeting);
  g_byte_array_append (a, head, sizeof head);
  if (atyp == 3)
    g_byte_array_append (a, &len, 1);
  g_byte_array_append (a, address, address_len);
  g_byte_array_append (a, port_be, sizeof port_be);
  return g_byte_array_free_to_bytes (a);
}

static gboolean
ipv6_loopback_works (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);

  return socket != NULL && g_socket_bind (socket, address, FALSE, NULL);
}

/* SOCKS5 by name and to [::1], SOCKS4a, a refused destination, a malformed request. */
static void
test_socks (gconstpointer data)
{
  Fixture fx;
  TestServer echo;
  TetherForward *forward;
  guint port;

  if (!fixture_init (&fx, GPOINTER_TO_INT (data)))
    return;
  test_server_start (&echo, G_CALLBACK (on_echo_run), NULL);
  connect_session (fx.session);
  forward = add_forward (&fx, TETHER_FORWARD_KIND_DYNAMIC, "127.0.0.1", 0, NULL, 0);
  tether_forward_start (forward);
  wait_forward_state (forward, TETHER_FORWARD_STATE_ACTIVE);
  port = tether_forward_get_bound_port (forward);

  /* SOCKS5, by domain name: method choice (2 bytes), then the 10-byte reply. */
  {
    SocksClient c = { port, socks5_request (3, (const guint8 *) "localhost", 9, echo.port, 1),
                      12, SMALL_SIZE };

    socks_run (&c);
    g_assert_cmphex (c.reply[0], ==, 5);
    g_assert_cmphex (c.reply[1], ==, 0);
    g_assert_cmphex (c.reply[2], ==, 5);
    g_assert_cmphex (c.reply[3], ==, 0);
    g_assert_true (c.echoed);
    socks_client_clear (&c);
  }

  /* SOCKS5 to [::1]. */
  if (echo.has_ipv6 && ipv6_loopback_works ()) {
    guint8 v6[16] = { 0 };
    SocksClient c = { port, NULL, 12, SMALL_SIZE };

    v6[15] = 1;
    c.request = socks5_request (4, v6, sizeof v6, echo.port, 1);
    socks_run (&c);
    g_assert_cmphex (c.reply[3], ==, 0);
    g_assert_true (c.echoed);
    socks_client_clear (&c);
  } else {
    g_test_message ("SKIP the SOCKS5 [::1] part: this machine has no IPv6 loopback");
  }

  /* SOCKS4a: 0.0.0.1 and the name after the user id. */
  {
    GByteArray *a = g_byte_array_new ();
    guint8 head[] = { 4, 1, echo.port >> 8, echo.port & 0xff, 0, 0, 0, 1 };
    SocksClient c = { port, NULL, 8, SMALL_SIZE };

    g_byte_array_append (a, head, sizeof head);
    g_byte_array_append (a, (const guint8 *) "me", 3);
    g_byte_array_append (a, (const guint8 *) "localhost", 10);
    c.request = g_byte_array_free_to_bytes (a);
    socks_run (&c);
    g_assert_cmphex (c.reply[0], ==, 0);
    g_assert_cmphex (c.reply[1], ==, 0x5a);
    g_assert_true (c.echoed);
    socks_client_clear (&c);
  }

  /* A destination that refuses: "connection refused" (OpenSSH) or a general failure. */
  {
    const guint8 v4[] = { 127, 0, 0, 1 };
    SocksClient c = { port, socks5_request (1, v4, sizeof v4, free_port (), 1), 12, 0 };

    socks_run (&c);
    g_assert_cmphex (c.reply[2], ==, 5);
    g_assert_cmphex (c.reply[3], !=, 0);
    g_assert_true (c.eof_after_reply);
    socks_client_clear (&c);
  }

  /* Malformed: BIND is not supported, and the reply says so before the end. */
  {
    const guint8 v4[] = { 127, 0, 0, 1 };
    SocksClient c = { port, socks5_request (1, v4, sizeof v4, echo.port, 2), 12, 0 };

    socks_run (&c);
    g_assert_cmphex (c.reply[2], ==, 5);
    g_assert_cmphex (c.reply[3], ==, 7);
    g_assert_true (c.eof_after_reply);
    socks_client_clear (&c);
  }

  tether_test_wait_until (forward_idle, forward, WAIT_TIMEOUT_MS, "the SOCKS clients");
  g_assert_cmpint (tether_forward_get_state (forward), ==, TETHER_FORWARD_STATE_ACTIVE);
  test_server_stop (&echo);
  fixture_clear (&fx);
}

/* ------------------------------------------------------------------------- */
/* Stopping, reconnecting, configuration                                     */

static gboolean
connect_refused (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) connection = connect_to ("127.0.0.1", GPOINTER_TO_UINT (data),
                                                        &error);

  return connection == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

typedef struct
{
  GSocketConnection *connection;
  gboolean done;
  gboolean got_end;
} Holder;

/* Holds a connection open through the forward until the forward closes it. */
static gpointer
holder_thread (gpointer data)
{
  Holder *h = data;
  GInputStream *in = g_io_stream_get_input_stream (G_IO_STREAM (h->connection));
  guint8 buffer[1024];
  gssize n;

  while ((n = g_input_stream_read (in, buffer, sizeof buffer, NULL, NULL)) > 0)
    ;
  h->got_end = TRUE;
  g_atomic_int_set (&h->done, TRUE);
  return NULL;
}

static gboolean
holder_done (gpointer data)
{
  Holder *h = data;

  return g_atomic_int_get (&h->done);
}

/* stop () closes the listener and the open connections and their channels. */
static void
test_stop (gconstpointer data)
{
  Fixture fx;
  TestServer echo;
  TetherForward *forward;
  TetherConnection *connection;
  g_autoptr(GError) error = NULL;
  Holder h = { NULL };
  GThread *thread;
  guint port;

  if (!fixture_init (&fx, GPOINTER_TO_INT (data)))
    return;
  test_server_start (&echo, G_CALLBACK (on_echo_run), NULL);
  connect_session (fx.session);
  connection = tether_host_session_get_connection (fx.session);
  forward = add_forward (&fx, TETHER_FORWARD_KIND_LOCAL, NULL, 0, "127.0.0.1", echo.port);
  tether_forward_start (forward);
  wait_forward_state (forward, TETHER_FORWARD_STATE_ACTIVE);
  port = tether_forward_get_bound_port (forward);

  h.connection = connect_to ("127.0.0.1", port, &error);
  g_assert_no_error (error);
  thread = g_thread_new ("holder", holder_thread, &h);
  tether_test_wait_until (has_channels, connection, WAIT_TIMEOUT_MS,
                          "the held connection's channel");
  g_assert_cmpuint (tether_forward_get_n_active (forward), ==, 1);

  tether_forward_stop (forward);
  g_assert_cmpint (tether_forward_get_state (forward), ==, TETHER_FORWARD_STATE_STOPPED);
  g_assert_cmpuint (tether_forward_get_bound_port (forward), ==, 0);
  tether_test_wait_until (holder_done, &h, WAIT_TIMEOUT_MS, "the held connection to end");
  g_thread_join (thread);
  g_assert_true (h.got_end);
  tether_test_wait_until (connect_refused, GUINT_TO_POINTER (port), WAIT_TIMEOUT_MS,
                          "the listener to close");
  tether_test_wait_until (forward_idle, forward, WAIT_TIMEOUT_MS, "n-active 0");
  tether_test_wait_until (no_channels, connection, WAIT_TIMEOUT_MS, "the channel to close");

  /* It starts again, and removing it stops it. */
  tether_forward_start (forward);
  wait_forward_state (forward, TETHER_FORWARD_STATE_ACTIVE);
  port = tether_forward_get_bound_port (forward);
  g_assert_true (run_echo_clients (port, 1, SMALL_SIZE));
  g_object_ref (forward);
  tether_forward_list_remove (fx.list, forward);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx.list)), ==, 0);
  g_assert_cmpint (tether_forward_get_state (forward), ==, TETHER_FORWARD_STATE_STOPPED);
  tether_test_wait_until (connect_refused, GUINT_TO_POINTER (port), WAIT_TIMEOUT_MS,
                          "the listener to close");
  g_object_unref (forward);

  g_clear_object (&h.connection);
  test_server_stop (&echo);
  fixture_clear (&fx);
}

static void
network_came_back (void)
{
  g_signal_emit_by_name (g_network_monitor_get_default (), "network-changed", TRUE);
}

/* The server dies and comes back: pinned forwards (one from the host's LocalForward, one
 * added, one remote) are active again without a call, and carry data. */
static void
test_reconnect_and_config (gconstpointer data)
{
  Fixture fx;
  TestServer echo;
  g_autoptr(GError) error = NULL;
  g_autofree char *spec = NULL;
  TetherForward *configured;
  TetherForward *added;
  TetherForward *remote;
  guint local_port = free_port ();

  fx.server = tether_test_server_new_or_skip (GPOINTER_TO_INT (data), NULL);
  if (fx.server == NULL)
    return;
  test_server_start (&echo, G_CALLBACK (on_echo_run), NULL);
  fx.host = tether_test_server_new_host (fx.server);
  spec = g_strdup_printf ("127.0.0.1:%u 127.0.0.1:%u", local_port, echo.port);
  {
    const char *forwards[] = { spec, NULL };

    tether_host_set_local_forwards (fx.host, forwards);
  }
  /* A host made from a destination, as `ssh user@host` would: its forwards start. */
  fx.session = tether_host_session_new (fx.host);
  fx.list = tether_host_session_get_forwards (fx.session);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (fx.list)), ==, 1);
  configured = g_list_model_get_item (G_LIST_MODEL (fx.list), 0);
  g_object_unref (configured);   /* the list holds it */
  g_assert_true (tether_forward_get_pinned (configured));
  g_assert_cmpint (tether_forward_get_kind (configured), ==, TETHER_FORWARD_KIND_LOCAL);
  g_assert_cmpuint (tether_forward_get_bind_port (configured), ==, local_port);
  g_assert_cmpint (tether_forward_get_state (configured), ==, TETHER_FORWARD_STATE_STOPPED);

  {
    g_autoptr(TetherForwardSpec) parsed =
      tether_forward_spec_parse (TETHER_FORWARD_KIND_LOCAL, "0 127.0.0.1:1", &error);

    /* Port 0 is no local forward spec: added as an object instead. */
    g_assert_null (parsed);
    g_clear_error (&error);
  }
  added = add_forward (&fx, TETHER_FORWARD_KIND_LOCAL, NULL, 0, "127.0.0.1", echo.port);
  tether_forward_set_pinned (added, TRUE);
  remote = add_forward (&fx, TETHER_FORWARD_KIND_REMOTE, "127.0.0.1", 0, "127.0.0.1",
                        echo.port);
  tether_forward_set_pinned (remote, TRUE);

  /* Logging in starts them all. */
  connect_session (fx.session);
  wait_forward_state (configured, TETHER_FORWARD_STATE_ACTIVE);
  wait_forward_state (added, TETHER_FORWARD_STATE_ACTIVE);
  wait_forward_state (remote, TETHER_FORWARD_STATE_ACTIVE);
  g_assert_cmpuint (tether_forward_get_bound_port (configured), ==, local_port);
  g_assert_true (run_echo_clients (local_port, 1, SMALL_SIZE));

  /* The server dies: nothing is active; the session retries. */
  g_assert_true (tether_test_server_stop (fx.server));
  tether_test_wait_until (forward_not_active, configured, WAIT_TIMEOUT_MS, "not active");
  tether_test_wait_until (forward_not_active, added, WAIT_TIMEOUT_MS, "not active");
  tether_test_wait_until (forward_not_active, remote, WAIT_TIMEOUT_MS, "not active");
  g_assert_cmpint (tether_forward_get_state (configured), ==, TETHER_FORWARD_STATE_STARTING);
  g_assert_nonnull (tether_forward_get_error (configured));
  tether_test_wait_until (connect_refused, GUINT_TO_POINTER (local_port), WAIT_TIMEOUT_MS,
                          "the listener to close while disconnected");

  /* Back: all three come back by themselves. */
  g_assert_true (tether_test_server_start (fx.server, &error));
  g_assert_no_error (error);
  network_came_back ();
  wait_forward_state (configured, TETHER_FORWARD_STATE_ACTIVE);
  wait_forward_state (added, TETHER_FORWARD_STATE_ACTIVE);
  wait_forward_state (remote, TETHER_FORWARD_STATE_ACTIVE);
  g_assert_null (tether_forward_get_error (configured));
  g_assert_true (run_echo_clients (local_port, 1, SMALL_SIZE));
  g_assert_true (run_echo_clients (tether_forward_get_bound_port (added), 1, SMALL_SIZE));
  g_assert_true (run_echo_clients (tether_forward_get_bound_port (remote), 1, SMALL_SIZE));

  test_server_stop (&echo);
  fixture_clear (&fx);
}

/* A host of Tether's own file without auto-start-forwards: its forwards wait. */
static void
test_config_not_pinned (void)
{
  g_autoptr(TetherHost) host = tether_host_new_for_destination ("someone@example.test", NULL);
  g_autoptr(TetherHostSession) session = NULL;
  const char *forwards[] = { "8080 localhost:80", NULL };
  const char *remote[] = { "[::1]:0 [::1]:22", NULL };
  const char *dynamic[] = { "1080", NULL };
  TetherForwardList *list;
  g_autoptr(TetherForward) first = NULL;
  g_autoptr(TetherForward) second = NULL;
  g_autoptr(TetherForward) third = NULL;

  tether_host_set_source (host, TETHER_HOST_SOURCE_TETHER);
  tether_host_set_local_forwards (host, forwards);
  tether_host_set_remote_forwards (host, remote);
  tether_host_set_dynamic_forwards (host, dynamic);
  session = tether_host_session_new (host);
  list = tether_host_session_get_forwards (session);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 3);
  first = g_list_model_get_item (G_LIST_MODEL (list), 0);
  second = g_list_model_get_item (G_LIST_MODEL (list), 1);
  third = g_list_model_get_item (G_LIST_MODEL (list), 2);
  g_assert_false (tether_forward_get_pinned (first));
  g_assert_cmpuint (tether_host_session_get_n_riders (session), ==, 0);
  g_assert_cmpint (tether_forward_get_kind (second), ==, TETHER_FORWARD_KIND_REMOTE);
  g_assert_cmpstr (tether_forward_get_bind_address (second), ==, "::1");
  g_assert_cmpstr (tether_forward_get_destination_host (second), ==, "::1");
  g_assert_cmpuint (tether_forward_get_destination_port (second), ==, 22);
  g_assert_cmpint (tether_forward_get_kind (third), ==, TETHER_FORWARD_KIND_DYNAMIC);
  g_assert_cmpuint (tether_forward_get_bind_port (third), ==, 1080);
  {
    g_autoptr(TetherForwardSpec) spec = tether_forward_to_spec (second);
    g_autofree char *text = tether_forward_spec_to_string (spec);

    g_assert_nonnull (spec);
    g_assert_cmpuint (tether_forward_spec_get_host_port (spec), ==, 22);
    g_test_message ("to_spec: %s", text);
  }
}

int
main (int   argc,
      char *argv[])
{
  static const struct {
    const char *name;
    TetherTestServerKind kind;
  } servers[] = {
    { "openssh", TETHER_TEST_SERVER_OPENSSH },
    { "dropbear", TETHER_TEST_SERVER_DROPBEAR },
  };

  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (servers); i++) {
    gconstpointer kind = GINT_TO_POINTER (servers[i].kind);
    g_autofree char *bulk = g_strdup_printf ("/tether/forward/%s/local-bulk", servers[i].name);

    g_autofree char *in_use = g_strdup_printf ("/tether/forward/%s/local-port-in-use",
                                               servers[i].name);
    g_autofree char *refuses = g_strdup_printf ("/tether/forward/%s/destination-refuses",
                                                servers[i].name);
    g_autofree char *remote = g_strdup_printf ("/tether/forward/%s/remote", servers[i].name);
    g_autofree char *socks = g_strdup_printf ("/tether/forward/%s/socks", servers[i].name);
    g_autofree char *stop = g_strdup_printf ("/tether/forward/%s/stop", servers[i].name);
    g_autofree char *reconnect = g_strdup_printf ("/tether/forward/%s/reconnect-pinned",
                                                  servers[i].name);

    g_test_add_data_func (bulk, kind, test_local_bulk);
    g_test_add_data_func (in_use, kind, test_local_port_in_use);
    g_test_add_data_func (refuses, kind, test_local_destination_refuses);
    g_test_add_data_func (remote, kind, test_remote);
    g_test_add_data_func (socks, kind, test_socks);
    g_test_add_data_func (stop, kind, test_stop);
    g_test_add_data_func (reconnect, kind, test_reconnect_and_config);
  }
  g_test_add_func ("/tether/forward/config-not-pinned", test_config_not_pinned);
  return g_test_run ();
}
