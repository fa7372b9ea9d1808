/* test-channel-lifecycle.c: the channel lifecycle against every server (OpenSSH, Dropbear,
 * and the AsyncSSH and Twisted Conch servers of interop-server.py): opens beside idle
 * channels, concurrent opens, requests answered with the channel's close, closes of unread
 * channels, the order of results and signals, counters' notify. Every case waits by iterating
 * the main context until a condition holds, with a timeout that fails the test.
 */
#include "config.h"

#include "test-channel-common.h"

/* ------------------------------------------------------------------------- */
/* Lifecycle against every server: lost opens, requests, closes, ordering     */

static const char *
server_kind_name (TetherTestServerKind kind)
{
  switch (kind)
    {
    case TETHER_TEST_SERVER_OPENSSH: return "openssh";
    case TETHER_TEST_SERVER_DROPBEAR: return "dropbear";
    case TETHER_TEST_SERVER_ASYNCSSH: return "asyncssh";
    case TETHER_TEST_SERVER_CONCH: return "conch";
    default: g_assert_not_reached ();
    }
}

/* Adds @func as /tether/channel/@name/SERVER for each server of @kinds (ending with -1). */
static void
add_for_servers (const char     *name,
                 GTestDataFunc   func,
                 const int      *kinds)
{
  for (guint i = 0; kinds[i] >= 0; i++)
    {
      g_autofree char *path = g_strdup_printf ("/tether/channel/%s/%s", name,
                                               server_kind_name (kinds[i]));

      g_test_add_data_func (path, GINT_TO_POINTER (kinds[i]), func);
    }
}

static gboolean
channel_is_closed (gpointer data)
{
  return tether_channel_get_state (data) == TETHER_CHANNEL_STATE_CLOSED;
}

/* Closes @channel and waits for the close to finish and ::closed. */
static void
close_channel (TetherChannel *channel)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GAsyncResult *slot = NULL;
  ChannelWatch watch;

  channel_watch_init (&watch, channel);
  g_io_stream_close_async (G_IO_STREAM (channel), G_PRIORITY_DEFAULT, NULL,
                           tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, WAIT_TIMEOUT_MS, "the channel to close");
  g_assert_true (g_io_stream_close_finish (G_IO_STREAM (channel), result, &error));
  g_assert_no_error (error);
  tether_test_wait_until (channel_watch_closed, &watch, WAIT_TIMEOUT_MS, "::closed after close");
  g_assert_cmpuint (watch.n_closed, ==, 1);
  g_assert_true (channel_is_closed (channel));
  channel_watch_clear (&watch);
}

typedef struct
{
  TetherConnection *connection;
  guint n;
} ChannelCount;

static gboolean
connection_has_n_channels (gpointer data)
{
  ChannelCount *count = data;

  return tether_connection_get_n_channels (count->connection) == count->n;
}

static void
wait_n_channels (TetherConnection *connection,
                 guint             n)
{
  ChannelCount count = { connection, n };

  tether_test_wait_until (connection_has_n_channels, &count, WAIT_TIMEOUT_MS,
                          "n-channels to settle");
}

/* A listener on 127.0.0.1 that echoes every connection; returns its port. */
static GSocketService *
echo_service_new (guint *port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  GSocketService *service = g_socket_service_new ();

  g_socket_listener_add_address (G_SOCKET_LISTENER (service), any_port, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_signal_connect (service, "incoming", G_CALLBACK (echo_incoming_cb), NULL);
  g_socket_service_start (service);
  return service;
}

static void
echo_service_free (GSocketService *service)
{
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
  g_object_unref (service);
}

/* sequential-opens-idle: each open's confirmation may be read while other channels are
 * pumped; the open must still complete without any further traffic. */
static void
test_sequential_opens_idle (gconstpointer data)
{
  g_autoptr(TetherTestServer) server = server_new_or_skip (GPOINTER_TO_INT (data));
  g_autoptr(TetherConnection) connection = NULL;
  g_autoptr(GPtrArray) idle = NULL;

  if (server == NULL)
    return;
  connection = connect_server (server);
  idle = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < N_IDLE_CHANNELS; i++)
    g_ptr_array_add (idle, open_session (connection));

  for (guint i = 0; i < N_SEQUENTIAL_OPENS; i++)
    {
      g_autoptr(TetherSessionChannel) channel = open_session (connection);

      close_channel (TETHER_CHANNEL (channel));
    }
  wait_n_channels (connection, N_IDLE_CHANNELS);

  close_connection (connection);
  for (guint i = 0; i < idle->len; i++)
    g_assert_true (channel_is_closed (g_ptr_array_index (idle, i)));
}

