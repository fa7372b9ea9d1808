/* test-forwards.c: the port forwards panel and the Add/Edit Forward dialog. The dialog's
 * checks need no server; the panel's live state, counters and switch are driven through a
 * real sshd (tests/fixtures), with a TCP echo server on 127.0.0.1 as the destination. Runs
 * under Xvfb; the server needs root, and the tests that need it skip without it. */
#include "config.h"

#include <adwaita.h>
#include <glib/gstdio.h>
#include <string.h>
#include <tether.h>

#include "tether-forward-dialog.h"
#include "tether-forwards-panel.h"

#include "tether-ui-test.h"

/* The rows' second line keeps each amount on one line. */
#define NBSP "\u00a0"

static TetherApplication *app;
static TetherTestServer *server;

/* A host of the test server under its own alias: a session no other test shares. */
static TetherHost *
new_host_named (const char *alias)
{
  g_autoptr(TetherHost) template = tether_ui_test_new_host (server);
  TetherHost *host = tether_host_new (alias);

  tether_host_set_hostname (host, tether_host_get_hostname (template));
  tether_host_set_port (host, tether_host_get_port (template));
  tether_host_set_user (host, tether_host_get_user (template));
  tether_host_set_identity_files (host, tether_host_get_identity_files (template));
  tether_host_set_identities_only (host, TRUE);
  tether_host_set_known_hosts_file (host, tether_host_get_known_hosts_file (template));
  tether_host_set_label (host, "Test Server");
  return host;
}

/* ------------------------------------------------------------------------- */
/* A TCP echo server on 127.0.0.1, closing when its client is done            */

typedef struct {
  GSocketService *service;
  GPtrArray *connections;
  guint16 port;
} EchoServer;

/* The client is done: close, which sends it (through sshd and the forward) its EOF. The
 * streams' own close does not shut a socket down. */
static void
on_echo_spliced (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GSocketConnection) connection = user_data;

  g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, NULL);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
}

static gboolean
on_echo_incoming (GSocketService    *service,
                  GSocketConnection *connection,
                  GObject           *source_object,
                  EchoServer        *echo)
{
  g_ptr_array_add (echo->connections, g_object_ref (connection));
  g_output_stream_splice_async (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                G_OUTPUT_STREAM_SPLICE_NONE, G_PRIORITY_DEFAULT, NULL,
                                on_echo_spliced, g_object_ref (connection));
  return TRUE;
}

static EchoServer *
echo_server_new (void)
{
  EchoServer *echo = g_new0 (EchoServer, 1);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  echo->connections = g_ptr_array_new_with_free_func (g_object_unref);
  echo->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (echo->service), address,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound,
                                 &error);
  g_assert_no_error (error);
  echo->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_signal_connect (echo->service, "incoming", G_CALLBACK (on_echo_incoming), echo);
  g_socket_service_start (echo->service);
  return echo;
}

static void
echo_server_free (EchoServer *echo)
{
  g_socket_service_stop (echo->service);
  g_socket_listener_close (G_SOCKET_LISTENER (echo->service));
  g_signal_handlers_disconnect_by_data (echo->service, echo);
  g_clear_object (&echo->service);
  for (guint i = 0; i < echo->connections->len; i++)
    g_io_stream_close (g_ptr_array_index (echo->connections, i), NULL, NULL);
  g_clear_pointer (&echo->connections, g_ptr_array_unref);
  g_free (echo);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EchoServer, echo_server_free)

/* A port on 127.0.0.1 that nothing listens on right now. */
static guint16
free_local_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* Connects to 127.0.0.1:@port; NULL with @error when it is refused. */
static GSocketConnection *
connect_local (guint16   port,
               GError  **error)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GAsyncResult) result = NULL;

  g_socket_client_connect_to_host_async (client, "127.0.0.1", port, NULL,
                                         tether_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  return g_socket_client_connect_to_host_finish (client, result, error);
}

/* Whether nothing listens on 127.0.0.1:@port: a connection is refused. */
static gboolean
connect_refused (guint16 port)
{
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = connect_local (port, &error);
  if (connection != NULL)
    g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
}

/* A stopped forward's listener closes on its connection's thread, just after the state
 * says so: connect until it is refused, or fail at the deadline. */
static void
wait_refused (guint16 port)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_TIMEOUT_SECONDS * G_USEC_PER_SEC;

  while (!connect_refused (port))
    g_assert_cmpint (g_get_monotonic_time (), <, deadline);
}

/* ------------------------------------------------------------------------- */
/* The dialog                                                                 */

static void
type_into (TetherForwardDialog *dialog,
           const char          *id,
           const char          *text)
{
  gtk_editable_set_text (GTK_EDITABLE (tether_ui_test_get_widget (dialog, id)), text);
}

static gboolean
save_sensitive (TetherForwardDialog *dialog)
{
  return gtk_widget_get_sensitive (tether_ui_test_get_widget (dialog, "save_button"));
}

static const char *
shown_error (TetherForwardDialog *dialog)
{
  GtkWidget *label = tether_ui_test_get_widget (dialog, "error_label");

  return gtk_widget_get_visible (label) ? gtk_label_get_text (GTK_LABEL (label)) : NULL;
}

static const char *
shown_warning (TetherForwardDialog *dialog)
{
  GtkWidget *label = tether_ui_test_get_widget (dialog, "warning_label");

  return gtk_widget_get_visible (label) ? gtk_label_get_text (GTK_LABEL (label)) : NULL;
}

