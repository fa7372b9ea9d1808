/* test-remote-ports.c: the listening ports of a server: the parser of what the server prints
 * (real /proc/net/tcp and tcp6 lines, ss output, garbage), the auto-forward filter, and
 * TetherRemotePorts against the real test sshd, which runs on this machine: a listener the
 * test opens is a listener on "the server". Every wait iterates the main context until a
 * condition holds, with a timeout that fails the test.
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>

#include "tether.h"
#include "tether-remote-ports-private.h"
#include "tether-test-host.h"
#include "tether-test-server.h"
#include "tether-test-wait.h"

/* Generous: two cores are shared by parallel tests and sanitizer builds. */
#define WAIT_TIMEOUT_MS (60 * 1000)
#define MARK TETHER_REMOTE_PORTS_MARKER

/* ------------------------------------------------------------------------- */
/* Parser                                                                    */

static TetherRemotePortsScan *
parse (const char *text)
{
  return _tether_remote_ports_parse (text, strlen (text));
}

static const TetherListening *
port_at (TetherRemotePortsScan *scan,
         guint                  i)
{
  g_assert_cmpuint (i, <, scan->ports->len);
  return &g_array_index (scan->ports, TetherListening, i);
}

static void
assert_port (TetherRemotePortsScan *scan,
             guint                  i,
             guint                  port,
             const char            *address,
             const char            *process,
             gboolean               loopback_only)
{
  const TetherListening *l = port_at (scan, i);

  g_assert_cmpuint (l->port, ==, port);
  g_assert_cmpstr (l->address, ==, address);
  g_assert_cmpstr (l->process, ==, process);
  g_assert_cmpint (l->loopback_only, ==, loopback_only);
}

/* Lines as this machine's kernel (6.x, x86-64) prints them, with the header grep drops. */
static const char proc_output[] =
  MARK " proc\n"
  "   0: 0100007F:9E13 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0"
  " 2742736 1 000000007c916fee 100 0 0 10 0                   \n"
  "   2: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0"
  " 1214 1 00000000835c378f 100 0 0 10 0                      \n"
  "   3: 0100007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0"
  " 4242 1 0000000000000000 100 0 0 10 0\n"
  /* An established connection whose numbers contain 0A elsewhere: not a listener. */
  "   4: 0100007F:0BB8 0A00007F:D20A 01 0000000A:00000000 02:0000000A 00000000  1000        0"
  " 5151 2 0000000000000000 20 4 30 10 -1\n"
  /* The same listener twice (SO_REUSEPORT): one address. */
  "   5: 0100007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0"
  " 4243 1 0000000000000000 100 0 0 10 0\n"
  /* tcp6: ::1 port 631, :: port 2024 (beside 0.0.0.0), ::ffff:127.0.0.1 port 8080, and a
   * global address 2001:db8::5 port 443. */
  "   0: 00000000000000000000000001000000:0277 00000000000000000000000000000000:0000 0A"
  " 00000000:00000000 00:00000000 00000000     0        0 3131 1 0000000000000000 100 0 0"
  " 10 0\n"
  "   1: 00000000000000000000000000000000:07E8 00000000000000000000000000000000:0000 0A"
  " 00000000:00000000 00:00000000 00000000     0        0 1215 1 0000000000000000 100 0 0"
  " 10 0\n"
  "   2: 0000000000000000FFFF00000100007F:1F90 00000000000000000000000000000000:0000 0A"
  " 00000000:00000000 00:00000000 00000000  1000        0 7070 1 0000000000000000 100 0 0"
  " 10 0\n"
  "   3: B80D0120000000000000000005000000:01BB 00000000000000000000000000000000:0000 0A"
  " 00000000:00000000 00:00000000 00000000     0        0 0 1 0000000000000000 100 0 0"
  " 10 0\n"
  MARK " fd\n"
  "/proc/4100/fd socket:[4242]\n"
  "/proc/4100/fd socket:[999]\n"
  "/proc/4200/fd socket:[7070]\n"
  "/proc/4300/fd socket:[4242]\n"
  MARK " comm\n"
  "/proc/1/comm:systemd\n"
  "/proc/4100/comm:node\n"
  "/proc/4200/comm:python3\n"
  "/proc/4300/comm:node-child\n";

