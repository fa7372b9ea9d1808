/* test-auto-forward.c: TetherAutoForward against the real test sshd, which runs on this
 * machine: a port the test listens on is a port listening on "the server", and its local
 * forward (on the next free port, since the port itself is taken here) reaches it. Every
 * wait iterates the main context until a condition holds, with a timeout that fails the
 * test.
 */
#include "config.h"

#include <gio/gio.h>

#include "tether.h"
#include "tether-test-host.h"
#include "tether-test-server.h"
#include "tether-test-wait.h"

/* Generous: two cores are shared by parallel tests and sanitizer builds. */
#define WAIT_TIMEOUT_MS (60 * 1000)
#define INTERVAL_S 1
#define PORT_MAX 65535

typedef struct
{
  TetherTestServer *server;
  TetherHost *host;
  TetherHostSession *session;
  TetherAutoForward *auto_forward;
} Fixture;

static gboolean
session_ready (gpointer data)
{
  return tether_host_session_get_state (data) == TETHER_HOST_SESSION_STATE_READY;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->server = tether_test_server_new_or_skip (TETHER_TEST_SERVER_OPENSSH, NULL);
  if (f->server == NULL)
    return;
  f->host = tether_test_server_new_host (f->server);
  f->session = tether_host_session_new (f->host);
}

static void
fixture_start (Fixture *f)
{
  f->auto_forward = tether_auto_forward_new (f->session);
  tether_auto_forward_set_interval (f->auto_forward, INTERVAL_S);
  tether_host_session_connect_async (f->session, NULL, NULL, NULL);
  tether_test_wait_until (session_ready, f->session, WAIT_TIMEOUT_MS, "the login");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->server == NULL)
    return;
  g_clear_object (&f->auto_forward);
  tether_host_session_close (f->session);
  g_clear_object (&f->session);
  g_clear_object (&f->host);
  tether_test_drain_main_context ();
  g_clear_pointer (&f->server, tether_test_server_free);
}

/* A listener on 127.0.0.1:@port (0: the kernel's choice, put in *@port). */
static GSocketListener *
listen_loopback (guint *port)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, *port);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error));
  g_assert_no_error (error);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return g_steal_pointer (&listener);
}

/* A port free now (the kernel's pick, which it does not hand out again soon). */
static guint
reserve_port (void)
{
  guint port = 0;
  g_autoptr(GSocketListener) listener = listen_loopback (&port);

  g_socket_listener_close (listener);
  return port;
}

typedef struct
{
  TetherAutoForward *auto_forward;
  guint port;
} PortWait;

static gboolean
forward_active (gpointer data)
{
  PortWait *w = data;
  TetherForward *forward = tether_auto_forward_lookup (w->auto_forward, w->port);

  return forward != NULL && tether_forward_get_state (forward) == TETHER_FORWARD_STATE_ACTIVE;
}

static gboolean
forward_gone (gpointer data)
{
  PortWait *w = data;

  return tether_auto_forward_lookup (w->auto_forward, w->port) == NULL;
}

static gboolean
in_list (TetherForwardList *list,
         TetherForward     *forward)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++) {
    g_autoptr(TetherForward) item = g_list_model_get_item (G_LIST_MODEL (list), i);

    if (item == forward)
      return TRUE;
  }
  return FALSE;
}

/* One byte there and back through local port @port to @listener, on threads. */
typedef struct
{
  GSocketListener *listener;
  guint port;
  gboolean served;
  gboolean answered;
  char reply;
} Exchange;

static gpointer
serve_one (gpointer data)
{
  Exchange *x = data;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  char byte = 0;

  connection = g_socket_listener_accept (x->listener, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                          &byte, 1, NULL, NULL, &error));
  g_assert_no_error (error);
  byte = g_ascii_toupper (byte);
  g_assert_true (g_output_stream_write_all (
    g_io_stream_get_output_stream (G_IO_STREAM (connection)), &byte, 1, NULL, NULL, &error));
  g_assert_no_error (error);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  g_idle_add (tether_test_set_flag, &x->served);
  return NULL;
}

static gpointer
ask_one (gpointer data)
{
  Exchange *x = data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", x->port, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (
    g_io_stream_get_output_stream (G_IO_STREAM (connection)), "q", 1, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_input_stream_read_all (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                          &x->reply, 1, NULL, NULL, &error));
  g_assert_no_error (error);
  g_idle_add (tether_test_set_flag, &x->answered);
  return NULL;
}

static void
exchange (GSocketListener *listener,
          guint            local_port)
{
  Exchange x = { listener, local_port, FALSE, FALSE, 0 };
  GThread *server = g_thread_new ("test-serve", serve_one, &x);
  GThread *client = g_thread_new ("test-ask", ask_one, &x);

  tether_test_wait_until (tether_test_flag_is_set, &x.answered, WAIT_TIMEOUT_MS,
                          "the reply through the forward");
  tether_test_wait_until (tether_test_flag_is_set, &x.served, WAIT_TIMEOUT_MS,
                          "the server's side");
  g_thread_join (server);
  g_thread_join (client);
  g_assert_cmpint (x.reply, ==, 'Q');
}

/* Ports the filter names, listening before the login: forwarded from the next free local
 * port (this machine is the server), reachable, gone with their listener, and gone when the
 * host's option is turned off. */
