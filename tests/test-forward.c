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

G_GNUC_UNUSED static char *
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

    g_test_add_data_func (bulk, kind, test_local_bulk);
  }
  return g_test_run ();
}