static void
test_parse_proc (void)
{
  g_autoptr(TetherRemotePortsScan) scan = parse (proc_output);

  g_assert_cmpint (scan->source, ==, TETHER_REMOTE_PORTS_SOURCE_PROC);
  g_assert_cmpuint (scan->ports->len, ==, 6);
  assert_port (scan, 0, 443, "2001:db8::5", NULL, FALSE);
  assert_port (scan, 1, 631, "::1", NULL, TRUE);
  assert_port (scan, 2, 2024, "0.0.0.0, ::", NULL, FALSE);
  /* The first process that holds the socket: the parent of a forking server. */
  assert_port (scan, 3, 3000, "127.0.0.1", "node", TRUE);
  assert_port (scan, 4, 8080, "::ffff:127.0.0.1", "python3", TRUE);
  assert_port (scan, 5, 40467, "127.0.0.1", NULL, TRUE);
}

/* `ss -ltnp` of iproute2 6.1 (this machine), with a scope, IPv6 and no process. */
static const char ss_output[] =
  MARK " ss\n"
  "State  Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess                         \n"
  "LISTEN 0      128        127.0.0.1:40467      0.0.0.0:*    users:((\"sshd\",pid=30482,fd=3))\n"
  "LISTEN 0      4096   127.0.0.53%lo:53         0.0.0.0:*    users:((\"systemd-resolve\","
  "pid=500,fd=14))\n"
  "LISTEN 0      128          0.0.0.0:2024       0.0.0.0:*                                   \n"
  "LISTEN 0      128             [::]:2024          [::]:*                                   \n"
  "LISTEN 0      511    [::ffff:127.0.0.1]:8080        *:*    users:((\"node\",pid=77,fd=20),"
  "(\"node\",pid=78,fd=20))\n"
  "LISTEN 0      511  [fe80::1%eth0]:9000        [::]:*\n"
  "LISTEN 0      511                *:80               *:*\n";

/* Older ss: no State column when one state is asked for, `:::22`, the old users format. */
static const char ss_old_output[] =
  MARK " ss\n"
  "Recv-Q Send-Q        Local Address:Port          Peer Address:Port \n"
  "0      128                       *:22                       *:*      "
  "users:((\"sshd\",1234,3))\n"
  "0      128                      :::22                      :::*      \n"
  "0      50                127.0.0.1:3306                     *:*      \n";

static void
test_parse_ss (void)
{
  g_autoptr(TetherRemotePortsScan) scan = parse (ss_output);
  g_autoptr(TetherRemotePortsScan) old = parse (ss_old_output);

  g_assert_cmpint (scan->source, ==, TETHER_REMOTE_PORTS_SOURCE_SS);
  g_assert_cmpuint (scan->ports->len, ==, 6);
  assert_port (scan, 0, 53, "127.0.0.53", "systemd-resolve", TRUE);
  assert_port (scan, 1, 80, "::", NULL, FALSE);
  assert_port (scan, 2, 2024, "0.0.0.0, ::", NULL, FALSE);
  assert_port (scan, 3, 8080, "::ffff:127.0.0.1", "node", TRUE);
  assert_port (scan, 4, 9000, "fe80::1", NULL, FALSE);
  assert_port (scan, 5, 40467, "127.0.0.1", "sshd", TRUE);

  g_assert_cmpint (old->source, ==, TETHER_REMOTE_PORTS_SOURCE_SS);
  g_assert_cmpuint (old->ports->len, ==, 2);
  assert_port (old, 0, 22, "::", "sshd", FALSE);
  assert_port (old, 1, 3306, "127.0.0.1", NULL, TRUE);
}

