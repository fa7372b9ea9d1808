/* test-channel-common.h: what test-channel.c and test-channel-lifecycle.c share: servers
 * and connections, background readers, signal counters. */
#pragma once

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "tether.h"
#include "tether-test-host.h"
#include "tether-test-server.h"
#include "tether-test-wait.h"

/* Generous: two cores are shared by parallel tests and sanitizer builds. */
#define WAIT_TIMEOUT_MS (30 * 1000)
/* Many channels at once through a sanitizer build on a loaded machine take a while. */
#define MANY_TIMEOUT_MS (120 * 1000)
/* Hundreds of megabytes through a sanitizer build take a while. */
#define BULK_TIMEOUT_MS (240 * 1000)
/* One asynchronous read at a time asks for this much. */
#define READ_SIZE (256 * 1024)

#define N_CHANNELS 100

/* sequential-opens-idle: idle channels make each pump pass long enough for an open's
 * confirmation to be read by another channel's poll. */
#define N_IDLE_CHANNELS 50
#define N_SEQUENTIAL_OPENS 100
/* concurrent-direct-tcpip: AsyncSSH lost 6 of 50 before the fix. */
#define N_CONCURRENT_OPENS 50
/* exec-stress: channels exec'ing `true` at once, for this many rounds. */
#define N_EXEC_STRESS 50
#define N_EXEC_ROUNDS 4
/* close-unread: queued and unread bytes before the close (the queue holds 2 MiB). Dropbear
 * and Conch never answer such a CLOSE (Dropbear waits for `yes` to exit, Conch for its
 * buffer to drain), so each of their closes takes Tether's whole wait for the answer. */
#define UNREAD_QUEUED (1024 * 1024)
#define N_UNREAD_CLOSES 2
/* How often a counter is looked at while waiting for it. */
#define POLL_TICK_MS 10
/* direct-tcpip-echo-close: 1 in 100 such closes hung before the fix. */
#define SMALL_ECHO 1024
#define N_ECHO_CLOSES 100
/* close-races-opens */
#define N_RACING_OPENS 30
#define N_RACE_ROUNDS 5
/* counters-notify: what `cat` echoes, and the notify rate Tether promises. */
#define COUNTERS_TOTAL (8 * 1024 * 1024)
/* Resizes each followed at once by a write, in the window-change test. */
#define WINDOW_CHANGE_ROUNDS 20
#define COUNTERS_MAX_PER_SECOND 4

/* backpressure: what `head -c 500M` sends, and the bounds while nobody reads. */
#define BACKPRESSURE_TOTAL ((guint64) 500 * 1024 * 1024)
#define BACKPRESSURE_QUEUE_MAX ((guint64) 8 * 1024 * 1024)
#define BACKPRESSURE_RSS_MAX ((gint64) 64 * 1024 * 1024)
/* The counters count as stalled when unchanged across this many ticks. */
#define STALL_TICKS 50
#define STALL_TICK_MS 20

#define WRITE_TOTAL (64 * 1024 * 1024)
#define CHECKSUM_TOTAL (8 * 1024 * 1024)
#define CHECKSUM_SEED 4254
#define ECHO_TOTAL (1024 * 1024)
/* What server-killed-mid-stream reads before it kills the server. */
#define KILL_AFTER_BYTES (1024 * 1024)

#define UNRESOLVABLE_HOST "tether-nonexistent.invalid"
#define PROXY_COMMAND "bash -c 'exec 3<>/dev/tcp/%h/%p; cat <&3 & exec cat >&3'"

typedef struct
{
  GInputStream *stream;
  GByteArray *data;           /* NULL when only counting */
  guint8 *buffer;
  guint64 n_read;
  gboolean all_zero;
  gboolean done;
  GError *error;
} Reader;

typedef struct
{
  Reader *reader;
  const char *needle;
  gsize from;
  gsize found_end;
} ReaderSearch;

typedef struct
{
  TetherChannel *channel;
  guint n_eof;
  guint n_closed;
  guint n_exit_status;
  int exit_status;
  GError *closed_reason;
  GString *order;             /* E: eof, X: exit-status, C: closed */
} ChannelWatch;

typedef struct
{
  TetherConnection *connection;
  guint n_closed;
  GError *reason;
  guint max_channels;
} ConnectionWatch;

typedef struct
{
  ChannelWatch *watch;
  Reader *out;
  Reader *err;
} ExecState;

TetherTestServer *
server_new_or_skip (TetherTestServerKind kind);

TetherConnection *
try_connect (TetherHost  *host,
             GError     **error);

TetherConnection *
connect_host (TetherHost *host);

TetherConnection *
connect_server (TetherTestServer *server);

TetherSessionChannel *
open_session (TetherConnection *connection);

void
exec_command (TetherSessionChannel *channel,
              const char           *command);

void
write_all (GOutputStream *stream,
           const void    *data,
           gsize          size);

void
close_output (GOutputStream *stream);

void
assert_sentence (const char *message);

void
reader_clear (Reader *reader);

Reader *
reader_ref (Reader *reader);

void
reader_unref (Reader *reader);

void
reader_read_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data);

void
reader_next (Reader *reader);

Reader *
reader_start (GInputStream *stream,
              gboolean      keep);

gboolean
reader_is_done (gpointer data);

char *
reader_dup_text (Reader *reader);

gboolean
reader_has_text (gpointer data);

gsize
reader_wait_text (Reader     *reader,
                  const char *needle,
                  gsize       from);

void
channel_eof_cb (TetherChannel *channel,
                ChannelWatch  *watch);

void
channel_closed_cb (TetherChannel *channel,
                   GError        *reason,
                   ChannelWatch  *watch);

void
channel_exit_status_cb (TetherSessionChannel *channel,
                        int                   status,
                        ChannelWatch         *watch);

void
channel_watch_init (ChannelWatch  *watch,
                    TetherChannel *channel);

void
channel_watch_clear (ChannelWatch *watch);

gboolean
channel_watch_closed (gpointer data);

void
connection_closed_cb (TetherConnection *connection,
                      GError           *reason,
                      ConnectionWatch  *watch);

void
connection_n_channels_cb (TetherConnection *connection,
                          GParamSpec       *pspec,
                          ConnectionWatch  *watch);

void
connection_watch_init (ConnectionWatch  *watch,
                       TetherConnection *connection);

void
connection_watch_clear (ConnectionWatch *watch);

gboolean
connection_is_closed (gpointer data);

gboolean
connection_has_no_channels (gpointer data);

void
close_connection (TetherConnection *connection);

gboolean
exec_finished (gpointer data);

void
echo_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data);

gboolean
echo_incoming_cb (GSocketService    *service,
                  GSocketConnection *connection,
                  GObject           *source_object,
                  gpointer           user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reader, reader_unref)