/* concurrent-direct-tcpip */

typedef struct
{
  guint n_results;
  GPtrArray *channels;
  GError *error;
} Opens;

static void
direct_open_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Opens *opens = user_data;
  GError *error = NULL;
  TetherChannel *channel;

  opens->n_results++;
  channel = tether_connection_open_direct_tcpip_finish (TETHER_CONNECTION (source), result,
                                                        &error);
  if (channel != NULL)
    g_ptr_array_add (opens->channels, channel);
  else if (opens->error == NULL)
    opens->error = error;
  else
    g_error_free (error);
}

static gboolean
opens_have (gpointer data)
{
  return ((Opens *) data)->n_results == N_CONCURRENT_OPENS;
}

static void
test_concurrent_direct_tcpip (gconstpointer data)
{
  g_autoptr(TetherTestServer) server = server_new_or_skip (GPOINTER_TO_INT (data));
  g_autoptr(TetherConnection) connection = NULL;
  GSocketService *service;
  Opens opens = { 0, NULL, NULL };
  guint port;

  if (server == NULL)
    return;
  service = echo_service_new (&port);
  connection = connect_server (server);
  opens.channels = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < N_CONCURRENT_OPENS; i++)
    tether_connection_open_direct_tcpip_async (connection, "127.0.0.1", port, "127.0.0.1", 0,
                                               NULL, direct_open_cb, &opens);
  tether_test_wait_until (opens_have, &opens, MANY_TIMEOUT_MS,
                          "every direct-tcpip open to complete");
  g_assert_no_error (opens.error);
  g_assert_cmpuint (opens.channels->len, ==, N_CONCURRENT_OPENS);
  wait_n_channels (connection, N_CONCURRENT_OPENS);

  for (guint i = 0; i < opens.channels->len; i++)
    close_channel (g_ptr_array_index (opens.channels, i));
  wait_n_channels (connection, 0);
  close_connection (connection);
  g_ptr_array_unref (opens.channels);
  echo_service_free (service);
}

/* exec-stress: every request answered is reported as answered, even when its reply, the
 * output, EOF and CLOSE are all read at once. */

typedef struct
{
  guint n_results;
  guint n_failed;
  GError *error;
  ChannelWatch watches[N_EXEC_STRESS];
} ExecStress;

static void
stress_exec_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  ExecStress *s = user_data;
  GError *error = NULL;

  s->n_results++;
  if (!tether_session_channel_request_exec_finish (TETHER_SESSION_CHANNEL (source), result,
                                                   &error))
    {
      s->n_failed++;
      if (s->error == NULL)
        s->error = error;
      else
        g_error_free (error);
    }
}

static gboolean
stress_finished (gpointer data)
{
  ExecStress *s = data;

  if (s->n_results < N_EXEC_STRESS)
    return FALSE;
  for (guint i = 0; i < N_EXEC_STRESS; i++)
    if (s->watches[i].n_closed == 0)
      return FALSE;
  return TRUE;
}

static void
test_exec_stress (gconstpointer data)
{
  g_autoptr(TetherTestServer) server = server_new_or_skip (GPOINTER_TO_INT (data));
  g_autoptr(TetherConnection) connection = NULL;

  if (server == NULL)
    return;
  connection = connect_server (server);

  for (guint round = 0; round < N_EXEC_ROUNDS; round++)
    {
      g_autoptr(GPtrArray) channels = g_ptr_array_new_with_free_func (g_object_unref);
      ExecStress s;

      memset (&s, 0, sizeof s);
      for (guint i = 0; i < N_EXEC_STRESS; i++)
        {
          TetherSessionChannel *channel = open_session (connection);

          g_ptr_array_add (channels, channel);
          channel_watch_init (&s.watches[i], TETHER_CHANNEL (channel));
        }
      for (guint i = 0; i < N_EXEC_STRESS; i++)
        tether_session_channel_request_exec_async (g_ptr_array_index (channels, i), "true",
                                                   NULL, stress_exec_cb, &s);
      tether_test_wait_until (stress_finished, &s, MANY_TIMEOUT_MS,
                              "every command to run and its channel to close");
      g_assert_no_error (s.error);
      g_assert_cmpuint (s.n_failed, ==, 0);
      for (guint i = 0; i < N_EXEC_STRESS; i++)
        {
          g_assert_cmpuint (s.watches[i].n_exit_status, ==, 1);
          g_assert_cmpint (s.watches[i].exit_status, ==, 0);
          g_assert_null (s.watches[i].closed_reason);
          channel_watch_clear (&s.watches[i]);
        }
      wait_n_channels (connection, 0);
    }
  close_connection (connection);
}