static void
test_parse_sources (void)
{
  g_autoptr(TetherRemotePortsScan) nothing = parse ("");
  g_autoptr(TetherRemotePortsScan) shell_error = parse ("sh: 1: grep: not found\n");
  g_autoptr(TetherRemotePortsScan) none = parse (MARK " none\n");
  g_autoptr(TetherRemotePortsScan) empty_proc = parse (MARK " proc\n" MARK " fd\n"
                                                       MARK " comm\n");
  /* CRLF line ends and no final newline. */
  g_autoptr(TetherRemotePortsScan) crlf = parse (MARK " ss\r\n"
                                                 "LISTEN 0 128 127.0.0.1:5000 0.0.0.0:*");

  g_assert_cmpint (nothing->source, ==, TETHER_REMOTE_PORTS_SOURCE_UNKNOWN);
  g_assert_cmpuint (nothing->ports->len, ==, 0);
  g_assert_cmpint (shell_error->source, ==, TETHER_REMOTE_PORTS_SOURCE_UNKNOWN);
  g_assert_cmpuint (shell_error->ports->len, ==, 0);
  g_assert_cmpint (none->source, ==, TETHER_REMOTE_PORTS_SOURCE_NONE);
  g_assert_cmpint (empty_proc->source, ==, TETHER_REMOTE_PORTS_SOURCE_PROC);
  g_assert_cmpuint (empty_proc->ports->len, ==, 0);
  g_assert_cmpint (crlf->source, ==, TETHER_REMOTE_PORTS_SOURCE_SS);
  g_assert_cmpuint (crlf->ports->len, ==, 1);
  assert_port (crlf, 0, 5000, "127.0.0.1", NULL, TRUE);
}

static void
test_parse_garbage (void)
{
  static const char garbage[] =
    MARK " proc\n"
    "   0: 0100007F:0000 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1\n"
    "   1: 0100007G:0BB8 00000000:0000 0A\n"
    "   2: 0100007F:0BB 00000000:0000 0A\n"
    "   3: 0100007F0BB8 00000000:0000 0A\n"
    "   4: 100007F:0BB8 00000000:0000 0A\n"
    "   5 0100007F:0BB8 00000000:0000 0A\n"
    "0100007F:0BB8 00000000:0000 0A\n"
    "   6: 0100007F:0BB8\n"
    "   7: 0100007F:0BB9 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 "
    "99999999999999999999999\n"
    "\n\n\t\t \n"
    MARK " fd\n"
    "/proc/x/fd socket:[1]\n"
    "/proc/12/fd socket:[\n"
    "/proc/12/fd socket:[]\n"
    "/proc/12/fd socket:[12]x\n"
    "/proc//fd socket:[5]\n"
    "/proc/0/fd socket:[5]\n"
    "/proc/99999999999/fd socket:[5]\n"
    MARK " comm\n"
    "/proc/12/comm\n"
    "/proc/12/comm:\n"
    "/proc/13/comm:evil\x1b]0;title\x07name\n"
    MARK " bogus\n"
    "LISTEN 0 128 127.0.0.1:7777 0.0.0.0:*\n"
    MARK " ss\n"
    "LISTEN 0 128 127.0.0.1:0 0.0.0.0:*\n"
    "LISTEN 0 128 127.0.0.1:65536 0.0.0.0:*\n"
    "LISTEN 0 128 127.0.0.1: 0.0.0.0:*\n"
    "LISTEN 0 128 :22 0.0.0.0:*\n"
    "LISTEN 0 128 []:22 0.0.0.0:*\n"
    "LISTEN 0 128 [::1:22 0.0.0.0:*\n"
    "LISTEN 0 128 300.1.1.1:22 0.0.0.0:*\n"
    "LISTEN x 128 127.0.0.1:22 0.0.0.0:*\n"
    "LISTEN 0 128 127.0.0.1:22\n"
    "ESTAB 0 0 127.0.0.1:22 127.0.0.1:5000\n"
    "LISTEN 0 128 127.0.0.1:6000 0.0.0.0:* users:((\"unterminated\n"
    "LISTEN 0 128 127.0.0.1:6001 0.0.0.0:* users:((\"\x01\x02" "ctl\xff\",pid=1,fd=1))\n";
  g_autoptr(TetherRemotePortsScan) scan = parse (garbage);
  const char with_nul[] = MARK " ss\nLISTEN 0 128 127.0.0.1:6\0002 0.0.0.0:*\n"
                          "LISTEN 0 1 127.0.0.1:6003 0.0.0.0:* users:((\"a\0b\",pid=1))\n";
  g_autoptr(TetherRemotePortsScan) nul = _tether_remote_ports_parse (with_nul,
                                                                      sizeof with_nul - 1);

  /* The last section decides the source. */
  g_assert_cmpint (scan->source, ==, TETHER_REMOTE_PORTS_SOURCE_SS);
  g_assert_cmpuint (scan->ports->len, ==, 3);
  assert_port (scan, 0, 3001, "127.0.0.1", NULL, TRUE);
  assert_port (scan, 1, 6000, "127.0.0.1", NULL, TRUE);
  /* Control characters and invalid UTF-8 never reach a label. */
  assert_port (scan, 2, 6001, "127.0.0.1", "??ctl\xef\xbf\xbd", TRUE);

  g_assert_cmpuint (nul->ports->len, ==, 1);
  assert_port (nul, 0, 6003, "127.0.0.1", "a\xef\xbf\xbd" "b", TRUE);
}