static void
test_named_ports (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GSocketListener) listener = NULL;
  g_autoptr(GSocketListener) second = NULL;
  g_autofree char *filter = NULL;
  TetherForwardList *list;
  TetherForward *forward;
  TetherForward *second_forward;
  guint port = 0;
  guint second_port = 0;
  PortWait w;
  PortWait second_w;

  if (f->server == NULL)
    return;
  listener = listen_loopback (&port);
  second = listen_loopback (&second_port);
  filter = g_strdup_printf ("%u, %u", port, second_port);
  tether_host_set_auto_forward_ports_filter (f->host, filter);
  tether_host_set_auto_forward_ports (f->host, TRUE);
  fixture_start (f);
  g_assert_true (tether_auto_forward_get_active (f->auto_forward));
  list = tether_host_session_get_forwards (f->session);

  w = (PortWait) { f->auto_forward, port };
  second_w = (PortWait) { f->auto_forward, second_port };
  tether_test_wait_until (forward_active, &w, WAIT_TIMEOUT_MS, "the port's forward");
  tether_test_wait_until (forward_active, &second_w, WAIT_TIMEOUT_MS, "the other forward");
  forward = tether_auto_forward_lookup (f->auto_forward, port);
  second_forward = tether_auto_forward_lookup (f->auto_forward, second_port);
  g_assert_true (in_list (list, forward));
  g_assert_true (in_list (list, second_forward));
  g_assert_cmpint (tether_forward_get_kind (forward), ==, TETHER_FORWARD_KIND_LOCAL);
  g_assert_cmpstr (tether_forward_get_destination_host (forward), ==, "localhost");
  g_assert_cmpuint (tether_forward_get_destination_port (forward), ==, port);
  /* The port itself is taken here, by the "server". */
  g_assert_cmpuint (tether_forward_get_bound_port (forward), !=, port);
  g_assert_cmpuint (tether_forward_get_bound_port (forward), !=, 0);
  g_assert_false (tether_forward_get_pinned (forward));
  /* Only the named ports: not the sshd's, nor the forwards' own ends seen on "the server". */
  g_assert_null (tether_auto_forward_lookup (f->auto_forward,
                                             tether_test_server_get_port (f->server)));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);

  exchange (listener, tether_forward_get_bound_port (forward));
  exchange (second, tether_forward_get_bound_port (second_forward));

  /* Its listener closes: the forward goes. */
  g_object_ref (forward);
  g_socket_listener_close (listener);
  tether_test_wait_until (forward_gone, &w, WAIT_TIMEOUT_MS, "the forward to go");
  g_assert_false (in_list (list, forward));
  g_object_unref (forward);

  /* The option is turned off: what it made goes, and it stops looking. */
  tether_host_set_auto_forward_ports (f->host, FALSE);
  g_assert_false (tether_auto_forward_get_active (f->auto_forward));
  g_assert_null (tether_auto_forward_lookup (f->auto_forward, second_port));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  g_assert_cmpuint (tether_remote_ports_get_refresh_interval (
                      tether_auto_forward_get_remote_ports (f->auto_forward)), ==, 0);
}

static gboolean
listed (gpointer data)
{
  PortWait *w = data;

  return tether_remote_ports_lookup (tether_auto_forward_get_remote_ports (w->auto_forward),
                                     w->port) != NULL;
}

typedef struct
{
  TetherRemotePorts *ports;
  guint n_done;
} Refreshes;

static void
on_loading (TetherRemotePorts *ports,
            GParamSpec        *pspec,
            Refreshes         *r)
{
  if (!tether_remote_ports_get_loading (ports))
    r->n_done++;
}

static gboolean
two_more_refreshes (gpointer data)
{
  return ((Refreshes *) data)->n_done >= 2;
}

/* With a filter naming no port (every port but those after !), a port that starts listening
 * after the login is forwarded; one the user removes stays removed while it listens. */
static void
test_new_port (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GSocketListener) listener = NULL;
  g_autofree char *filter = NULL;
  TetherForwardList *list;
  TetherForward *forward;
  Refreshes r = { NULL, 0 };
  PortWait w;
  guint port;

  if (f->server == NULL)
    return;
  port = reserve_port ();
  /* Every port but the reserved one is denied, so that other programs are left alone. */
  filter = g_strdup_printf ("!1-%u,!%u-%u", port - 1, port + 1, PORT_MAX);
  tether_host_set_auto_forward_ports_filter (f->host, filter);
  tether_host_set_auto_forward_ports (f->host, TRUE);
  fixture_start (f);
  list = tether_host_session_get_forwards (f->session);
  w = (PortWait) { f->auto_forward, tether_test_server_get_port (f->server) };
  /* The first look is done: the sshd's port is in it. */
  tether_test_wait_until (listed, &w, WAIT_TIMEOUT_MS, "the first look at the ports");

  listener = listen_loopback (&port);
  w.port = port;
  tether_test_wait_until (forward_active, &w, WAIT_TIMEOUT_MS, "the new port's forward");
  forward = tether_auto_forward_lookup (f->auto_forward, port);
  g_assert_true (in_list (list, forward));
  exchange (listener, tether_forward_get_bound_port (forward));

  /* The user removes it: it stays removed while the port listens. */
  tether_forward_list_remove (list, forward);
  r.ports = tether_auto_forward_get_remote_ports (f->auto_forward);
  g_signal_connect (r.ports, "notify::loading", G_CALLBACK (on_loading), &r);
  tether_test_wait_until (two_more_refreshes, &r, WAIT_TIMEOUT_MS, "two more looks");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  g_signal_handlers_disconnect_by_data (r.ports, &r);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/tether/auto-forward/openssh/named-ports", Fixture, NULL,
              fixture_set_up, test_named_ports, fixture_tear_down);
  g_test_add ("/tether/auto-forward/openssh/new-port", Fixture, NULL,
              fixture_set_up, test_new_port, fixture_tear_down);

  return g_test_run ();
}