static TetherForwardDialog *
open_dialog (TetherForwardList *list,
             guint              kind_item)
{
  TetherForwardDialog *dialog = tether_forward_dialog_new (NULL, list, NULL);

  adw_combo_row_set_selected (ADW_COMBO_ROW (tether_ui_test_get_widget (dialog, "kind_row")),
                              kind_item);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

static void
close_dialog (TetherForwardDialog *dialog)
{
  gpointer weak = dialog;

  g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
  gtk_window_destroy (GTK_WINDOW (dialog));
  WAIT_UNTIL (weak == NULL);
}

/* Bad ports are refused inline, privileged ones warned about, and a valid forward is added
 * as the fields say; a port another forward listens on is refused. */
static void
test_dialog_validation (void)
{
  g_autoptr(TetherHost) host = tether_host_new_for_destination ("tester@dialog.test:2222",
                                                                 NULL);
  g_autoptr(TetherHostSession) session = tether_host_session_new (host);
  TetherForwardList *list = tether_host_session_get_forwards (session);
  TetherForwardDialog *dialog = open_dialog (list, 0);
  GtkWidget *port_row = tether_ui_test_get_widget (dialog, "bind_port_row");
  g_autoptr(TetherForward) forward = NULL;
  gpointer weak;

  /* Nothing typed yet: nothing to save, and no error shouted at the user. */
  g_assert_false (save_sensitive (dialog));
  g_assert_null (shown_error (dialog));

  type_into (dialog, "bind_port_row", "70000");
  type_into (dialog, "destination_host_row", "db");
  type_into (dialog, "destination_port_row", "5432");
  g_assert_false (save_sensitive (dialog));
  g_assert_nonnull (shown_error (dialog));
  g_assert_nonnull (strstr (shown_error (dialog), "65535"));
  g_assert_true (gtk_widget_has_css_class (port_row, "error"));

  type_into (dialog, "bind_port_row", "80a");
  g_assert_false (save_sensitive (dialog));
  g_assert_true (gtk_widget_has_css_class (port_row, "error"));

  /* Valid but privileged: a warning that does not stop saving. */
  type_into (dialog, "bind_port_row", "80");
  g_assert_true (save_sensitive (dialog));
  g_assert_null (shown_error (dialog));
  g_assert_false (gtk_widget_has_css_class (port_row, "error"));
  g_assert_nonnull (shown_warning (dialog));
  g_assert_nonnull (strstr (shown_warning (dialog), "1024"));

  type_into (dialog, "bind_port_row", "8080");
  g_assert_null (shown_warning (dialog));
  g_assert_true (save_sensitive (dialog));

  /* A local forward goes somewhere. */
  type_into (dialog, "destination_host_row", "");
  type_into (dialog, "destination_port_row", "");
  g_assert_false (save_sensitive (dialog));
  g_assert_nonnull (shown_error (dialog));
  type_into (dialog, "destination_host_row", "db");
  type_into (dialog, "destination_port_row", "5432");

  /* Enter in a field saves, as the Save button does. */
  weak = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
  g_signal_emit_by_name (tether_ui_test_get_widget (dialog, "destination_port_row"),
                         "entry-activated");
  WAIT_UNTIL (weak == NULL);

  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);
  forward = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_cmpint (tether_forward_get_kind (forward), ==, TETHER_FORWARD_KIND_LOCAL);
  g_assert_cmpuint (tether_forward_get_bind_port (forward), ==, 8080);
  g_assert_cmpstr (tether_forward_get_destination_host (forward), ==, "db");
  g_assert_cmpuint (tether_forward_get_destination_port (forward), ==, 5432);

  /* Port 8080 of this computer is taken now, for a SOCKS proxy too; the server's is not. */
  dialog = open_dialog (list, 2);
  type_into (dialog, "bind_port_row", "8080");
  g_assert_false (save_sensitive (dialog));
  g_assert_nonnull (strstr (shown_error (dialog), "8080"));
  type_into (dialog, "bind_port_row", "1080");
  g_assert_true (save_sensitive (dialog));
  close_dialog (dialog);

  /* A remote forward without a destination is a SOCKS proxy on the server. */
  dialog = open_dialog (list, 1);
  type_into (dialog, "bind_port_row", "8080");
  g_assert_true (save_sensitive (dialog));
  g_assert_nonnull (tether_forward_dialog_save (dialog));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);
  g_clear_object (&forward);
  forward = g_list_model_get_item (G_LIST_MODEL (list), 1);
  g_assert_cmpint (tether_forward_get_kind (forward), ==, TETHER_FORWARD_KIND_REMOTE);
  g_assert_cmpuint (tether_forward_get_bind_port (forward), ==, 8080);
  g_assert_null (tether_forward_get_destination_host (forward));

  /* Editing fills the fields in, and saving replaces the forward. */
  dialog = tether_forward_dialog_new (NULL, list, forward);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (tether_ui_test_get_widget (
                     dialog, "bind_port_row"))), ==, "8080");
  type_into (dialog, "bind_port_row", "9090");
  g_assert_nonnull (tether_forward_dialog_save (dialog));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 2);
  g_clear_object (&forward);
  forward = g_list_model_get_item (G_LIST_MODEL (list), 1);
  g_assert_cmpuint (tether_forward_get_bind_port (forward), ==, 9090);
}