/* ------------------------------------------------------------------------- */
/* Filter                                                                    */

static void
test_filter (void)
{
  static const struct {
    const char *filter;
    guint port;
    gboolean allowed;
  } cases[] = {
    { NULL, 22, FALSE },
    { NULL, 80, TRUE },
    { "", 22, FALSE },
    { "", 3000, TRUE },
    { "   ", 65535, TRUE },
    { "3000-3999,8080,!22", 3000, TRUE },
    { "3000-3999,8080,!22", 3999, TRUE },
    { "3000-3999,8080,!22", 4000, FALSE },
    { "3000-3999,8080,!22", 8080, TRUE },
    { "3000-3999,8080,!22", 22, FALSE },
    { "3000-3999,8080,!22", 2999, FALSE },
    { "3000-3999, !3306-3307 , 8080", 3306, FALSE },
    { "3000-3999, !3306-3307 , 8080", 3308, TRUE },
    { "!5432", 5432, FALSE },
    { "!5432", 22, FALSE },
    { "!5432", 5000, TRUE },
    { "22", 22, TRUE },
    { "1-65535", 22, TRUE },
    { "8080 9090", 9090, TRUE },
    { "8080", 0, FALSE },
    { "", 65536, FALSE },
    /* What does not parse allows nothing: a typo must not forward everything. */
    { "!543x", 80, FALSE },
    { "3000-", 3000, FALSE },
    { "-3000", 3000, FALSE },
    { "4000-3000", 3500, FALSE },
    { "0", 80, FALSE },
    { "65536", 80, FALSE },
    { "!!22", 80, FALSE },
    { "http", 80, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_test_message ("filter “%s”, port %u", cases[i].filter, cases[i].port);
    g_assert_cmpint (tether_remote_ports_filter_allows (cases[i].filter, cases[i].port), ==,
                     cases[i].allowed);
  }
}

static void
test_filter_check (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (tether_remote_ports_filter_check (NULL, &error));
  g_assert_no_error (error);
  g_assert_true (tether_remote_ports_filter_check ("3000-3999,8080,!22", &error));
  g_assert_no_error (error);
  g_assert_false (tether_remote_ports_filter_check ("3000-3999,80a", &error));
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "80a"));
  g_clear_error (&error);
  g_assert_false (tether_remote_ports_filter_check ("9-1", &error));
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "9-1"));
}