/* close-unread: a channel whose peer is still sending and whose reader reads nothing. */

typedef struct
{
  TetherChannel *channel;
  guint64 bytes;
} QueuedWait;

static gboolean
tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* tether_test_wait_until () for conditions on counters that change with no event on this
 * thread. */
static void
wait_until_polled (TetherTestCondition  cond,
                   gpointer             data,
                   const char          *what)
{
  guint tick = g_timeout_add (POLL_TICK_MS, tick_cb, NULL);

  tether_test_wait_until (cond, data, WAIT_TIMEOUT_MS, what);
  g_source_remove (tick);
}

static gboolean
channel_has_queued (gpointer data)
{
  QueuedWait *wait = data;

  return tether_channel_get_queued_bytes (wait->channel) >= wait->bytes;
}

static void
test_close_unread (gconstpointer data)
{
  g_autoptr(TetherTestServer) server = server_new_or_skip (GPOINTER_TO_INT (data));
  g_autoptr(TetherConnection) connection = NULL;

  if (server == NULL)
    return;
  connection = connect_server (server);

  for (guint i = 0; i < N_UNREAD_CLOSES; i++)
    {
      g_autoptr(TetherSessionChannel) channel = open_session (connection);
      QueuedWait wait = { TETHER_CHANNEL (channel), UNREAD_QUEUED };

      exec_command (channel, "yes");
      wait_until_polled (channel_has_queued, &wait, "yes to fill the queues");
      close_channel (TETHER_CHANNEL (channel));
      wait_n_channels (connection, 0);
    }
  close_connection (connection);
}

/* direct-tcpip-echo-close: small echoes, then close, many times over. */

static gboolean
reader_has_small_echo (gpointer data)
{
  Reader *reader = data;

  return reader->n_read >= SMALL_ECHO || reader->done;
}

static void
test_direct_tcpip_echo_close (gconstpointer data)
{
  g_autoptr(TetherTestServer) server = server_new_or_skip (GPOINTER_TO_INT (data));
  g_autoptr(TetherConnection) connection = NULL;
  GSocketService *service;
  guint8 payload[SMALL_ECHO];
  guint port;

  if (server == NULL)
    return;
  for (gsize i = 0; i < sizeof payload; i++)
    payload[i] = (guint8) (i * 13);
  service = echo_service_new (&port);
  connection = connect_server (server);

  for (guint i = 0; i < N_ECHO_CLOSES; i++)
    {
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(TetherChannel) channel = NULL;
      g_autoptr(Reader) reader = NULL;
      GAsyncResult *slot = NULL;

      tether_connection_open_direct_tcpip_async (connection, "127.0.0.1", port, "127.0.0.1", 0,
                                                 NULL, tether_test_store_result, &slot);
      result = tether_test_wait_result (&slot, WAIT_TIMEOUT_MS, "the direct-tcpip channel");
      channel = tether_connection_open_direct_tcpip_finish (connection, result, &error);
      g_assert_no_error (error);
      reader = reader_start (g_io_stream_get_input_stream (G_IO_STREAM (channel)), TRUE);
      write_all (g_io_stream_get_output_stream (G_IO_STREAM (channel)), payload,
                 sizeof payload);
      tether_test_wait_until (reader_has_small_echo, reader, WAIT_TIMEOUT_MS, "the echo");
      g_assert_cmpmem (reader->data->data, reader->data->len, payload, sizeof payload);
      close_channel (channel);
      tether_test_wait_until (reader_is_done, reader, WAIT_TIMEOUT_MS, "the reader to finish");
      wait_n_channels (connection, 0);
    }
  close_connection (connection);
  echo_service_free (service);
}