/* What the panel says about forwards, whatever their state. */
static void
test_summary (void)
{
  static const struct {
    TetherForwardKind kind;
    const char *spec;
    const char *summary;
    gboolean http;
  } cases[] = {
    { TETHER_FORWARD_KIND_LOCAL, "8080 db:5432", "localhost:8080 → db:5432", TRUE },
    { TETHER_FORWARD_KIND_LOCAL, "[::1]:2222 host:22", "[::1]:2222 → host:22", FALSE },
    { TETHER_FORWARD_KIND_DYNAMIC, "1080", "SOCKS on localhost:1080", FALSE },
    { TETHER_FORWARD_KIND_REMOTE, "9000 localhost:3000", "server :9000 → localhost:3000",
      FALSE },
    { TETHER_FORWARD_KIND_REMOTE, "1080", "SOCKS on server :1080", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(TetherForwardSpec) spec = tether_forward_spec_parse (cases[i].kind, cases[i].spec,
                                                                   &error);
    g_autoptr(TetherForward) forward = NULL;
    g_autofree char *summary = NULL;

    g_assert_no_error (error);
    forward = tether_forward_new_from_spec (spec);
    summary = tether_forward_dup_summary (forward);
    g_assert_cmpstr (summary, ==, cases[i].summary);
    g_assert_cmpint (tether_forward_looks_like_http (forward), ==, cases[i].http);
  }
}

/* ------------------------------------------------------------------------- */
/* The panel, on a connected host                                             */

typedef struct {
  TetherHostSession *session;
  GtkWindow *window;
  TetherForwardsPanel *panel;
  EchoServer *echo;
} PanelFixture;

static void
panel_set_up (PanelFixture  *fixture,
              gconstpointer  data)
{
  g_autofree char *alias = NULL;
  g_autoptr(TetherHost) host = NULL;
  static guint n;

  if (server == NULL) {
    g_test_skip ("No test server: it needs root and sshd");
    return;
  }

  alias = g_strdup_printf ("forwards-%u.test", n++);
  host = new_host_named (alias);
  fixture->session = g_object_ref (tether_ui_test_session_for (app, host));
  fixture->echo = echo_server_new ();
  fixture->window = tether_forwards_panel_present (NULL, fixture->session);
  g_object_add_weak_pointer (G_OBJECT (fixture->window), (gpointer *) &fixture->window);
  fixture->panel = TETHER_FORWARDS_PANEL (adw_window_get_content (ADW_WINDOW (fixture->window)));
}

static void
panel_tear_down (PanelFixture  *fixture,
                 gconstpointer  data)
{
  if (fixture->window != NULL)
    gtk_window_destroy (fixture->window);
  WAIT_UNTIL (fixture->window == NULL);
  if (fixture->session != NULL)
    tether_host_session_close (fixture->session);
  g_clear_object (&fixture->session);
  g_clear_pointer (&fixture->echo, echo_server_free);
}

static gboolean
match_name (GtkWidget     *widget,
            gconstpointer  name)
{
  return g_strcmp0 (gtk_widget_get_name (widget), name) == 0;
}

static gboolean
match_type (GtkWidget     *widget,
            gconstpointer  type)
{
  return G_TYPE_CHECK_INSTANCE_TYPE (widget, GPOINTER_TO_SIZE (type));
}

/* The panel's row of the @index-th forward. */
static GtkWidget *
forward_row (PanelFixture *fixture,
             guint         index)
{
  GtkListBox *list = GTK_LIST_BOX (tether_ui_test_get_widget (fixture->panel, "forwards_list"));

  return GTK_WIDGET (gtk_list_box_get_row_at_index (list, index));
}

static const char *
row_state (GtkWidget *row)
{
  return gtk_label_get_text (GTK_LABEL (tether_ui_test_find_descendant (row, match_name,
                                                                        "state")));
}

/* The row's title as read: without the word joiners that keep addresses on one line. */
static char *
row_title (GtkWidget *row)
{
  g_auto(GStrv) parts = g_strsplit (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                                    "\u2060", -1);

  return g_strjoinv ("", parts);
}

static const char *
row_details (GtkWidget *row)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (row));
}

static GtkSwitch *
row_switch (GtkWidget *row)
{
  return GTK_SWITCH (tether_ui_test_find_descendant (row, match_type,
                                                     GSIZE_TO_POINTER (GTK_TYPE_SWITCH)));
}

static TetherForward *
add_echo_forward (PanelFixture *fixture,
                  guint16      *port)
{
  g_autofree char *text = NULL;
  g_autoptr(TetherForwardSpec) spec = NULL;
  g_autoptr(GError) error = NULL;
  TetherForward *forward;

  *port = free_local_port ();
  text = g_strdup_printf ("127.0.0.1:%u 127.0.0.1:%u", *port, fixture->echo->port);
  spec = tether_forward_spec_parse (TETHER_FORWARD_KIND_LOCAL, text, &error);
  g_assert_no_error (error);
  forward = tether_forward_list_add_spec (tether_host_session_get_forwards (fixture->session),
                                          spec, FALSE);
  tether_forward_start (forward);
  g_object_unref (forward);  /* the list holds it */
  return forward;
}

/* The panel shows a forward of a connected host, and its counters follow the data. */
static void
test_panel_counters (PanelFixture  *fixture,
                     gconstpointer  data)
{
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *title = NULL;
  g_autofree char *shown = NULL;
  char buffer[5] = { 0 };
  gssize n_read = 0;
  GtkWidget *row;
  guint16 port;

  if (fixture->session == NULL)
    return;

  add_echo_forward (fixture, &port);
  WAIT_UNTIL ((row = forward_row (fixture, 0)) != NULL &&
              g_str_equal (row_state (row), "Active"));
  title = g_strdup_printf ("127.0.0.1:%u → 127.0.0.1:%u", port, fixture->echo->port);
  shown = row_title (row);
  g_assert_cmpstr (shown, ==, title);
  g_assert_true (gtk_switch_get_active (row_switch (row)));
  before = g_strdup (row_details (row));
  g_assert_nonnull (strstr (before, "0" NBSP "open"));

  connection = connect_local (port, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                             "hello", 5, NULL, NULL, &error);
  g_assert_no_error (error);
  /* The echo comes back through the server: both counters have something to count. */
  while (n_read < 5) {
    g_autoptr(GAsyncResult) result = NULL;
    gssize n;

    g_input_stream_read_async (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                               buffer + n_read, sizeof buffer - n_read, G_PRIORITY_DEFAULT,
                               NULL, tether_test_store_result, &result);
    WAIT_UNTIL (result != NULL);
    n = g_input_stream_read_finish (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                    result, &error);
    g_assert_no_error (error);
    g_assert_cmpint (n, >, 0);
    n_read += n;
  }
  g_assert_cmpmem (buffer, 5, "hello", 5);

  WAIT_UNTIL (g_strcmp0 (row_details (forward_row (fixture, 0)), before) != 0 &&
              strstr (row_details (forward_row (fixture, 0)), "1" NBSP "open") != NULL &&
              strstr (row_details (forward_row (fixture, 0)), "5" NBSP "bytes") != NULL);
  g_test_message ("%s", row_details (forward_row (fixture, 0)));

  /* Closing the connection shows too. */
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  WAIT_UNTIL (strstr (row_details (forward_row (fixture, 0)), "0" NBSP "open") != NULL);
}