/* ------------------------------------------------------------------------- */
/* Against the test sshd                                                     */

typedef struct
{
  TetherTestServer *server;
  TetherHostSession *session;
  TetherRemotePorts *ports;
  /* Every items-changed: position, removed, added. */
  GArray *changes;
  /* The list as its items-changed signals tell it: what a view holds. */
  GPtrArray *mirror;
} Fixture;

typedef struct
{
  guint position;
  guint removed;
  guint added;
} Change;

static void
on_items_changed (GListModel *model,
                  guint       position,
                  guint       removed,
                  guint       added,
                  Fixture    *f)
{
  Change change = { position, removed, added };

  g_array_append_val (f->changes, change);
  /* At each signal the list already is the old one with this change made. */
  g_assert_cmpuint (position + removed, <=, f->mirror->len);
  g_ptr_array_remove_range (f->mirror, position, removed);
  for (guint i = 0; i < added; i++)
    g_ptr_array_insert (f->mirror, position + i, g_list_model_get_item (model, position + i));
  g_assert_cmpuint (f->mirror->len, ==, g_list_model_get_n_items (model));
}

/* The view's items are the list's, the same objects. */
static void
assert_mirror (Fixture *f)
{
  g_assert_cmpuint (f->mirror->len, ==, g_list_model_get_n_items (G_LIST_MODEL (f->ports)));
  for (guint i = 0; i < f->mirror->len; i++) {
    g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (f->ports), i);

    g_assert_true (item == g_ptr_array_index (f->mirror, i));
  }
}

/* The ports of the list, as a set. */
static GHashTable *
port_set (TetherRemotePorts *ports)
{
  GHashTable *set = g_hash_table_new (NULL, NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (ports)); i++) {
    g_autoptr(TetherRemotePort) item = g_list_model_get_item (G_LIST_MODEL (ports), i);

    g_hash_table_add (set, GUINT_TO_POINTER (tether_remote_port_get_port (item)));
  }
  return set;
}

/* How many of @a's ports @b lacks. */
static guint
count_missing (GHashTable *a,
               GHashTable *b)
{
  GHashTableIter iter;
  gpointer port;
  guint n = 0;

  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &port, NULL))
    n += !g_hash_table_contains (b, port);
  return n;
}

/* The changes since @before added and removed exactly the ports that came and went. */
static void
assert_minimal_changes (Fixture    *f,
                        GHashTable *before)
{
  g_autoptr(GHashTable) after = port_set (f->ports);
  guint added = 0;
  guint removed = 0;

  for (guint i = 0; i < f->changes->len; i++) {
    added += g_array_index (f->changes, Change, i).added;
    removed += g_array_index (f->changes, Change, i).removed;
  }
  g_assert_cmpuint (added, ==, count_missing (after, before));
  g_assert_cmpuint (removed, ==, count_missing (before, after));
  assert_mirror (f);
}

static gboolean
session_ready (gpointer data)
{
  return tether_host_session_get_state (data) == TETHER_HOST_SESSION_STATE_READY;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(TetherHost) host = NULL;

  f->server = tether_test_server_new_or_skip (TETHER_TEST_SERVER_OPENSSH, NULL);
  if (f->server == NULL)
    return;
  host = tether_test_server_new_host (f->server);
  f->session = tether_host_session_new (host);
  f->ports = tether_remote_ports_new (f->session);
  f->changes = g_array_new (FALSE, FALSE, sizeof (Change));
  f->mirror = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (f->ports, "items-changed", G_CALLBACK (on_items_changed), f);
}

static void
fixture_connect (Fixture *f)
{
  tether_host_session_connect_async (f->session, NULL, NULL, NULL);
  tether_test_wait_until (session_ready, f->session, WAIT_TIMEOUT_MS, "the login");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->server == NULL)
    return;
  g_clear_object (&f->ports);
  tether_host_session_close (f->session);
  g_clear_object (&f->session);
  tether_test_drain_main_context ();
  g_clear_pointer (&f->changes, g_array_unref);
  g_clear_pointer (&f->mirror, g_ptr_array_unref);
  g_clear_pointer (&f->server, tether_test_server_free);
}