/* close-races-opens: an open's result comes before its channel's signals. */

typedef struct
{
  TetherConnection *connection;
  guint n_results;
  guint n_opened;
  gboolean closing;
  GPtrArray *watches;         /* ChannelWatch *, one per opened channel */
} Race;

static void
race_open_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Race *race = user_data;
  g_autoptr(GError) error = NULL;
  TetherSessionChannel *channel;

  race->n_results++;
  channel = tether_connection_open_session_finish (TETHER_CONNECTION (source), result, &error);
  if (channel != NULL)
    {
      ChannelWatch *watch = g_new0 (ChannelWatch, 1);

      race->n_opened++;
      /* Connected in the callback: it sees ::closed only if that comes after the result. */
      channel_watch_init (watch, TETHER_CHANNEL (channel));
      g_ptr_array_add (race->watches, watch);
      g_object_unref (channel);
    }
  if (!race->closing)
    {
      race->closing = TRUE;
      tether_connection_close (race->connection);
    }
}

static void
race_watch_free (ChannelWatch *watch)
{
  channel_watch_clear (watch);
  g_free (watch);
}

static gboolean
race_settled (gpointer data)
{
  Race *race = data;

  if (race->n_results < N_RACING_OPENS ||
      tether_connection_get_state (race->connection) != TETHER_CONNECTION_STATE_CLOSED)
    return FALSE;
  for (guint i = 0; i < race->watches->len; i++)
    if (((ChannelWatch *) g_ptr_array_index (race->watches, i))->n_closed == 0)
      return FALSE;
  return TRUE;
}

static void
test_close_races_opens (void)
{
  g_autoptr(TetherTestServer) server = server_new_or_skip (TETHER_TEST_SERVER_OPENSSH);
  guint total_opened = 0;

  if (server == NULL)
    return;
  for (guint round = 0; round < N_RACE_ROUNDS; round++)
    {
      g_autoptr(TetherConnection) connection = connect_server (server);
      Race race = { connection, 0, 0, FALSE, NULL };

      race.watches = g_ptr_array_new_with_free_func ((GDestroyNotify) race_watch_free);
      for (guint i = 0; i < N_RACING_OPENS; i++)
        tether_connection_open_session_async (connection, NULL, race_open_cb, &race);
      /* A channel whose ::closed came before its open's result would never settle. */
      tether_test_wait_until (race_settled, &race, MANY_TIMEOUT_MS,
                              "every open's result, then its channel's ::closed");
      tether_test_drain_main_context ();
      for (guint i = 0; i < race.watches->len; i++)
        g_assert_cmpuint (((ChannelWatch *) g_ptr_array_index (race.watches, i))->n_closed,
                          ==, 1);
      total_opened += race.n_opened;
      g_ptr_array_unref (race.watches);
    }
  g_test_message ("%u channels opened while their connection closed", total_opened);
}

/* counters-notify */

typedef struct
{
  guint n_bytes_sent;
  guint n_bytes_received;
  guint n_remote_window;
  guint64 last_bytes_received;
} Notifies;

static void
count_notify_cb (GObject    *object,
                 GParamSpec *pspec,
                 Notifies   *n)
{
  if (g_str_equal (pspec->name, "bytes-sent"))
    n->n_bytes_sent++;
  else if (g_str_equal (pspec->name, "bytes-received"))
    {
      n->n_bytes_received++;
      g_object_get (object, "bytes-received", &n->last_bytes_received, NULL);
    }
  else if (g_str_equal (pspec->name, "remote-window"))
    n->n_remote_window++;
}