/* The switch stops the forward (nothing listens any more) and starts it again. */
static void
test_panel_switch (PanelFixture  *fixture,
                   gconstpointer  data)
{
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GError) error = NULL;
  TetherForward *forward;
  GtkWidget *row;
  guint16 port;

  if (fixture->session == NULL)
    return;

  forward = add_echo_forward (fixture, &port);
  WAIT_UNTIL ((row = forward_row (fixture, 0)) != NULL &&
              g_str_equal (row_state (row), "Active"));

  gtk_switch_set_active (row_switch (row), FALSE);
  WAIT_UNTIL (g_str_equal (row_state (forward_row (fixture, 0)), "Stopped"));
  g_assert_cmpint (tether_forward_get_state (forward), ==, TETHER_FORWARD_STATE_STOPPED);
  g_assert_false (gtk_switch_get_active (row_switch (forward_row (fixture, 0))));
  wait_refused (port);

  gtk_switch_set_active (row_switch (forward_row (fixture, 0)), TRUE);
  WAIT_UNTIL (g_str_equal (row_state (forward_row (fixture, 0)), "Active"));
  connection = connect_local (port, &error);
  g_assert_no_error (error);

  /* Removing it from its menu takes the row away, and the listener with it. */
  g_assert_true (gtk_widget_activate_action (forward_row (fixture, 0), "forward.remove", NULL));
  WAIT_UNTIL (g_list_model_get_n_items (G_LIST_MODEL (tether_host_session_get_forwards (
                                          fixture->session))) == 0);
  g_assert_null (forward_row (fixture, 0));
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  wait_refused (port);
}

/* The remote ports list's row of @port, or NULL. */
static GtkWidget *
remote_row (PanelFixture *fixture,
            guint         port)
{
  GtkListBox *list = GTK_LIST_BOX (tether_ui_test_get_widget (fixture->panel, "remote_list"));
  g_autofree char *title = g_strdup_printf ("Port %u", port);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row)) {
    if (ADW_IS_ACTION_ROW (row) &&
        g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), title) == 0)
      return row;
  }
  return NULL;
}

/* The server's ports show while the panel does, and one click forwards one: on the next
 * free port here, since the test's own listener has the same port on this machine. */
static void
test_remote_ports (PanelFixture  *fixture,
                   gconstpointer  data)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherForward) forward = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autofree char *subtitle = NULL;
  TetherForwardList *forwards;
  GtkWidget *row;
  GtkWidget *button;
  TetherHost *host;
  GtkSwitch *auto_switch;

  if (fixture->session == NULL)
    return;

  tether_host_session_connect_async (fixture->session, NULL, tether_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  tether_host_session_connect_finish (fixture->session, result, &error);
  g_assert_no_error (error);

  /* The echo server listens on the server's machine too (both are 127.0.0.1). */
  WAIT_UNTIL ((row = remote_row (fixture, fixture->echo->port)) != NULL);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "127.0.0.1"));
  button = tether_ui_test_find_descendant (row, match_type, GSIZE_TO_POINTER (GTK_TYPE_BUTTON));
  g_assert_true (gtk_widget_get_visible (button));
  g_assert_nonnull (gtk_widget_get_tooltip_text (button));

  g_signal_emit_by_name (button, "clicked");
  forwards = tether_host_session_get_forwards (fixture->session);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (forwards)), ==, 1);
  forward = g_list_model_get_item (G_LIST_MODEL (forwards), 0);
  g_assert_cmpint (tether_forward_get_kind (forward), ==, TETHER_FORWARD_KIND_LOCAL);
  g_assert_cmpuint (tether_forward_get_destination_port (forward), ==, fixture->echo->port);
  /* Taken here by the echo server itself: the next free one. */
  g_assert_cmpuint (tether_forward_get_bind_port (forward), >, fixture->echo->port);
  WAIT_UNTIL (tether_forward_get_state (forward) == TETHER_FORWARD_STATE_ACTIVE);

  subtitle = g_strdup_printf ("Forwarded to localhost:%u", tether_forward_get_bind_port (forward));
  row = remote_row (fixture, fixture->echo->port);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), subtitle));
  g_assert_false (gtk_widget_get_visible (button));
  connection = connect_local (tether_forward_get_bind_port (forward), &error);
  g_assert_no_error (error);

  /* The host's switch. */
  host = tether_host_session_get_host (fixture->session);
  auto_switch = GTK_SWITCH (tether_ui_test_get_widget (fixture->panel, "auto_forward_switch"));
  g_assert_false (gtk_switch_get_active (auto_switch));
  gtk_switch_set_active (auto_switch, TRUE);
  g_assert_true (tether_host_get_auto_forward_ports (host));
  tether_host_set_auto_forward_ports (host, FALSE);
  g_assert_false (gtk_switch_get_active (auto_switch));
}

/* The panel opens from the window's action (for a host and for the selected tab), the tab
 * menu's, and shows each host's window once. */
static GtkWindow *
find_panel_window (TetherHostSession *session)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++) {
    g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);
    GtkWidget *content;

    if (!ADW_IS_WINDOW (window))
      continue;
    content = adw_window_get_content (ADW_WINDOW (window));
    if (TETHER_IS_FORWARDS_PANEL (content) &&
        tether_forwards_panel_get_session (TETHER_FORWARDS_PANEL (content)) == session)
      return window;
  }
  return NULL;
}

static gboolean
is_label_containing (GtkWidget     *widget,
                     gconstpointer  needle)
{
  return GTK_IS_LABEL (widget) &&
         strstr (gtk_label_get_label (GTK_LABEL (widget)), needle) != NULL;
}