/* A listener on 127.0.0.1, on a port of the kernel's choosing: a "server" program. */
static GSocketListener *
listen_loopback (guint *port)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error));
  g_assert_no_error (error);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return g_steal_pointer (&listener);
}

static gboolean
refresh (TetherRemotePorts  *ports,
         GError            **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GAsyncResult *slot = NULL;

  tether_remote_ports_refresh_async (ports, NULL, tether_test_store_result, &slot);
  result = tether_test_wait_result (&slot, WAIT_TIMEOUT_MS, "a refresh");
  return tether_remote_ports_refresh_finish (ports, result, error);
}

static void
assert_sorted (TetherRemotePorts *ports)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (ports));
  guint previous = 0;

  for (guint i = 0; i < n; i++) {
    g_autoptr(TetherRemotePort) item = g_list_model_get_item (G_LIST_MODEL (ports), i);

    g_assert_cmpuint (tether_remote_port_get_port (item), >, previous);
    previous = tether_remote_port_get_port (item);
  }
}

/* The sshd's own port is there, and a listener the test opens appears after a refresh, with
 * the item of every port that stayed kept; a closed one goes, with one change each time. */
static void
test_finds_listener (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GSocketListener) first = NULL;
  g_autoptr(GSocketListener) second = NULL;
  g_autoptr(TetherRemotePort) sshd_item = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GError) error = NULL;
  TetherRemotePort *item;
  const char *process;
  guint first_port;
  guint second_port;

  if (f->server == NULL)
    return;
  fixture_connect (f);
  first = listen_loopback (&first_port);

  g_assert_true (refresh (f->ports, &error));
  g_assert_no_error (error);
  g_assert_null (tether_remote_ports_get_error (f->ports));
  g_assert_false (tether_remote_ports_get_loading (f->ports));
  assert_sorted (f->ports);
  g_assert_cmpuint (f->changes->len, ==, 1);
  assert_mirror (f);

  item = tether_remote_ports_lookup (f->ports, first_port);
  g_assert_nonnull (item);
  g_assert_cmpuint (tether_remote_port_get_port (item), ==, first_port);
  g_assert_cmpstr (tether_remote_port_get_address (item), ==, "127.0.0.1");
  g_assert_true (tether_remote_port_get_is_loopback_only (item));
  /* The login user sees only its own processes: this program when it is that user (the
   * kernel keeps 15 bytes of a name). */
  process = tether_remote_port_get_process (item);
  if (process != NULL)
    g_assert_true (g_str_has_prefix (g_get_prgname (), process));
  sshd_item = g_object_ref (tether_remote_ports_lookup (f->ports,
                                                        tether_test_server_get_port (f->server)));
  g_assert_nonnull (sshd_item);

  /* A second listener: it is added; the others keep their objects. Other programs of this
   * machine may come and go meanwhile: the changes are exactly the ports that did. */
  second = listen_loopback (&second_port);
  before = port_set (f->ports);
  g_array_set_size (f->changes, 0);
  g_assert_true (refresh (f->ports, &error));
  g_assert_no_error (error);
  g_assert_nonnull (tether_remote_ports_lookup (f->ports, second_port));
  assert_minimal_changes (f, before);
  g_assert_true (tether_remote_ports_lookup (f->ports, first_port) == item);
  g_assert_true (tether_remote_ports_lookup (f->ports,
                                             tether_test_server_get_port (f->server)) ==
                 sshd_item);
  assert_sorted (f->ports);

  /* The first closes: it goes, the second's item stays. */
  item = tether_remote_ports_lookup (f->ports, second_port);
  g_socket_listener_close (first);
  g_clear_pointer (&before, g_hash_table_unref);
  before = port_set (f->ports);
  g_array_set_size (f->changes, 0);
  g_assert_true (refresh (f->ports, &error));
  g_assert_no_error (error);
  g_assert_null (tether_remote_ports_lookup (f->ports, first_port));
  g_assert_true (tether_remote_ports_lookup (f->ports, second_port) == item);
  assert_minimal_changes (f, before);
}