static void
test_counters_notify (void)
{
  g_autoptr(TetherTestServer) server = server_new_or_skip (TETHER_TEST_SERVER_OPENSSH);
  g_autoptr(TetherConnection) connection = NULL;
  g_autoptr(TetherSessionChannel) channel = NULL;
  g_autoptr(Reader) reader = NULL;
  g_autofree guint8 *payload = NULL;
  Notifies conn_n = { 0, };
  Notifies chan_n = { 0, };
  ChannelWatch watch;
  ExecState state;
  g_autoptr(Reader) err = NULL;
  gint64 start;
  double elapsed_s;
  guint max_notifies;

  if (server == NULL)
    return;
  connection = connect_server (server);
  start = g_get_monotonic_time ();
  g_signal_connect (connection, "notify", G_CALLBACK (count_notify_cb), &conn_n);
  channel = open_session (connection);
  channel_watch_init (&watch, TETHER_CHANNEL (channel));
  g_signal_connect (channel, "notify", G_CALLBACK (count_notify_cb), &chan_n);
  reader = reader_start (g_io_stream_get_input_stream (G_IO_STREAM (channel)), FALSE);
  err = reader_start (tether_session_channel_get_stderr_stream (channel), FALSE);
  exec_command (channel, "cat");

  payload = g_malloc0 (COUNTERS_TOTAL);
  write_all (g_io_stream_get_output_stream (G_IO_STREAM (channel)), payload, COUNTERS_TOTAL);
  close_output (g_io_stream_get_output_stream (G_IO_STREAM (channel)));
  state = (ExecState) { &watch, reader, err };
  tether_test_wait_until (exec_finished, &state, WAIT_TIMEOUT_MS,
                          "cat to echo everything and exit");
  g_assert_cmpuint (reader->n_read, ==, COUNTERS_TOTAL);
  tether_test_drain_main_context ();
  elapsed_s = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

  /* Each counter notified, the last time with its final value. */
  g_assert_cmpuint (chan_n.n_bytes_received, >, 0);
  g_assert_cmpuint (chan_n.n_bytes_sent, >, 0);
  g_assert_cmpuint (chan_n.n_remote_window, >, 0);
  g_assert_cmpuint (chan_n.last_bytes_received, ==, COUNTERS_TOTAL);
  g_assert_cmpuint (chan_n.last_bytes_received, ==,
                    tether_channel_get_bytes_received (TETHER_CHANNEL (channel)));
  g_assert_cmpuint (conn_n.n_bytes_received, >, 0);
  g_assert_cmpuint (conn_n.n_bytes_sent, >, 0);

  /* Rate-limited: at most about four a second, plus the first and the final one. */
  max_notifies = (guint) (elapsed_s * COUNTERS_MAX_PER_SECOND) + 2;
  g_test_message ("%.2f s: %u/%u channel, %u/%u connection notifies of bytes-received/sent",
                  elapsed_s, chan_n.n_bytes_received, chan_n.n_bytes_sent,
                  conn_n.n_bytes_received, conn_n.n_bytes_sent);
  g_assert_cmpuint (chan_n.n_bytes_received, <=, max_notifies);
  g_assert_cmpuint (conn_n.n_bytes_received, <=, max_notifies);

  close_connection (connection);
  g_signal_handlers_disconnect_by_data (connection, &conn_n);
  g_signal_handlers_disconnect_by_data (channel, &chan_n);
  channel_watch_clear (&watch);
}

int
main (int   argc,
      char *argv[])
{
  const int all_servers[] = {
    TETHER_TEST_SERVER_OPENSSH, TETHER_TEST_SERVER_DROPBEAR,
    TETHER_TEST_SERVER_ASYNCSSH, TETHER_TEST_SERVER_CONCH, -1
  };
  /* Dropbear forwards too, but these are about Tether's side: the others suffice. And
   * Dropbear 2022.83 closes some of several concurrent sessions before answering their
   * exec (fixed in 2024.84), so it cannot take exec-stress. */
  const int other_servers[] = {
    TETHER_TEST_SERVER_OPENSSH, TETHER_TEST_SERVER_ASYNCSSH, TETHER_TEST_SERVER_CONCH, -1
  };

  g_test_init (&argc, &argv, NULL);

  add_for_servers ("sequential-opens-idle", test_sequential_opens_idle, all_servers);
  add_for_servers ("concurrent-direct-tcpip", test_concurrent_direct_tcpip, other_servers);
  add_for_servers ("exec-stress", test_exec_stress, other_servers);
  add_for_servers ("close-unread", test_close_unread, all_servers);
  add_for_servers ("direct-tcpip-echo-close", test_direct_tcpip_echo_close, other_servers);
  g_test_add_func ("/tether/channel/close-races-opens", test_close_races_opens);
  g_test_add_func ("/tether/channel/counters-notify", test_counters_notify);

  return g_test_run ();
}