static void
test_window_action (TetherUiTestWindowFixture *fixture,
                    gconstpointer              data)
{
  g_autoptr(TetherHost) host = NULL;
  TetherHostSession *session;
  GtkWindow *panel_window;
  AdwTabPage *tab;

  if (fixture->window == NULL)
    return;

  /* No terminal tab: no host to show, and a toast that says where to look. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-forwards",
                                             "s", ""));
  WAIT_UNTIL (tether_ui_test_find_descendant (GTK_WIDGET (fixture->window), is_label_containing,
                                              "Port Forwards in its menu") != NULL);

  host = new_host_named ("forwards-window.test");
  session = tether_ui_test_session_for (app, host);
  tab = tether_window_open_host (fixture->window, host);
  WAIT_UNTIL (tether_ui_test_is_connected (tether_ui_test_tab_terminal (tab)));
  g_assert_null (find_panel_window (session));

  /* "" is the selected tab's host. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-forwards",
                                             "s", ""));
  WAIT_UNTIL ((panel_window = find_panel_window (session)) != NULL);
  g_assert_true (gtk_window_get_transient_for (panel_window) == GTK_WINDOW (fixture->window));
  gtk_window_destroy (panel_window);
  WAIT_UNTIL (find_panel_window (session) == NULL);

  /* By the host's name, twice: one window. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-forwards",
                                             "s", "forwards-window.test"));
  WAIT_UNTIL ((panel_window = find_panel_window (session)) != NULL);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "win.show-forwards",
                                             "s", "forwards-window.test"));
  g_assert_true (find_panel_window (session) == panel_window);
  gtk_window_destroy (panel_window);
  WAIT_UNTIL (find_panel_window (session) == NULL);

  /* The tab menu's. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (fixture->window), "tab.forwards",
                                             NULL));
  WAIT_UNTIL ((panel_window = find_panel_window (session)) != NULL);
  gtk_window_destroy (panel_window);
  WAIT_UNTIL (find_panel_window (session) == NULL);
}

static gboolean
has_hosts_line (TetherHostStore *store,
                const char      *line)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (tether_host_store_get_hosts_path (store), &contents, NULL, NULL))
    return FALSE;
  return strstr (contents, line) != NULL;
}

/* The auto-forward switch and port filter of a saved host are written to hosts.conf; a
 * filter that does not parse is refused in place and changes nothing. */
static void
test_auto_forward_saved (TetherUiTestWindowFixture *fixture,
                         gconstpointer              data)
{
  g_autoptr(TetherHost) host = NULL;
  g_autoptr(TetherHost) resolved = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  TetherHostStore *store;
  TetherHost *saved = NULL;
  TetherHostSession *session;
  TetherForwardsPanel *panel;
  GtkWindow *panel_window;
  GtkWidget *filter_row;

  if (fixture->window == NULL)
    return;

  store = tether_window_get_host_store (fixture->window);
  WAIT_UNTIL (tether_host_store_get_loaded (store));
  host = new_host_named ("forwards-saved.test");
  tether_host_store_add_async (store, host, NULL, tether_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_true (tether_host_store_add_finish (store, result, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (store)); i++) {
    g_autoptr(TetherHost) item = g_list_model_get_item (G_LIST_MODEL (store), i);

    if (g_strcmp0 (tether_host_get_alias (item), "forwards-saved.test") == 0)
      saved = item;
  }
  g_assert_nonnull (saved);
  g_assert_false (has_hosts_line (store, "auto-forward-ports"));

  resolved = tether_host_store_lookup (store, "forwards-saved.test");
  session = tether_ui_test_session_for (app, resolved);
  panel_window = tether_forwards_panel_present (GTK_WINDOW (fixture->window), session);
  panel = TETHER_FORWARDS_PANEL (adw_window_get_content (ADW_WINDOW (panel_window)));

  gtk_switch_set_active (GTK_SWITCH (tether_ui_test_get_widget (GTK_WIDGET (panel),
                                                                "auto_forward_switch")), TRUE);
  WAIT_UNTIL (has_hosts_line (store, "auto-forward-ports=yes"));

  filter_row = tether_ui_test_get_widget (GTK_WIDGET (panel), "auto_forward_filter_row");
  gtk_editable_set_text (GTK_EDITABLE (filter_row), "3000-oops");
  g_signal_emit_by_name (filter_row, "apply");
  g_assert_true (gtk_widget_has_css_class (filter_row, "error"));
  g_assert_null (tether_host_get_auto_forward_ports_filter (tether_host_session_get_host (
    session)));

  gtk_editable_set_text (GTK_EDITABLE (filter_row), "3000-3999, !3306");
  g_assert_false (gtk_widget_has_css_class (filter_row, "error"));
  g_signal_emit_by_name (filter_row, "apply");
  g_assert_cmpstr (tether_host_get_auto_forward_ports_filter (tether_host_session_get_host (
    session)), ==, "3000-3999, !3306");
  WAIT_UNTIL (has_hosts_line (store, "auto-forward-ports-filter=3000-3999, !3306"));
  g_assert_true (tether_host_get_auto_forward_ports (saved) ||
                 has_hosts_line (store, "auto-forward-ports=yes"));

  gtk_window_destroy (panel_window);
  WAIT_UNTIL (find_panel_window (session) == NULL);
}

/* ------------------------------------------------------------------------- */
/* Forwards added or changed in the panel are the saved host's                 */

static TetherForwardDialog *
find_forward_dialog (void)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++) {
    g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

    if (TETHER_IS_FORWARD_DIALOG (window) && gtk_widget_get_visible (GTK_WIDGET (window)))
      return TETHER_FORWARD_DIALOG (window);
  }
  return NULL;
}

/* Saves what the dialog on screen says, and waits for it to go. */
static void
save_forward_dialog (TetherForwardDialog *dialog)
{
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (save_sensitive (dialog));
  g_assert_nonnull (tether_forward_dialog_save (dialog));
  WAIT_UNTIL (dialog == NULL);
}

/* The bind ports of @list's forwards, in order, as "a b c". */
static char *
dup_bind_ports (TetherForwardList *list)
{
  GString *ports = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++) {
    g_autoptr(TetherForward) forward = g_list_model_get_item (G_LIST_MODEL (list), i);

    g_string_append_printf (ports, "%s%u", i > 0 ? " " : "", tether_forward_get_bind_port (
                              forward));
  }
  return g_string_free (ports, FALSE);
}

/* Where @needle is in hosts.conf, or -1. */
static int
hosts_offset (TetherHostStore *store,
              const char      *needle)
{
  g_autofree char *contents = NULL;
  const char *found;

  if (!g_file_get_contents (tether_host_store_get_hosts_path (store), &contents, NULL, NULL))
    return -1;
  found = strstr (contents, needle);
  return found != NULL ? found - contents : -1;
}

/* A forward of a saved host edited in the panel keeps its place, in the list and in
 * hosts.conf; one added there is written too; both come back when the hosts are read again,
 * as at the next launch. None of it needs a connection. */