static gboolean
port_listed (gpointer data)
{
  Fixture *f = ((gpointer *) data)[0];
  guint port = GPOINTER_TO_UINT (((gpointer *) data)[1]);

  return tether_remote_ports_lookup (f->ports, port) != NULL;
}

static gboolean
port_unlisted (gpointer data)
{
  return !port_listed (data);
}

static gboolean
not_loading (gpointer data)
{
  return !tether_remote_ports_get_loading (data);
}

/* With an interval, the list follows the server by itself while the session is logged in,
 * and stops when the interval goes back to 0. */
static void
test_refresh_interval (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GSocketListener) listener = NULL;
  guint port;
  gpointer wait[2] = { f, NULL };

  if (f->server == NULL)
    return;
  tether_remote_ports_set_refresh_interval (f->ports, 1);
  g_assert_cmpuint (tether_remote_ports_get_refresh_interval (f->ports), ==, 1);
  /* Not logged in: nothing runs yet, and no error. */
  g_assert_false (tether_remote_ports_get_loading (f->ports));
  fixture_connect (f);

  listener = listen_loopback (&port);
  wait[1] = GUINT_TO_POINTER (port);
  tether_test_wait_until (port_listed, wait, WAIT_TIMEOUT_MS, "the new port in the list");
  g_socket_listener_close (listener);
  tether_test_wait_until (port_unlisted, wait, WAIT_TIMEOUT_MS, "the port out of the list");
  g_assert_null (tether_remote_ports_get_error (f->ports));

  /* Off: the refresh under way, if any, is cancelled without an error. */
  tether_remote_ports_set_refresh_interval (f->ports, 0);
  tether_test_wait_until (not_loading, f->ports, WAIT_TIMEOUT_MS, "the refreshes to stop");
  g_assert_null (tether_remote_ports_get_error (f->ports));
}

static void
test_not_connected (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  if (f->server == NULL)
    return;
  g_assert_false (refresh (f->ports, &error));
  g_assert_error (error, TETHER_ERROR, TETHER_ERROR_DISCONNECTED);
  g_assert_nonnull (tether_remote_ports_get_error (f->ports));
  g_assert_error ((GError *) tether_remote_ports_get_error (f->ports), TETHER_ERROR,
                  TETHER_ERROR_DISCONNECTED);
  g_assert_false (tether_remote_ports_get_loading (f->ports));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->ports)), ==, 0);

  /* A refresh that works clears the error. */
  fixture_connect (f);
  g_clear_error (&error);
  g_assert_true (refresh (f->ports, &error));
  g_assert_no_error (error);
  g_assert_null (tether_remote_ports_get_error (f->ports));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->ports)), >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/tether/remote-ports/parse/proc", test_parse_proc);
  g_test_add_func ("/tether/remote-ports/parse/ss", test_parse_ss);
  g_test_add_func ("/tether/remote-ports/parse/sources", test_parse_sources);
  g_test_add_func ("/tether/remote-ports/parse/garbage", test_parse_garbage);
  g_test_add_func ("/tether/remote-ports/filter/allows", test_filter);
  g_test_add_func ("/tether/remote-ports/filter/check", test_filter_check);
  g_test_add ("/tether/remote-ports/openssh/finds-listener", Fixture, NULL,
              fixture_set_up, test_finds_listener, fixture_tear_down);
  g_test_add ("/tether/remote-ports/openssh/refresh-interval", Fixture, NULL,
              fixture_set_up, test_refresh_interval, fixture_tear_down);
  g_test_add ("/tether/remote-ports/openssh/not-connected", Fixture, NULL,
              fixture_set_up, test_not_connected, fixture_tear_down);

  return g_test_run ();
}