static void
test_panel_saves_to_host (void)
{
  const char * const lines[] = { "18001 localhost:80", "18002 localhost:81",
                                 "18003 localhost:82", NULL };
  TetherWindow *window = NULL;
  g_autoptr(TetherHost) host = tether_host_new ("forwards-kept.test");
  g_autoptr(TetherHost) resolved = NULL;
  g_autoptr(TetherHost) reread = NULL;
  g_autoptr(TetherHostStore) next_launch = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ports = NULL;
  TetherHostStore *store;
  TetherHostSession *session;
  TetherForwardList *forwards;
  GtkWindow *panel_window;
  GtkWidget *panel;
  GtkWidget *row;
  TetherForwardDialog *dialog;
  const char * const *kept;

  tether_ui_test_open_window (app, &window);
  store = tether_window_get_host_store (window);
  WAIT_UNTIL (tether_host_store_get_loaded (store));
  tether_host_set_hostname (host, "127.0.0.1");
  tether_host_set_local_forwards (host, lines);
  tether_host_store_add_async (store, host, NULL, tether_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_true (tether_host_store_add_finish (store, result, &error));
  g_assert_no_error (error);

  /* The session of the saved host, as a tab of it would have. */
  resolved = tether_host_store_lookup (store, "forwards-kept.test");
  session = tether_ui_test_session_for (app, resolved);
  forwards = tether_host_session_get_forwards (session);
  ports = dup_bind_ports (forwards);
  g_assert_cmpstr (ports, ==, "18001 18002 18003");
  g_clear_pointer (&ports, g_free);
  panel_window = tether_forwards_panel_present (GTK_WINDOW (window), session);
  panel = adw_window_get_content (ADW_WINDOW (panel_window));

  /* Edit the middle one, through its row's action as its menu does. */
  row = GTK_WIDGET (gtk_list_box_get_row_at_index (
                      GTK_LIST_BOX (tether_ui_test_get_widget (panel, "forwards_list")), 1));
  g_assert_true (gtk_widget_activate_action (row, "forward.edit", NULL));
  WAIT_UNTIL ((dialog = find_forward_dialog ()) != NULL);
  type_into (dialog, "bind_port_row", "18012");
  save_forward_dialog (dialog);
  ports = dup_bind_ports (forwards);
  g_assert_cmpstr (ports, ==, "18001 18012 18003");
  g_clear_pointer (&ports, g_free);
  row = GTK_WIDGET (gtk_list_box_get_row_at_index (
                      GTK_LIST_BOX (tether_ui_test_get_widget (panel, "forwards_list")), 1));
  g_assert_nonnull (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                            "18012"));
  WAIT_UNTIL (hosts_offset (store, "LocalForward 18012 localhost:81") >= 0);
  g_assert_cmpint (hosts_offset (store, "18002"), ==, -1);
  g_assert_cmpint (hosts_offset (store, "LocalForward 18001 localhost:80"), <,
                   hosts_offset (store, "LocalForward 18012 localhost:81"));
  g_assert_cmpint (hosts_offset (store, "LocalForward 18012 localhost:81"), <,
                   hosts_offset (store, "LocalForward 18003 localhost:82"));

  /* Add one with the header's button. */
  g_assert_true (gtk_widget_activate_action (panel, "forwards.add", NULL));
  WAIT_UNTIL ((dialog = find_forward_dialog ()) != NULL);
  type_into (dialog, "bind_port_row", "18004");
  type_into (dialog, "destination_host_row", "localhost");
  type_into (dialog, "destination_port_row", "83");
  save_forward_dialog (dialog);
  ports = dup_bind_ports (forwards);
  g_assert_cmpstr (ports, ==, "18001 18012 18003 18004");
  WAIT_UNTIL (hosts_offset (store, "LocalForward 18004 localhost:83") >= 0);

  /* The next launch reads them back, in that order. */
  next_launch = tether_host_store_new_for_paths (tether_host_store_get_ssh_config_path (store),
                                                 tether_host_store_get_hosts_path (store));
  tether_host_store_load_default_async (next_launch, NULL, NULL, NULL);
  WAIT_UNTIL (tether_host_store_get_loaded (next_launch));
  /* The host as written (a lookup would give them as ssh -G writes them). */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (next_launch)); i++) {
    g_autoptr(TetherHost) item = g_list_model_get_item (G_LIST_MODEL (next_launch), i);

    if (g_strcmp0 (tether_host_get_alias (item), "forwards-kept.test") == 0)
      g_set_object (&reread, item);
  }
  g_assert_nonnull (reread);
  kept = tether_host_get_local_forwards (reread);
  g_assert_cmpuint (g_strv_length ((char **) kept), ==, 4);
  g_assert_cmpstr (kept[0], ==, "18001 localhost:80");
  g_assert_cmpstr (kept[1], ==, "18012 localhost:81");
  g_assert_cmpstr (kept[2], ==, "18003 localhost:82");
  g_assert_cmpstr (kept[3], ==, "18004 localhost:83");

  g_object_add_weak_pointer (G_OBJECT (panel_window), (gpointer *) &panel_window);
  gtk_window_destroy (panel_window);
  WAIT_UNTIL (panel_window == NULL);
  tether_ui_test_close_windows (app, &window);
}

/* The forward of @alias in a store read afresh from @store's files, as at the next launch. */
static TetherHost *
reread_host (TetherHostStore *store,
             const char      *alias)
{
  g_autoptr(TetherHostStore) next_launch = NULL;

  next_launch = tether_host_store_new_for_paths (tether_host_store_get_ssh_config_path (store),
                                                 tether_host_store_get_hosts_path (store));
  tether_host_store_load_default_async (next_launch, NULL, NULL, NULL);
  WAIT_UNTIL (tether_host_store_get_loaded (next_launch));
  return tether_host_store_lookup (next_launch, alias);
}

/* Removes the forward of row @index of @panel through the row's action, as its menu does. */
static void
remove_row (GtkWidget *panel,
            int        index)
{
  GtkWidget *row = GTK_WIDGET (gtk_list_box_get_row_at_index (
                                 GTK_LIST_BOX (tether_ui_test_get_widget (panel,
                                                                          "forwards_list")),
                                 index));

  g_assert_nonnull (row);
  g_assert_true (gtk_widget_activate_action (row, "forward.remove", NULL));
}

static GtkWindow *
present_panel_with_store (TetherHostSession *session,
                          TetherHostStore   *store)
{
  GtkWindow *panel_window = tether_forwards_panel_present (NULL, session);

  tether_forwards_panel_set_host_store (
    TETHER_FORWARDS_PANEL (adw_window_get_content (ADW_WINDOW (panel_window))), store);
  return panel_window;
}

/* A store of @config_text as ~/.ssh/config and an empty hosts.conf, loaded, with @host
 * (at 127.0.0.1, with @lines as its local forwards) saved to it. */
static TetherHostStore *
store_with_saved_host (const char         *config_path,
                       const char         *hosts_path,
                       const char         *config_text,
                       TetherHost         *host,
                       const char * const *lines)
{
  TetherHostStore *store;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (config_path, config_text, -1, &error));
  g_assert_no_error (error);
  store = tether_host_store_new_for_paths (config_path, hosts_path);
  tether_host_store_load_default_async (store, NULL, NULL, NULL);
  WAIT_UNTIL (tether_host_store_get_loaded (store));
  tether_host_set_hostname (host, "127.0.0.1");
  tether_host_set_local_forwards (host, lines);
  tether_host_store_add_async (store, host, NULL, tether_test_store_result, &result);
  WAIT_UNTIL (result != NULL);
  g_assert_true (tether_host_store_add_finish (store, result, &error));
  g_assert_no_error (error);
  return store;
}

/* Closes a panel's window and waits until it is gone. */
static void
close_panel_window (GtkWindow *panel_window)
{
  g_object_add_weak_pointer (G_OBJECT (panel_window), (gpointer *) &panel_window);
  gtk_window_destroy (panel_window);
  WAIT_UNTIL (panel_window == NULL);
}

/* A forward of a saved host removed in the panel stays gone at the next launch; one that
 * ~/.ssh/config gives a host cannot be removed from there, and the panel says so. */
static void
test_remove_sticks (void)
{
  const char * const lines[] = { "18201 localhost:80", "18202 localhost:81", NULL };
  g_autofree char *dir = g_dir_make_tmp ("tether-forwards-XXXXXX", NULL);
  g_autofree char *config_path = g_build_filename (dir, "config", NULL);
  g_autofree char *hosts_path = g_build_filename (dir, "hosts.conf", NULL);
  g_autoptr(TetherHostStore) store = NULL;
  g_autoptr(TetherHost) host = tether_host_new ("forwards-removed.test");
  g_autoptr(TetherHost) resolved = NULL;
  g_autoptr(TetherHost) reread = NULL;
  g_autoptr(TetherHostSession) session = NULL;
  g_autoptr(TetherHostSession) config_session = NULL;
  g_autofree char *ports = NULL;
  GtkWindow *panel_window;
  GtkWidget *panel;
  GtkWidget *group;
  const char * const *kept;

  g_assert_nonnull (dir);
  store = store_with_saved_host (config_path, hosts_path,
                                 "Host forwards-config.test\n"
                                 "  HostName 127.0.0.1\n"
                                 "  LocalForward 18203 localhost:82\n", host, lines);

  /* The saved host's first forward, removed: hosts.conf no longer has it. */
  resolved = tether_host_store_lookup (store, "forwards-removed.test");
  session = tether_host_session_new (resolved);
  panel_window = present_panel_with_store (session, store);
  panel = adw_window_get_content (ADW_WINDOW (panel_window));
  remove_row (panel, 0);
  ports = dup_bind_ports (tether_host_session_get_forwards (session));
  g_assert_cmpstr (ports, ==, "18202");
  WAIT_UNTIL (hosts_offset (store, "18201") == -1);
  g_assert_cmpint (hosts_offset (store, "LocalForward 18202 localhost:81"), >=, 0);
  group = gtk_widget_get_ancestor (tether_ui_test_get_widget (panel, "forwards_list"),
                                   ADW_TYPE_PREFERENCES_GROUP);
  /* Nothing to say about it. */
  g_assert_cmpstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (group)), ==,
                   "");
  close_panel_window (panel_window);

  /* Read again, as at the next launch: only the other one. */
  reread = reread_host (store, "forwards-removed.test");
  kept = tether_host_get_local_forwards (reread);
  g_assert_cmpuint (g_strv_length ((char **) kept), ==, 1);
  /* As ssh -G writes it. */
  g_assert_true (g_str_has_prefix (kept[0], "18202 "));
  g_clear_object (&reread);

  /* One of ~/.ssh/config: gone for this session, and the panel says it will be back. */
  g_clear_object (&resolved);
  resolved = tether_host_store_lookup (store, "forwards-config.test");
  config_session = tether_host_session_new (resolved);
  panel_window = present_panel_with_store (config_session, store);
  panel = adw_window_get_content (ADW_WINDOW (panel_window));
  remove_row (panel, 0);
  g_assert_cmpuint (g_list_model_get_n_items (
                      G_LIST_MODEL (tether_host_session_get_forwards (config_session))), ==, 0);
  group = gtk_widget_get_ancestor (tether_ui_test_get_widget (panel, "forwards_list"),
                                   ADW_TYPE_PREFERENCES_GROUP);
  g_assert_nonnull (strstr (adw_preferences_group_get_description (
                              ADW_PREFERENCES_GROUP (group)), "~/.ssh/config"));
  g_assert_false (gtk_widget_has_css_class (group, "error"));
  reread = reread_host (store, "forwards-config.test");
  g_assert_cmpuint (g_strv_length ((char **) tether_host_get_local_forwards (reread)), ==, 1);
  close_panel_window (panel_window);

  g_unlink (config_path);
  g_unlink (hosts_path);
  g_rmdir (dir);
}

static void
on_items_changed (GListModel *list,
                  guint       position,
                  guint       removed,
                  guint       added,
                  guint      *n_changes)
{
  (*n_changes)++;
}

/* An edited forward stays where it was in the list, of any host: one change, in place. */
static void
test_edit_keeps_position (void)
{
  g_autoptr(TetherHost) host = tether_host_new_for_destination ("tester@position.test", NULL);
  g_autoptr(TetherHostSession) session = tether_host_session_new (host);
  TetherForwardList *list = tether_host_session_get_forwards (session);
  g_autoptr(TetherForward) first = NULL;
  g_autoptr(TetherForward) last = NULL;
  g_autoptr(TetherForward) edited = NULL;
  g_autofree char *ports = NULL;
  TetherForwardDialog *dialog;
  guint n_changes = 0;

  for (guint port = 18101; port <= 18103; port++) {
    g_autofree char *text = g_strdup_printf ("%u localhost:%u", port, port);
    g_autoptr(TetherForwardSpec) spec = tether_forward_spec_parse (TETHER_FORWARD_KIND_LOCAL,
                                                                    text, NULL);

    g_object_unref (tether_forward_list_add_spec (list, spec, FALSE));
  }
  first = g_list_model_get_item (G_LIST_MODEL (list), 0);
  edited = g_list_model_get_item (G_LIST_MODEL (list), 1);
  last = g_list_model_get_item (G_LIST_MODEL (list), 2);
  g_signal_connect (list, "items-changed", G_CALLBACK (on_items_changed), &n_changes);

  /* Another kind, too: a forward's kind is fixed, so this is a new forward in its place. */
  dialog = tether_forward_dialog_new (NULL, list, edited);
  gtk_window_present (GTK_WINDOW (dialog));
  adw_combo_row_set_selected (ADW_COMBO_ROW (tether_ui_test_get_widget (dialog, "kind_row")), 2);
  type_into (dialog, "bind_port_row", "18112");
  save_forward_dialog (dialog);

  ports = dup_bind_ports (list);
  g_assert_cmpstr (ports, ==, "18101 18112 18103");
  g_assert_cmpuint (n_changes, ==, 1);
  {
    g_autoptr(TetherForward) now_first = g_list_model_get_item (G_LIST_MODEL (list), 0);
    g_autoptr(TetherForward) now_second = g_list_model_get_item (G_LIST_MODEL (list), 1);
    g_autoptr(TetherForward) now_last = g_list_model_get_item (G_LIST_MODEL (list), 2);

    g_assert_true (now_first == first);
    g_assert_true (now_last == last);
    g_assert_true (now_second != edited);
    g_assert_cmpint (tether_forward_get_kind (now_second), ==, TETHER_FORWARD_KIND_DYNAMIC);
  }
  g_signal_handlers_disconnect_by_data (list, &n_changes);
}

/* A forward that both the saved host and ~/.ssh/config give: removing it takes it out of
 * hosts.conf, and the panel says that ~/.ssh/config brings it back, rather than letting it
 * come back without a word. */
static void
test_remove_both_places (void)
{
  const char * const lines[] = { "18204 localhost:83", NULL };
  g_autofree char *dir = g_dir_make_tmp ("tether-forwards-XXXXXX", NULL);
  g_autofree char *config_path = g_build_filename (dir, "config", NULL);
  g_autofree char *hosts_path = g_build_filename (dir, "hosts.conf", NULL);
  g_autoptr(TetherHostStore) store = NULL;
  g_autoptr(TetherHost) host = tether_host_new ("forwards-both.test");
  g_autoptr(TetherHost) resolved = NULL;
  g_autoptr(TetherHostSession) session = NULL;
  GtkWindow *panel_window;
  GtkWidget *panel;
  GtkWidget *group;
  const char *description;

  g_assert_nonnull (dir);
  store = store_with_saved_host (config_path, hosts_path,
                                 "Host forwards-both.test\n"
                                 "  LocalForward 18204 localhost:83\n", host, lines);
  g_assert_cmpint (hosts_offset (store, "LocalForward 18204 localhost:83"), >=, 0);

  resolved = tether_host_store_lookup (store, "forwards-both.test");
  session = tether_host_session_new (resolved);
  panel_window = present_panel_with_store (session, store);
  panel = adw_window_get_content (ADW_WINDOW (panel_window));
  remove_row (panel, 0);
  g_assert_cmpuint (g_list_model_get_n_items (
                      G_LIST_MODEL (tether_host_session_get_forwards (session))), ==, 0);
  /* Out of hosts.conf, and the panel says where it still is. */
  WAIT_UNTIL (hosts_offset (store, "18204") == -1);
  group = gtk_widget_get_ancestor (tether_ui_test_get_widget (panel, "forwards_list"),
                                   ADW_TYPE_PREFERENCES_GROUP);
  WAIT_UNTIL (strstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (group)),
                      "~/.ssh/config") != NULL);
  description = adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (group));
  g_test_message ("The note: %s", description);
  g_assert_nonnull (strstr (description, "18204"));
  g_assert_nonnull (strstr (description, "comes back"));
  g_assert_false (gtk_widget_has_css_class (group, "error"));
  close_panel_window (panel_window);

  g_unlink (config_path);
  g_unlink (hosts_path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int ret;

  tether_ui_test_init (&argc, &argv);

  app = tether_ui_test_new_application ();

  server = tether_test_server_new (TETHER_TEST_SERVER_OPENSSH, &error);
  if (server == NULL) {
    g_test_message ("No test server: %s", error->message);
    g_clear_error (&error);
  }

  g_test_add_func ("/tether/forwards/dialog-validation", test_dialog_validation);
  g_test_add_func ("/tether/forwards/summary", test_summary);
  g_test_add ("/tether/forwards/panel-counters", PanelFixture, NULL, panel_set_up,
              test_panel_counters, panel_tear_down);
  g_test_add ("/tether/forwards/panel-switch", PanelFixture, NULL, panel_set_up,
              test_panel_switch, panel_tear_down);
  g_test_add ("/tether/forwards/remote-ports", PanelFixture, NULL, panel_set_up,
              test_remote_ports, panel_tear_down);
  g_test_add ("/tether/forwards/window-action", TetherUiTestWindowFixture, server,
              tether_ui_test_window_set_up, test_window_action,
              tether_ui_test_window_tear_down);

  g_test_add ("/tether/forwards/auto-forward-saved", TetherUiTestWindowFixture, server,
              tether_ui_test_window_set_up, test_auto_forward_saved,
              tether_ui_test_window_tear_down);
  g_test_add_func ("/tether/forwards/panel-saves-to-host", test_panel_saves_to_host);
  g_test_add_func ("/tether/forwards/edit-keeps-position", test_edit_keeps_position);
  g_test_add_func ("/tether/forwards/remove-sticks", test_remove_sticks);
  g_test_add_func ("/tether/forwards/remove-both-places", test_remove_both_places);

  ret = g_test_run ();

  g_clear_pointer (&server, tether_test_server_free);
  g_clear_object (&app);

  return ret;
}
