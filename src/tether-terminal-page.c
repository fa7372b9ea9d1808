/* tether-terminal-page.c: a tab's remote terminal. A VteTerminal is bound to the shell of an
 * SSH session channel on the host's shared connection (TetherConnectionPool): channel data is
 * fed to the terminal, what the terminal commits (keys, pastes) is written to the channel in
 * order, and the terminal's size follows the widget as a pty window-change. When the shell
 * exits or the connection drops, an in-page banner says why and offers Reconnect; with the
 * auto-reconnect setting on, a dropped connection is retried with exponential backoff while
 * GNetworkMonitor says the network is there.
 *
 * Terminal behaviour is widget actions in the "term" group (copy, paste, find, zoom,
 * reconnect, save contents); their shortcuts run in the capture phase so the terminal does not swallow
 * them as input. Font, scrollback, bell and colours follow GSettings and the style manager. */
#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 0
#include <pcre2.h>

#include "tether-connection-pool.h"
#include "tether-file-util.h"
#include "tether-terminal-page.h"

/* What remote programs are told they talk to: VTE implements xterm's 256-colour set. */
#define TERMINAL_TYPE "xterm-256color"

/* One read of the channel: big enough to keep a fast producer (`yes`) flowing in few
 * main-loop iterations, small enough that one feed does not stall the UI. */
#define READ_CHUNK_SIZE (64 * 1024)

/* Zoom: each step scales the font by this factor, within these bounds (VTE's own). */
#define ZOOM_FACTOR 1.1
#define ZOOM_MIN 0.25
#define ZOOM_MAX 4.0

/* The font when neither the desktop nor the settings give one. */
#define FALLBACK_FONT "Monospace 11"
#define DESKTOP_INTERFACE_SCHEMA "org.gnome.desktop.interface"
#define DESKTOP_MONOSPACE_KEY "monospace-font-name"

/* Auto-reconnect waits this long before the first retry, doubling the wait after each failed
 * one up to the maximum: quick after a blip, gentle on a server that is down for a while. */
#define RECONNECT_FIRST_DELAY_MS 1000
#define RECONNECT_MAX_DELAY_MS (60 * 1000)
/* The banner's countdown is in whole seconds. */
#define RECONNECT_TICK_MS 1000

/* How many lines of a multi-line paste the confirmation shows. */
#define PASTE_PREVIEW_LINES 5

/* Clickable links: absolute URLs of the usual schemes, and www. names. Not a full RFC 3986
 * parser: it ends a link before trailing punctuation, as prose around links has. */
#define URL_REGEX \
  "\\b(?:(?:https?|ftp|sftp|ssh|file)://|www\\.)" \
  "[[:alnum:]\\-._~:/?#\\[\\]@!$&'()*+,;=%]*[[:alnum:]\\-_~/#=&%+]"

/* PCRE2 options VTE requires of its regexes (UTF-8 text, matched line by line). */
#define VTE_REGEX_FLAGS (PCRE2_UTF | PCRE2_NO_UTF_CHECK | PCRE2_UCP | PCRE2_MULTILINE)

struct _TetherTerminalPage
{
  GtkWidget parent_instance;

  TetherHost *host;
  TetherInteraction *interaction;
  GSettings *settings;
  GSettings *desktop_settings;

  TetherTerminalState state;
  char *title;
  char *custom_title;
  char *cwd;
  char *message;
  gboolean bell;
  gboolean started;

  /* The session: all of it is replaced by a reconnect. */
  GCancellable *cancellable;
  TetherConnection *connection;
  /* Kept until the next connection is acquired, so that reconnecting after a shell exit
   * reuses the login instead of closing it in between. */
  TetherConnection *previous_connection;
  TetherSessionChannel *channel;
  gboolean have_exit_status;
  int exit_status;
  guint sent_columns;
  guint sent_rows;

  /* Auto-reconnect: whether a dropped session is being retried, how many retries came
   * before the next, and when that one starts (monotonic µs; 0 while waiting for the
   * network). */
  gboolean auto_reconnecting;
  guint reconnect_attempts;
  gint64 reconnect_time;
  guint reconnect_source;
  guint reconnect_tick_source;
  guint reconnect_first_delay_ms;
  guint reconnect_max_delay_ms;
  GNetworkMonitor *network_monitor;
  char *reconnect_note;
  GtkMessageType message_type;

  /* Committed bytes not yet handed to the channel, and whether a write is under way. */
  GByteArray *pending_output;
  gboolean writing;

  int url_tag;
  char *context_link;
  GtkWidget *context_popover;
  GtkNativeDialog *save_dialog;

  /* Template children */
  GtkWidget *box;
  GtkDrawingArea *accent_strip;
  GtkInfoBar *banner;
  GtkLabel *banner_label;
  GtkSearchBar *search_bar;
  GtkSearchEntry *search_entry;
  GtkToggleButton *regex_button;
  GtkToggleButton *case_button;
  VteTerminal *terminal;
  GtkScrollbar *scrollbar;
  GMenuModel *context_menu;

  GdkRGBA accent;               /* the host's colour, valid when has_accent */
  gboolean has_accent;
};

G_DEFINE_FINAL_TYPE (TetherTerminalPage, tether_terminal_page, GTK_TYPE_WIDGET)

G_DEFINE_ENUM_TYPE (TetherTerminalState, tether_terminal_state,
                    G_DEFINE_ENUM_VALUE (TETHER_TERMINAL_STATE_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (TETHER_TERMINAL_STATE_CONNECTED, "connected"),
                    G_DEFINE_ENUM_VALUE (TETHER_TERMINAL_STATE_DISCONNECTED, "disconnected"))

enum {
  PROP_0,
  PROP_HOST,
  PROP_CONNECTION,
  PROP_INTERACTION,
  PROP_TITLE,
  PROP_STATE,
  PROP_CWD,
  PROP_BELL,
  PROP_MESSAGE,
  PROP_CUSTOM_TITLE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Colours: GNOME's palette (as in Console) on light and dark backgrounds. */
static const char * const palette_spec[] = {
  "#241f31", "#c01c28", "#2ec27e", "#f5c211", "#1e78e4", "#9841bb", "#0ab9dc", "#c0bfbc",
  "#5e5c64", "#ed333b", "#57e389", "#f8e45c", "#51a1ff", "#c061cb", "#4fd2fd", "#f6f5f4",
};
#define LIGHT_FOREGROUND "#241f31"
#define LIGHT_BACKGROUND "#ffffff"
#define DARK_FOREGROUND "#ffffff"
#define DARK_BACKGROUND "#1e1e1e"

static void start_session (TetherTerminalPage *self);
static void cancel_auto_reconnect (TetherTerminalPage *self);
static void schedule_reconnect (TetherTerminalPage *self);

/* ------------------------------------------------------------------------- */
/* State                                                                     */

static void
update_actions (TetherTerminalPage *self)
{
  GtkWidget *widget = GTK_WIDGET (self);

  gtk_widget_action_set_enabled (widget, "term.reconnect",
                                 self->state == TETHER_TERMINAL_STATE_DISCONNECTED);
  gtk_widget_action_set_enabled (widget, "term.copy",
                                 self->terminal != NULL &&
                                 vte_terminal_get_has_selection (self->terminal));
  gtk_widget_action_set_enabled (widget, "term.open-link", self->context_link != NULL);
  gtk_widget_action_set_enabled (widget, "term.copy-link", self->context_link != NULL);
}

static void
set_state (TetherTerminalPage  *self,
           TetherTerminalState  state)
{
  if (self->state == state)
    return;

  self->state = state;
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* The banner says why the session ended, and what auto-reconnect does about it. */
static void
update_banner (TetherTerminalPage *self)
{
  g_autofree char *text = NULL;

  if (self->banner == NULL)
    return;

  if (self->message != NULL && self->reconnect_note != NULL)
    text = g_strdup_printf ("%s %s", self->message, self->reconnect_note);
  else
    text = g_strdup (self->message);

  gtk_label_set_text (self->banner_label, text != NULL ? text : "");
  gtk_info_bar_set_message_type (self->banner, self->message_type);
  gtk_info_bar_set_revealed (self->banner, text != NULL);
}

static void
set_message (TetherTerminalPage *self,
             GtkMessageType      type,
             const char         *message)
{
  if (g_strcmp0 (self->message, message) != 0) {
    g_free (self->message);
    self->message = g_strdup (message);
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
  }

  self->message_type = type;
  update_banner (self);
}

static void
set_reconnect_note (TetherTerminalPage *self,
                    const char         *note)
{
  if (g_strcmp0 (self->reconnect_note, note) == 0)
    return;

  g_free (self->reconnect_note);
  self->reconnect_note = g_strdup (note);
  update_banner (self);
}

static void
update_title (TetherTerminalPage *self)
{
  const char *terminal_title = NULL;
  const char *title;

  if (self->terminal != NULL)
    terminal_title = vte_terminal_get_window_title (self->terminal);

  /* A name the user gave the tab wins over what programs say. */
  if (self->custom_title != NULL)
    title = self->custom_title;
  else if (terminal_title != NULL && *terminal_title != '\0')
    title = terminal_title;
  else
    title = tether_host_get_display_name (self->host);

  if (g_strcmp0 (self->title, title) == 0)
    return;

  g_free (self->title);
  self->title = g_strdup (title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

/* Sends the terminal's size to the server when it differs from what the pty has. */
static void
sync_size (TetherTerminalPage *self)
{
  guint columns;
  guint rows;

  if (self->terminal == NULL || self->channel == NULL ||
      self->state != TETHER_TERMINAL_STATE_CONNECTED)
    return;

  columns = vte_terminal_get_column_count (self->terminal);
  rows = vte_terminal_get_row_count (self->terminal);
  if (columns == self->sent_columns && rows == self->sent_rows)
    return;

  g_debug ("Terminal size %u×%u", columns, rows);
  self->sent_columns = columns;
  self->sent_rows = rows;
  tether_session_channel_set_size (self->channel, columns, rows);
}

/* ------------------------------------------------------------------------- */
/* The session                                                               */

/* Forgets the session's channel and connection; the connection goes back to the pool
 * (kept as previous_connection when @keep_connection, for a reconnect to reuse). */
static void
stop_session (TetherTerminalPage *self,
              gboolean            keep_connection)
{
  TetherConnectionPool *pool = tether_connection_pool_get_default ();

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  if (self->channel != NULL) {
    g_signal_handlers_disconnect_by_data (self->channel, self);
    /* Sends EOF and CLOSE when the shell still runs; nobody waits for it. */
    g_io_stream_close_async (G_IO_STREAM (self->channel), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
    g_clear_object (&self->channel);
  }
  self->writing = FALSE;
  g_byte_array_set_size (self->pending_output, 0);

  if (self->connection != NULL) {
    g_signal_handlers_disconnect_by_data (self->connection, self);
    if (keep_connection && self->previous_connection == NULL) {
      self->previous_connection = g_steal_pointer (&self->connection);
    } else {
      tether_connection_pool_release (pool, self->connection);
      g_clear_object (&self->connection);
    }
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
  }

  if (!keep_connection && self->previous_connection != NULL) {
    tether_connection_pool_release (pool, self->previous_connection);
    g_clear_object (&self->previous_connection);
  }
}

/* Errors another try cannot fix without the user: those stop auto-reconnect. */
static gboolean
is_retryable (const GError *error)
{
  return !g_error_matches (error, TETHER_ERROR, TETHER_ERROR_HOST_KEY_UNKNOWN) &&
         !g_error_matches (error, TETHER_ERROR, TETHER_ERROR_HOST_KEY_CHANGED) &&
         !g_error_matches (error, TETHER_ERROR, TETHER_ERROR_AUTH_FAILED) &&
         !g_error_matches (error, TETHER_ERROR, TETHER_ERROR_AUTH_CANCELLED) &&
         !g_error_matches (error, TETHER_ERROR, TETHER_ERROR_CONFIG);
}

/* @error is why the session failed, or %NULL when it ended as sessions do (the shell
 * exited): only a running session's failure, or a retry's, starts or continues
 * auto-reconnect. */
static void
end_session (TetherTerminalPage *self,
             GtkMessageType      type,
             const char         *message,
             const GError       *error)
{
  gboolean was_connected = self->state == TETHER_TERMINAL_STATE_CONNECTED;
  gboolean connection_failed = g_error_matches (error, TETHER_ERROR, TETHER_ERROR_DISCONNECTED);

  g_debug ("Session on %s ended: %s", tether_host_get_display_name (self->host), message);

  /* A dropped connection may not have said so yet (its channel's error comes first): no
   * Reconnect, ours or another tab's, may be handed it again. Otherwise the connection stays
   * ours: the next Reconnect may reuse it. */
  if (connection_failed && self->connection != NULL)
    tether_connection_pool_discard (tether_connection_pool_get_default (), self->connection);
  stop_session (self, !connection_failed);
  set_message (self, type, message);
  set_state (self, TETHER_TERMINAL_STATE_DISCONNECTED);

  if (error != NULL && (was_connected || self->auto_reconnecting) && is_retryable (error) &&
      g_settings_get_boolean (self->settings, "auto-reconnect")) {
    if (!self->auto_reconnecting) {
      self->auto_reconnecting = TRUE;
      self->reconnect_attempts = 0;
    }
    schedule_reconnect (self);
  } else {
    cancel_auto_reconnect (self);
  }
}

static gboolean is_cancelled (const GError *error);

static void
fail_session (TetherTerminalPage *self,
              const GError       *error)
{
  if (is_cancelled (error))
    return;

  end_session (self, GTK_MESSAGE_ERROR, error->message, error);
}

static void write_pending (TetherTerminalPage *self);

/* The session's async calls hold no reference on the page: a pending read would otherwise
 * keep a closed tab alive forever. Dispose cancels them instead, so a callback that gets
 * G_IO_ERROR_CANCELLED must not touch the page, which may be gone. */
static gboolean
is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

typedef struct {
  TetherTerminalPage *self;     /* unowned: see is_cancelled () */
  GBytes *bytes;
} WriteData;

static void
write_data_free (WriteData *data)
{
  g_clear_pointer (&data->bytes, g_bytes_unref);
  g_free (data);
}

static void
write_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  WriteData *data = user_data;
  TetherTerminalPage *self = data->self;
  g_autoptr(GError) error = NULL;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error);
  write_data_free (data);
  if (is_cancelled (error))
    return;
  if (error != NULL)
    g_debug ("Cannot write to the session: %s", error->message);

  /* A reconnect may have replaced the channel meanwhile: its writes are its own. */
  if (self->channel != NULL &&
      source == G_OBJECT (g_io_stream_get_output_stream (G_IO_STREAM (self->channel)))) {
    self->writing = FALSE;
    if (error == NULL)
      write_pending (self);
  }
}

/* Hands everything committed so far to the channel as one write, after the previous one:
 * keys reach the shell in the order they were typed. */
static void
write_pending (TetherTerminalPage *self)
{
  GOutputStream *output;
  WriteData *data;

  if (self->writing || self->channel == NULL || self->state != TETHER_TERMINAL_STATE_CONNECTED ||
      self->pending_output->len == 0)
    return;

  data = g_new0 (WriteData, 1);
  data->self = self;
  data->bytes = g_byte_array_free_to_bytes (g_steal_pointer (&self->pending_output));
  self->pending_output = g_byte_array_new ();
  self->writing = TRUE;

  output = g_io_stream_get_output_stream (G_IO_STREAM (self->channel));
  g_output_stream_write_all_async (output,
                                   g_bytes_get_data (data->bytes, NULL),
                                   g_bytes_get_size (data->bytes),
                                   G_PRIORITY_DEFAULT, self->cancellable, write_cb, data);
}

static void read_next (TetherTerminalPage *self);

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  TetherTerminalPage *self = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (is_cancelled (error))
    return;

  /* Stale (a reconnect replaced the channel), or the page is going away. */
  if (self->channel == NULL ||
      source != G_OBJECT (g_io_stream_get_input_stream (G_IO_STREAM (self->channel))))
    return;

  if (bytes == NULL) {
    /* The channel's ::closed says why, with the exit status or the connection's reason. */
    g_debug ("Reading the session stopped: %s", error->message);
    return;
  }
  if (g_bytes_get_size (bytes) == 0)
    return;

  vte_terminal_feed (self->terminal, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  read_next (self);
}

static void
read_next (TetherTerminalPage *self)
{
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (self->channel));

  g_input_stream_read_bytes_async (input, READ_CHUNK_SIZE, G_PRIORITY_DEFAULT,
                                   self->cancellable, read_cb, self);
}

static void
on_exit_status (TetherTerminalPage   *self,
                int                   status,
                TetherSessionChannel *channel)
{
  self->have_exit_status = TRUE;
  self->exit_status = status;
}

static void
on_exit_signal (TetherTerminalPage   *self,
                const char           *signal_name,
                gboolean              core_dumped,
                const char           *error_message,
                TetherSessionChannel *channel)
{
  g_autofree char *message = NULL;

  message = g_strdup_printf (_("Session ended: the shell was killed by signal %s"), signal_name);
  end_session (self, GTK_MESSAGE_INFO, message, NULL);
}

static void
on_channel_closed (TetherTerminalPage   *self,
                   GError               *reason,
                   TetherSessionChannel *channel)
{
  g_autofree char *message = NULL;

  if (self->have_exit_status) {
    message = g_strdup_printf (_("Session ended with exit status %d"), self->exit_status);
    end_session (self, GTK_MESSAGE_INFO, message, NULL);
  } else if (reason != NULL) {
    end_session (self, GTK_MESSAGE_ERROR, reason->message, reason);
  } else {
    end_session (self, GTK_MESSAGE_INFO, _("Session ended"), NULL);
  }
}

static void
on_connection_closed (TetherTerminalPage *self,
                      GError             *reason,
                      TetherConnection   *connection)
{
  /* Only reached before the shell's channel closed (while starting): the channel's ::closed
   * carries the same reason otherwise. */
  end_session (self, GTK_MESSAGE_ERROR,
               reason != NULL ? reason->message : _("The connection was closed"), reason);
}

static void
shell_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  TetherTerminalPage *self = user_data;
  g_autoptr(GError) error = NULL;

  if (!tether_session_channel_request_shell_finish (TETHER_SESSION_CHANNEL (source), result,
                                                     &error)) {
    fail_session (self, error);
    return;
  }
  if ((gpointer) source != self->channel)
    return;

  set_state (self, TETHER_TERMINAL_STATE_CONNECTED);
  cancel_auto_reconnect (self);
  read_next (self);
  /* The widget may have been resized while the shell started, and keys typed. */
  sync_size (self);
  write_pending (self);
}

static void
request_shell (TetherTerminalPage *self)
{
  tether_session_channel_request_shell_async (self->channel, self->cancellable, shell_cb,
                                              self);
}

static void
env_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  TetherTerminalPage *self = user_data;
  g_autoptr(GError) error = NULL;

  /* Servers accept only the variables their AcceptEnv names: a refusal is normal. */
  if (!tether_session_channel_request_env_finish (TETHER_SESSION_CHANNEL (source), result,
                                                   &error)) {
    if (is_cancelled (error))
      return;
    g_debug ("The server refused LANG: %s", error->message);
  }
  if ((gpointer) source != self->channel)
    return;

  request_shell (self);
}

static void
pty_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  TetherTerminalPage *self = user_data;
  g_autoptr(GError) error = NULL;
  const char *lang = g_getenv ("LANG");

  if (!tether_session_channel_request_pty_finish (TETHER_SESSION_CHANNEL (source), result,
                                                   &error)) {
    fail_session (self, error);
    return;
  }
  if ((gpointer) source != self->channel)
    return;

  if (lang != NULL && *lang != '\0')
    tether_session_channel_request_env_async (self->channel, "LANG", lang, self->cancellable,
                                              env_cb, self);
  else
    request_shell (self);
}

static void
session_opened_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  TetherTerminalPage *self = user_data;
  g_autoptr(TetherSessionChannel) channel = NULL;
  g_autoptr(GError) error = NULL;

  channel = tether_connection_open_session_finish (TETHER_CONNECTION (source), result, &error);
  if (channel == NULL) {
    fail_session (self, error);
    return;
  }
  if ((gpointer) source != self->connection) {
    g_io_stream_close_async (G_IO_STREAM (channel), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
    return;
  }

  self->channel = g_steal_pointer (&channel);
  self->have_exit_status = FALSE;
  g_signal_connect_object (self->channel, "exit-status", G_CALLBACK (on_exit_status), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->channel, "exit-signal", G_CALLBACK (on_exit_signal), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->channel, "closed", G_CALLBACK (on_channel_closed), self,
                           G_CONNECT_SWAPPED);

  self->sent_columns = vte_terminal_get_column_count (self->terminal);
  self->sent_rows = vte_terminal_get_row_count (self->terminal);
  tether_session_channel_request_pty_async (self->channel, TERMINAL_TYPE,
                                            self->sent_columns, self->sent_rows,
                                            self->cancellable, pty_cb, self);
}

static void
acquired_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  TetherTerminalPage *self = user_data;
  TetherConnectionPool *pool = TETHER_CONNECTION_POOL (source);
  g_autoptr(TetherConnection) connection = NULL;
  g_autoptr(GError) error = NULL;

  connection = tether_connection_pool_acquire_finish (pool, result, &error);
  if (is_cancelled (error))
    return;

  /* The new connection is ours (or there is none): let go of the old one. */
  if (self->previous_connection != NULL) {
    tether_connection_pool_release (pool, self->previous_connection);
    g_clear_object (&self->previous_connection);
  }

  if (connection == NULL) {
    fail_session (self, error);
    return;
  }

  self->connection = g_steal_pointer (&connection);
  g_signal_connect_object (self->connection, "closed", G_CALLBACK (on_connection_closed), self,
                           G_CONNECT_SWAPPED);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);

  tether_connection_open_session_async (self->connection, self->cancellable, session_opened_cb,
                                        self);
}

static void
start_session (TetherTerminalPage *self)
{
  self->started = TRUE;
  stop_session (self, TRUE);

  self->cancellable = g_cancellable_new ();
  self->have_exit_status = FALSE;
  set_message (self, GTK_MESSAGE_INFO, NULL);
  set_state (self, TETHER_TERMINAL_STATE_CONNECTING);

  tether_connection_pool_acquire_async (tether_connection_pool_get_default (), self->host,
                                        self->interaction, self->cancellable, acquired_cb,
                                        self);
}

/* ------------------------------------------------------------------------- */
/* Auto-reconnect                                                            */

static void
clear_reconnect_sources (TetherTerminalPage *self)
{
  g_clear_handle_id (&self->reconnect_source, g_source_remove);
  g_clear_handle_id (&self->reconnect_tick_source, g_source_remove);
  self->reconnect_time = 0;
}

static void
cancel_auto_reconnect (TetherTerminalPage *self)
{
  clear_reconnect_sources (self);
  self->auto_reconnecting = FALSE;
  self->reconnect_attempts = 0;
  set_reconnect_note (self, NULL);
}

/* Leaves the modes the dropped program set (alternate screen, mouse, colours) and keeps
 * its text, as a manual reconnect does. */
static void
reset_terminal_for_new_session (TetherTerminalPage *self)
{
  vte_terminal_reset (self->terminal, FALSE, FALSE);
  vte_terminal_feed (self->terminal, "\r\n", -1);
}

static gboolean
reconnect_tick_cb (gpointer user_data)
{
  TetherTerminalPage *self = user_data;
  gint64 remaining_ms = (self->reconnect_time - g_get_monotonic_time ()) / 1000;
  /* Whole seconds, rounded up: the last second says 1, not 0. */
  guint seconds = MAX ((remaining_ms + RECONNECT_TICK_MS - 1) / RECONNECT_TICK_MS, 1);
  g_autofree char *note = NULL;

  note = g_strdup_printf (ngettext ("Reconnecting in %u second…",
                                    "Reconnecting in %u seconds…", seconds),
                          seconds);
  set_reconnect_note (self, note);

  return G_SOURCE_CONTINUE;
}

static gboolean
reconnect_cb (gpointer user_data)
{
  TetherTerminalPage *self = user_data;

  self->reconnect_source = 0;
  clear_reconnect_sources (self);
  set_reconnect_note (self, NULL);

  g_debug ("Reconnecting to %s, try %u", tether_host_get_display_name (self->host),
           self->reconnect_attempts);
  if (self->reconnect_attempts == 1)
    reset_terminal_for_new_session (self);
  start_session (self);

  return G_SOURCE_REMOVE;
}

/* Arms the next retry, or waits for the network when there is none. */
static void
schedule_reconnect (TetherTerminalPage *self)
{
  guint delay_ms = self->reconnect_first_delay_ms;

  clear_reconnect_sources (self);

  if (!g_network_monitor_get_network_available (self->network_monitor)) {
    set_reconnect_note (self, _("Waiting for the network…"));
    return;
  }

  for (guint i = 0; i < self->reconnect_attempts && delay_ms < self->reconnect_max_delay_ms; i++)
    delay_ms *= 2;
  delay_ms = MIN (delay_ms, self->reconnect_max_delay_ms);
  self->reconnect_attempts++;

  self->reconnect_time = g_get_monotonic_time () + (gint64) delay_ms * 1000;
  self->reconnect_source = g_timeout_add (delay_ms, reconnect_cb, self);
  self->reconnect_tick_source = g_timeout_add (RECONNECT_TICK_MS, reconnect_tick_cb, self);
  reconnect_tick_cb (self);
}

static void
on_network_changed (TetherTerminalPage *self,
                    gboolean            available,
                    GNetworkMonitor    *monitor)
{
  if (!self->auto_reconnecting || self->state != TETHER_TERMINAL_STATE_DISCONNECTED)
    return;

  if (!available) {
    clear_reconnect_sources (self);
    set_reconnect_note (self, _("Waiting for the network…"));
  } else if (self->reconnect_time == 0) {
    /* The network is back: start over with the short wait. */
    self->reconnect_attempts = 0;
    schedule_reconnect (self);
  }
}

static void
on_auto_reconnect_changed (TetherTerminalPage *self)
{
  if (!g_settings_get_boolean (self->settings, "auto-reconnect"))
    cancel_auto_reconnect (self);
}

/**
 * tether_terminal_page_set_reconnect_delays_for_testing:
 * @self: a terminal page
 * @first_delay_ms: the wait before the first retry
 * @max_delay_ms: the longest wait between retries
 *
 * Shortens auto-reconnect's backoff so that tests need not wait seconds. Only for tests.
 */
void
tether_terminal_page_set_reconnect_delays_for_testing (TetherTerminalPage *self,
                                                       guint               first_delay_ms,
                                                       guint               max_delay_ms)
{
  g_return_if_fail (TETHER_IS_TERMINAL_PAGE (self));
  g_return_if_fail (first_delay_ms > 0 && first_delay_ms <= max_delay_ms);

  self->reconnect_first_delay_ms = first_delay_ms;
  self->reconnect_max_delay_ms = max_delay_ms;
}

/* ------------------------------------------------------------------------- */
/* Terminal signals                                                          */

static void
on_terminal_commit (TetherTerminalPage *self,
                    const char         *text,
                    guint               size,
                    VteTerminal        *terminal)
{
  /* Keys typed into an ended session go nowhere; while connecting they wait. */
  tether_terminal_page_send_input (self, text, size);
}

static void
on_terminal_title_changed (TetherTerminalPage *self,
                           VteTerminal        *terminal)
{
  update_title (self);
}

static void
on_terminal_cwd_changed (TetherTerminalPage *self,
                         VteTerminal        *terminal)
{
  const char *uri = vte_terminal_get_current_directory_uri (terminal);
  g_autofree char *path = NULL;

  /* OSC 7 names the server's own host; the path is what matters here. */
  if (uri != NULL)
    path = g_filename_from_uri (uri, NULL, NULL);
  if (g_strcmp0 (self->cwd, path) == 0)
    return;

  g_free (self->cwd);
  self->cwd = g_steal_pointer (&path);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CWD]);
}

static void
on_terminal_bell (TetherTerminalPage *self,
                  VteTerminal        *terminal)
{
  /* The user looking at this terminal heard it (or saw it) already. */
  if (!gtk_widget_has_focus (GTK_WIDGET (terminal)))
    tether_terminal_page_set_bell (self, TRUE);
}

static void
on_terminal_focus_enter (TetherTerminalPage *self)
{
  tether_terminal_page_set_bell (self, FALSE);
}

static void
on_terminal_selection_changed (TetherTerminalPage *self,
                               VteTerminal        *terminal)
{
  update_actions (self);
}

static void
on_terminal_char_size_changed (TetherTerminalPage *self,
                               guint               width,
                               guint               height,
                               VteTerminal        *terminal)
{
  sync_size (self);
}

static char *
link_at (TetherTerminalPage *self,
         double              x,
         double              y)
{
  char *link = vte_terminal_check_hyperlink_at (self->terminal, x, y);
  int tag = -1;

  if (link != NULL)
    return link;

  link = vte_terminal_check_match_at (self->terminal, x, y, &tag);
  if (link != NULL && tag == self->url_tag && g_str_has_prefix (link, "www.")) {
    char *with_scheme = g_strconcat ("http://", link, NULL);

    g_free (link);
    return with_scheme;
  }

  return link;
}

static void
open_link (TetherTerminalPage *self,
           const char         *link)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, link, GDK_CURRENT_TIME);
}

static void
on_terminal_pressed (TetherTerminalPage *self,
                     int                 n_press,
                     double              x,
                     double              y,
                     GtkGestureClick    *gesture)
{
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));
  GdkModifierType state = gtk_event_controller_get_current_event_state (
                            GTK_EVENT_CONTROLLER (gesture));
  g_autofree char *link = link_at (self, x, y);

  if (button == GDK_BUTTON_PRIMARY && (state & GDK_CONTROL_MASK) != 0 && link != NULL) {
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
    open_link (self, link);
  } else if (button == GDK_BUTTON_SECONDARY) {
    GdkRectangle rect = { 0, 0, 1, 1 };
    double page_x;
    double page_y;

    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
    g_free (self->context_link);
    self->context_link = g_steal_pointer (&link);
    update_actions (self);

    if (gtk_widget_translate_coordinates (GTK_WIDGET (self->terminal), GTK_WIDGET (self),
                                          x, y, &page_x, &page_y)) {
      rect.x = page_x;
      rect.y = page_y;
    }
    gtk_popover_set_pointing_to (GTK_POPOVER (self->context_popover), &rect);
    gtk_popover_popup (GTK_POPOVER (self->context_popover));
  }
}

/* ------------------------------------------------------------------------- */
/* Settings                                                                  */

static void
update_colors (TetherTerminalPage *self)
{
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  GdkRGBA palette[G_N_ELEMENTS (palette_spec)];
  GdkRGBA foreground;
  GdkRGBA background;

  for (gsize i = 0; i < G_N_ELEMENTS (palette_spec); i++)
    gdk_rgba_parse (&palette[i], palette_spec[i]);
  gdk_rgba_parse (&foreground, dark ? DARK_FOREGROUND : LIGHT_FOREGROUND);
  gdk_rgba_parse (&background, dark ? DARK_BACKGROUND : LIGHT_BACKGROUND);

  vte_terminal_set_colors (self->terminal, &foreground, &background, palette,
                           G_N_ELEMENTS (palette));
}

static void
update_font (TetherTerminalPage *self)
{
  g_autofree char *name = NULL;
  g_autoptr(PangoFontDescription) font = NULL;

  if (g_settings_get_boolean (self->settings, "use-system-font")) {
    if (self->desktop_settings != NULL)
      name = g_settings_get_string (self->desktop_settings, DESKTOP_MONOSPACE_KEY);
  } else {
    name = g_settings_get_string (self->settings, "font");
  }

  font = pango_font_description_from_string (name != NULL && *name != '\0' ? name
                                                                          : FALLBACK_FONT);
  vte_terminal_set_font (self->terminal, font);
}

static void
update_scrollback (TetherTerminalPage *self)
{
  /* -1 keeps everything, as VTE itself understands it. */
  vte_terminal_set_scrollback_lines (self->terminal,
                                     g_settings_get_int (self->settings, "scrollback-lines"));
}

static void
on_settings_changed (TetherTerminalPage *self,
                     const char         *key,
                     GSettings          *settings)
{
  if (g_str_equal (key, "font") || g_str_equal (key, "use-system-font") ||
      g_str_equal (key, DESKTOP_MONOSPACE_KEY))
    update_font (self);
  else if (g_str_equal (key, "scrollback-lines"))
    update_scrollback (self);
}

static GSettings *
new_desktop_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  /* Only a GNOME-ish desktop has it; elsewhere the fallback font does. */
  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, DESKTOP_INTERFACE_SCHEMA, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, DESKTOP_MONOSPACE_KEY))
    return NULL;

  return g_settings_new_full (schema, NULL, NULL);
}

/* ------------------------------------------------------------------------- */
/* Actions                                                                   */

static void
copy_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (widget);

  vte_terminal_copy_clipboard_format (self->terminal, VTE_FORMAT_TEXT);
}

typedef struct {
  TetherTerminalPage *self;
  char *text;
} PasteData;

static void
paste_data_free (gpointer  user_data,
                 GClosure *closure)
{
  PasteData *data = user_data;

  g_clear_object (&data->self);
  g_free (data->text);
  g_free (data);
}

static void
on_paste_response (AdwMessageDialog *dialog,
                   const char       *response,
                   PasteData        *data)
{
  if (g_str_equal (response, "paste") && data->self->terminal != NULL)
    vte_terminal_paste_text (data->self->terminal, data->text);
}

static char *
paste_preview (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", PASTE_PREVIEW_LINES + 1);
  GString *preview = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL && i < PASTE_PREVIEW_LINES; i++) {
    if (i > 0)
      g_string_append_c (preview, '\n');
    g_string_append (preview, lines[i]);
  }
  if (g_strv_length (lines) > PASTE_PREVIEW_LINES)
    g_string_append (preview, "\n…");

  return g_string_free (preview, FALSE);
}

static void
confirm_paste (TetherTerminalPage *self,
               const char         *text)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *preview = paste_preview (text);
  g_autofree char *markup_preview = g_markup_escape_text (preview, -1);
  g_autofree char *body = NULL;
  PasteData *data;
  GtkWidget *dialog;

  body = g_strdup_printf ("%s\n\n<tt>%s</tt>",
                          _("Each line may run as a command on the server."),
                          markup_preview);
  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Paste Multiple Lines?"), NULL);
  adw_message_dialog_set_body_use_markup (ADW_MESSAGE_DIALOG (dialog), TRUE);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "paste", _("_Paste"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "paste",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  data = g_new0 (PasteData, 1);
  data->self = g_object_ref (self);
  data->text = g_strdup (text);
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_paste_response), data,
                         paste_data_free, G_CONNECT_DEFAULT);

  gtk_window_present (GTK_WINDOW (dialog));
}

static void
paste_read_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TetherTerminalPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  if (text == NULL || self->terminal == NULL) {
    if (error != NULL)
      g_debug ("Nothing to paste: %s", error->message);
    return;
  }

  if (strchr (text, '\n') != NULL && g_settings_get_boolean (self->settings,
                                                             "confirm-multiline-paste"))
    confirm_paste (self, text);
  else
    vte_terminal_paste_text (self->terminal, text);
}

static void
paste_activated (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (widget);
  GdkClipboard *clipboard = gtk_widget_get_clipboard (GTK_WIDGET (self->terminal));

  gdk_clipboard_read_text_async (clipboard, NULL, paste_read_cb, g_object_ref (self));
}

static void
select_all_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  vte_terminal_select_all (TETHER_TERMINAL_PAGE (widget)->terminal);
}

static void
zoom_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (widget);
  double scale = vte_terminal_get_font_scale (self->terminal);

  if (g_str_equal (action_name, "term.zoom-in"))
    scale *= ZOOM_FACTOR;
  else if (g_str_equal (action_name, "term.zoom-out"))
    scale /= ZOOM_FACTOR;
  else
    scale = 1.0;

  vte_terminal_set_font_scale (self->terminal, CLAMP (scale, ZOOM_MIN, ZOOM_MAX));
}

static void
find_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (widget);

  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

static void
find_next_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (widget);

  if (g_str_equal (action_name, "term.find-next"))
    vte_terminal_search_find_next (self->terminal);
  else
    vte_terminal_search_find_previous (self->terminal);
}

static void
reconnect_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  tether_terminal_page_reconnect (TETHER_TERMINAL_PAGE (widget));
}

static void
open_link_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (widget);

  if (self->context_link != NULL)
    open_link (self, self->context_link);
}

static void
copy_link_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (widget);

  if (self->context_link != NULL)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), self->context_link);
}

/* Save contents: VTE writes its text only synchronously, so it goes to memory (no disk, no
 * waiting) on this thread, and from there to the file on a worker: a full disk leaves the
 * old file as it was. */

static void
save_contents_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  GBytes *bytes = task_data;
  GFile *file = g_object_get_data (G_OBJECT (task), "file");
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(GFileOutputStream) stream = NULL;
  GError *error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (path != NULL) {
    if (!tether_file_write_safely (path, data != NULL ? data : "", len,
                                   TETHER_FILE_MODE_DEFAULT, cancellable, &error))
      g_task_return_error (task, error);
    else
      g_task_return_boolean (task, TRUE);
    return;
  }

  /* A file of a GVfs backend has no path: its backend writes and renames. */
  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, cancellable, &error);
  if (stream == NULL ||
      !g_output_stream_write_all (G_OUTPUT_STREAM (stream), data, len, NULL, cancellable,
                                  &error) ||
      !g_output_stream_close (G_OUTPUT_STREAM (stream), cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * tether_terminal_page_save_contents_async:
 * @self: a terminal page
 * @file: where to write
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the file is written
 * @user_data: data for @callback
 *
 * Writes the terminal's text, scrollback included, to @file as plain UTF-8, replacing what
 * @file held.
 */
void
tether_terminal_page_save_contents_async (TetherTerminalPage  *self,
                                          GFile               *file,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GOutputStream) memory = NULL;
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;

  g_return_if_fail (TETHER_IS_TERMINAL_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tether_terminal_page_save_contents_async);
  g_task_set_name (task, "[tether] save terminal contents");

  memory = g_memory_output_stream_new_resizable ();
  if (!vte_terminal_write_contents_sync (self->terminal, memory, VTE_WRITE_DEFAULT, cancellable,
                                         &error) ||
      !g_output_stream_close (memory, cancellable, &error)) {
    g_task_return_error (task, error);
    return;
  }

  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
  g_task_set_task_data (task, g_steal_pointer (&bytes), (GDestroyNotify) g_bytes_unref);
  g_object_set_data_full (G_OBJECT (task), "file", g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, save_contents_thread);
}

/**
 * tether_terminal_page_save_contents_finish:
 * @self: a terminal page
 * @result: the result passed to the callback
 * @error: return location for an error
 *
 * Returns: whether the file was written
 */
gboolean
tether_terminal_page_save_contents_finish (TetherTerminalPage  *self,
                                           GAsyncResult        *result,
                                           GError             **error)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Tells the user in the nearest toast overlay (the window's), if there is one. */
static void
show_toast (TetherTerminalPage *self,
            const char         *title)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (title));
}

static void
save_dialog_saved_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (source);
  g_autoptr(GFile) file = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *title = NULL;

  name = g_file_get_parse_name (file);
  if (!tether_terminal_page_save_contents_finish (self, result, &error)) {
    g_warning ("Could not save the terminal's contents to %s: %s", name, error->message);
    title = g_strdup_printf (_("Could not save to %s: %s"), name, error->message);
  } else {
    title = g_strdup_printf (_("Saved to %s"), name);
  }
  show_toast (self, title);
}

static void
on_save_dialog_response (GtkNativeDialog    *dialog,
                         int                 response,
                         TetherTerminalPage *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  if (file != NULL)
    tether_terminal_page_save_contents_async (self, file, NULL, save_dialog_saved_cb,
                                              g_object_ref (file));

  g_clear_object (&self->save_dialog);
}

static void
save_contents_activated (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *parameter)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *name = NULL;
  GtkFileChooserNative *chooser;

  if (self->save_dialog != NULL) {
    gtk_native_dialog_show (self->save_dialog);
    return;
  }

  chooser = gtk_file_chooser_native_new (_("Save Terminal Contents"),
                                         GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  name = g_strdup_printf ("%s.txt", tether_host_get_display_name (self->host));
  g_strdelimit (name, G_DIR_SEPARATOR_S, '-');
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_save_dialog_response), self,
                           G_CONNECT_DEFAULT);

  self->save_dialog = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->save_dialog);
}

/* Shortcuts the terminal would otherwise take as input: matched in the capture phase. */
static const struct {
  const char *trigger;
  const char *action;
} page_shortcuts[] = {
  { "<Control><Shift>c", "term.copy" },
  { "<Control><Shift>v", "term.paste" },
  { "<Control><Shift>a", "term.select-all" },
  { "<Control><Shift>f", "term.find" },
  { "<Control><Shift>g", "term.find-previous" },
  { "<Control>g", "term.find-next" },
  { "<Control><Shift>r", "term.reconnect" },
  { "<Control><Shift>s", "term.save-contents" },
  { "<Control>plus", "term.zoom-in" },
  { "<Control>equal", "term.zoom-in" },
  { "<Control>KP_Add", "term.zoom-in" },
  { "<Control>minus", "term.zoom-out" },
  { "<Control>KP_Subtract", "term.zoom-out" },
  { "<Control>0", "term.zoom-reset" },
  { "<Control>KP_0", "term.zoom-reset" },
};

/* ------------------------------------------------------------------------- */
/* Find                                                                      */

static void
on_search_changed (TetherTerminalPage *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *pattern = NULL;
  g_autoptr(VteRegex) regex = NULL;
  g_autoptr(GError) error = NULL;
  guint32 flags = VTE_REGEX_FLAGS;

  gtk_widget_remove_css_class (GTK_WIDGET (self->search_entry), "error");

  if (*text == '\0') {
    vte_terminal_search_set_regex (self->terminal, NULL, 0);
    vte_terminal_unselect_all (self->terminal);
    return;
  }

  if (gtk_toggle_button_get_active (self->regex_button))
    pattern = g_strdup (text);
  else
    pattern = g_regex_escape_string (text, -1);
  if (!gtk_toggle_button_get_active (self->case_button))
    flags |= PCRE2_CASELESS;

  regex = vte_regex_new_for_search (pattern, -1, flags, &error);
  if (regex == NULL) {
    /* A half-typed regular expression: say so, and keep the last match shown. */
    gtk_widget_add_css_class (GTK_WIDGET (self->search_entry), "error");
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->search_entry), error->message);
    return;
  }
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->search_entry), NULL);

  vte_terminal_search_set_regex (self->terminal, regex, 0);
  /* Output is read bottom up: the first match is the most recent one. */
  vte_terminal_unselect_all (self->terminal);
  vte_terminal_search_find_previous (self->terminal);
}

static void
on_search_activate (TetherTerminalPage *self)
{
  vte_terminal_search_find_previous (self->terminal);
}

static void
on_search_next_match (TetherTerminalPage *self)
{
  vte_terminal_search_find_next (self->terminal);
}

static void
on_search_previous_match (TetherTerminalPage *self)
{
  vte_terminal_search_find_previous (self->terminal);
}

static void
on_search_stop (TetherTerminalPage *self)
{
  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->terminal));
}

/* ------------------------------------------------------------------------- */
/* GtkWidget                                                                 */

static void
tether_terminal_page_measure (GtkWidget      *widget,
                              GtkOrientation  orientation,
                              int             for_size,
                              int            *minimum,
                              int            *natural,
                              int            *minimum_baseline,
                              int            *natural_baseline)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (widget);

  gtk_widget_measure (self->box, orientation, for_size, minimum, natural,
                      minimum_baseline, natural_baseline);
}

static GtkSizeRequestMode
tether_terminal_page_get_request_mode (GtkWidget *widget)
{
  return gtk_widget_get_request_mode (TETHER_TERMINAL_PAGE (widget)->box);
}

static void
tether_terminal_page_size_allocate (GtkWidget *widget,
                                    int        width,
                                    int        height,
                                    int        baseline)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (widget);

  gtk_widget_allocate (self->box, width, height, baseline, NULL);
  gtk_popover_present (GTK_POPOVER (self->context_popover));

  /* The terminal computed its rows and columns from its new allocation just now. */
  sync_size (self);
}

static gboolean
tether_terminal_page_grab_focus (GtkWidget *widget)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (widget);

  return self->terminal != NULL && gtk_widget_grab_focus (GTK_WIDGET (self->terminal));
}

static void
tether_terminal_page_map (GtkWidget *widget)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (widget);

  GTK_WIDGET_CLASS (tether_terminal_page_parent_class)->map (widget);

  if (!self->started)
    start_session (self);
}

/* ------------------------------------------------------------------------- */
/* GObject                                                                   */

/* The strip is a drawing area rather than CSS so that any colour the host file holds is drawn
 * as parsed, without building a style sheet from user text. */
static void
draw_accent (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        user_data)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (user_data);

  if (!self->has_accent)
    return;

  gdk_cairo_set_source_rgba (cr, &self->accent);
  cairo_rectangle (cr, 0, 0, width, height);
  cairo_fill (cr);
}

static void
update_accent (TetherTerminalPage *self)
{
  const char *colour = tether_host_get_colour (self->host);

  self->has_accent = colour != NULL && gdk_rgba_parse (&self->accent, colour);
  gtk_widget_set_visible (GTK_WIDGET (self->accent_strip), self->has_accent);
  gtk_widget_queue_draw (GTK_WIDGET (self->accent_strip));
}

static void
tether_terminal_page_constructed (GObject *object)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (object);

  G_OBJECT_CLASS (tether_terminal_page_parent_class)->constructed (object);

  g_return_if_fail (self->host != NULL);

  update_accent (self);
  g_signal_connect_object (self->host, "notify::colour", G_CALLBACK (update_accent), self,
                           G_CONNECT_SWAPPED);

  update_title (self);
}

static void
tether_terminal_page_dispose (GObject *object)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (object);

  if (self->pending_output != NULL)
    stop_session (self, FALSE);
  clear_reconnect_sources (self);
  g_clear_object (&self->network_monitor);

  if (self->context_popover != NULL) {
    gtk_widget_unparent (self->context_popover);
    self->context_popover = NULL;
  }
  if (self->save_dialog != NULL) {
    gtk_native_dialog_destroy (self->save_dialog);
    g_clear_object (&self->save_dialog);
  }
  g_clear_object (&self->settings);
  g_clear_object (&self->desktop_settings);

  gtk_widget_dispose_template (GTK_WIDGET (self), TETHER_TYPE_TERMINAL_PAGE);

  G_OBJECT_CLASS (tether_terminal_page_parent_class)->dispose (object);
}

static void
tether_terminal_page_finalize (GObject *object)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (object);

  g_clear_object (&self->host);
  g_clear_object (&self->interaction);
  g_clear_pointer (&self->pending_output, g_byte_array_unref);
  g_free (self->title);
  g_free (self->custom_title);
  g_free (self->cwd);
  g_free (self->message);
  g_free (self->reconnect_note);
  g_free (self->context_link);

  G_OBJECT_CLASS (tether_terminal_page_parent_class)->finalize (object);
}

static void
tether_terminal_page_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (object);

  switch (prop_id) {
  case PROP_HOST:
    g_value_set_object (value, self->host);
    break;
  case PROP_CONNECTION:
    g_value_set_object (value, self->connection);
    break;
  case PROP_INTERACTION:
    g_value_set_object (value, self->interaction);
    break;
  case PROP_TITLE:
    g_value_set_string (value, self->title);
    break;
  case PROP_STATE:
    g_value_set_enum (value, self->state);
    break;
  case PROP_CWD:
    g_value_set_string (value, self->cwd);
    break;
  case PROP_BELL:
    g_value_set_boolean (value, self->bell);
    break;
  case PROP_MESSAGE:
    g_value_set_string (value, self->message);
    break;
  case PROP_CUSTOM_TITLE:
    g_value_set_string (value, self->custom_title);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_terminal_page_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  TetherTerminalPage *self = TETHER_TERMINAL_PAGE (object);

  switch (prop_id) {
  case PROP_HOST:
    self->host = g_value_dup_object (value);
    break;
  case PROP_INTERACTION:
    tether_terminal_page_set_interaction (self, g_value_get_object (value));
    break;
  case PROP_BELL:
    tether_terminal_page_set_bell (self, g_value_get_boolean (value));
    break;
  case PROP_CUSTOM_TITLE:
    tether_terminal_page_set_custom_title (self, g_value_get_string (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_terminal_page_class_init (TetherTerminalPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->constructed = tether_terminal_page_constructed;
  object_class->dispose = tether_terminal_page_dispose;
  object_class->finalize = tether_terminal_page_finalize;
  object_class->get_property = tether_terminal_page_get_property;
  object_class->set_property = tether_terminal_page_set_property;

  widget_class->measure = tether_terminal_page_measure;
  widget_class->get_request_mode = tether_terminal_page_get_request_mode;
  widget_class->size_allocate = tether_terminal_page_size_allocate;
  widget_class->grab_focus = tether_terminal_page_grab_focus;
  widget_class->map = tether_terminal_page_map;

  /**
   * TetherTerminalPage:host:
   *
   * The host whose shell the page shows.
   */
  properties[PROP_HOST] =
    g_param_spec_object ("host", NULL, NULL, TETHER_TYPE_HOST,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherTerminalPage:connection:
   *
   * The host's shared connection while the page uses it, else %NULL.
   */
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, TETHER_TYPE_CONNECTION, ro);
  /**
   * TetherTerminalPage:interaction:
   *
   * Asks the user for passwords and host keys when the page has to log in.
   */
  properties[PROP_INTERACTION] =
    g_param_spec_object ("interaction", NULL, NULL, TETHER_TYPE_INTERACTION, rw);
  /**
   * TetherTerminalPage:title:
   *
   * The name the user gave the tab, else the title a remote program set (OSC 0 or 2), else
   * the host's label.
   */
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL, ro);
  /**
   * TetherTerminalPage:state:
   *
   * Whether the session is starting, running or over.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, TETHER_TYPE_TERMINAL_STATE,
                       TETHER_TERMINAL_STATE_CONNECTING, ro);
  /**
   * TetherTerminalPage:cwd:
   *
   * The shell's working directory on the server, as the shell reports it (OSC 7), or %NULL.
   */
  properties[PROP_CWD] =
    g_param_spec_string ("cwd", NULL, NULL, NULL, ro);
  /**
   * TetherTerminalPage:bell:
   *
   * A program rang the bell while the user looked elsewhere; cleared when the terminal
   * gets the focus.
   */
  properties[PROP_BELL] =
    g_param_spec_boolean ("bell", NULL, NULL, FALSE, rw);
  /**
   * TetherTerminalPage:message:
   *
   * Why the session ended (what the banner says), or %NULL.
   */
  properties[PROP_MESSAGE] =
    g_param_spec_string ("message", NULL, NULL, NULL, ro);
  /**
   * TetherTerminalPage:custom-title:
   *
   * The name the user gave the tab, or %NULL: while set, it is the page's title whatever
   * remote programs set.
   */
  properties[PROP_CUSTOM_TITLE] =
    g_param_spec_string ("custom-title", NULL, NULL, NULL, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (VTE_TYPE_TERMINAL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tetherssh/Tether/tether-terminal-page.ui");
  gtk_widget_class_bind_template_child (widget_class, TetherTerminalPage, box);
  gtk_widget_class_bind_template_child (widget_class, TetherTerminalPage, accent_strip);
  gtk_widget_class_bind_template_child (widget_class, TetherTerminalPage, banner);
  gtk_widget_class_bind_template_child (widget_class, TetherTerminalPage, banner_label);
  gtk_widget_class_bind_template_child (widget_class, TetherTerminalPage, search_bar);
  gtk_widget_class_bind_template_child (widget_class, TetherTerminalPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, TetherTerminalPage, regex_button);
  gtk_widget_class_bind_template_child (widget_class, TetherTerminalPage, case_button);
  gtk_widget_class_bind_template_child (widget_class, TetherTerminalPage, terminal);
  gtk_widget_class_bind_template_child (widget_class, TetherTerminalPage, scrollbar);
  gtk_widget_class_bind_template_child (widget_class, TetherTerminalPage, context_menu);
  gtk_widget_class_bind_template_callback (widget_class, on_terminal_commit);
  gtk_widget_class_bind_template_callback (widget_class, on_terminal_title_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_terminal_cwd_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_terminal_bell);
  gtk_widget_class_bind_template_callback (widget_class, on_terminal_selection_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_terminal_char_size_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_terminal_pressed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_search_activate);
  gtk_widget_class_bind_template_callback (widget_class, on_search_next_match);
  gtk_widget_class_bind_template_callback (widget_class, on_search_previous_match);
  gtk_widget_class_bind_template_callback (widget_class, on_search_stop);

  gtk_widget_class_install_action (widget_class, "term.copy", NULL, copy_activated);
  gtk_widget_class_install_action (widget_class, "term.paste", NULL, paste_activated);
  gtk_widget_class_install_action (widget_class, "term.select-all", NULL, select_all_activated);
  gtk_widget_class_install_action (widget_class, "term.zoom-in", NULL, zoom_activated);
  gtk_widget_class_install_action (widget_class, "term.zoom-out", NULL, zoom_activated);
  gtk_widget_class_install_action (widget_class, "term.zoom-reset", NULL, zoom_activated);
  gtk_widget_class_install_action (widget_class, "term.find", NULL, find_activated);
  gtk_widget_class_install_action (widget_class, "term.find-next", NULL, find_next_activated);
  gtk_widget_class_install_action (widget_class, "term.find-previous", NULL, find_next_activated);
  gtk_widget_class_install_action (widget_class, "term.reconnect", NULL, reconnect_activated);
  gtk_widget_class_install_action (widget_class, "term.open-link", NULL, open_link_activated);
  gtk_widget_class_install_action (widget_class, "term.copy-link", NULL, copy_link_activated);
  gtk_widget_class_install_action (widget_class, "term.save-contents", NULL,
                                   save_contents_activated);
}

static void
tether_terminal_page_init (TetherTerminalPage *self)
{
  GtkEventController *shortcuts;
  GtkEventController *focus;
  g_autoptr(VteRegex) url_regex = NULL;
  g_autoptr(GError) error = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->state = TETHER_TERMINAL_STATE_CONNECTING;
  self->pending_output = g_byte_array_new ();
  self->url_tag = -1;

  gtk_drawing_area_set_draw_func (self->accent_strip, draw_accent, self, NULL);
  gtk_scrollbar_set_adjustment (self->scrollbar,
                                gtk_scrollable_get_vadjustment (GTK_SCROLLABLE (self->terminal)));
  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  vte_terminal_search_set_wrap_around (self->terminal, TRUE);

  self->context_popover = gtk_popover_menu_new_from_model (self->context_menu);
  gtk_popover_set_has_arrow (GTK_POPOVER (self->context_popover), FALSE);
  gtk_widget_set_halign (self->context_popover, GTK_ALIGN_START);
  gtk_widget_set_parent (self->context_popover, GTK_WIDGET (self));

  shortcuts = gtk_shortcut_controller_new ();
  gtk_event_controller_set_propagation_phase (shortcuts, GTK_PHASE_CAPTURE);
  for (gsize i = 0; i < G_N_ELEMENTS (page_shortcuts); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                          gtk_shortcut_new (gtk_shortcut_trigger_parse_string (
                                                              page_shortcuts[i].trigger),
                                                            gtk_named_action_new (
                                                              page_shortcuts[i].action)));
  gtk_widget_add_controller (GTK_WIDGET (self), shortcuts);

  focus = gtk_event_controller_focus_new ();
  g_signal_connect_object (focus, "enter", G_CALLBACK (on_terminal_focus_enter), self,
                           G_CONNECT_SWAPPED);
  gtk_widget_add_controller (GTK_WIDGET (self->terminal), focus);

  url_regex = vte_regex_new_for_match (URL_REGEX, -1, VTE_REGEX_FLAGS, &error);
  if (url_regex != NULL) {
    self->url_tag = vte_terminal_match_add_regex (self->terminal, url_regex, 0);
    vte_terminal_match_set_cursor_name (self->terminal, self->url_tag, "pointer");
  } else {
    g_warning ("Links will not be clickable: %s", error->message);
  }

  self->settings = g_settings_new (APP_ID);
  self->desktop_settings = new_desktop_settings ();
  g_signal_connect_object (self->settings, "changed", G_CALLBACK (on_settings_changed), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::auto-reconnect",
                           G_CALLBACK (on_auto_reconnect_changed), self, G_CONNECT_SWAPPED);
  self->reconnect_first_delay_ms = RECONNECT_FIRST_DELAY_MS;
  self->reconnect_max_delay_ms = RECONNECT_MAX_DELAY_MS;
  self->network_monitor = g_object_ref (g_network_monitor_get_default ());
  g_signal_connect_object (self->network_monitor, "network-changed",
                           G_CALLBACK (on_network_changed), self, G_CONNECT_SWAPPED);
  if (self->desktop_settings != NULL)
    g_signal_connect_object (self->desktop_settings, "changed::" DESKTOP_MONOSPACE_KEY,
                             G_CALLBACK (on_settings_changed), self, G_CONNECT_SWAPPED);
  g_settings_bind (self->settings, "audible-bell", self->terminal, "audible-bell",
                   G_SETTINGS_BIND_GET);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (update_colors), self, G_CONNECT_SWAPPED);
  update_font (self);
  update_scrollback (self);
  update_colors (self);

  update_actions (self);
}

/* ------------------------------------------------------------------------- */
/* Public API                                                                */

/**
 * tether_terminal_page_new:
 * @host: the host to open a shell on
 *
 * The page connects (through the app's connection pool) once it is mapped or
 * tether_terminal_page_start () is called.
 *
 * Returns: (transfer floating): a new terminal page
 */
TetherTerminalPage *
tether_terminal_page_new (TetherHost *host)
{
  g_return_val_if_fail (TETHER_IS_HOST (host), NULL);

  return g_object_new (TETHER_TYPE_TERMINAL_PAGE, "host", host, NULL);
}

/**
 * tether_terminal_page_start:
 * @self: a terminal page
 *
 * Connects and starts the shell now rather than when the page is first shown. Does
 * nothing once started.
 */
void
tether_terminal_page_start (TetherTerminalPage *self)
{
  g_return_if_fail (TETHER_IS_TERMINAL_PAGE (self));

  if (!self->started)
    start_session (self);
}

/**
 * tether_terminal_page_reconnect:
 * @self: a terminal page
 *
 * Starts a new shell: on the host's connection when it is still up, else after logging
 * in again. What the old session printed stays in the scrollback.
 */
void
tether_terminal_page_reconnect (TetherTerminalPage *self)
{
  g_return_if_fail (TETHER_IS_TERMINAL_PAGE (self));

  cancel_auto_reconnect (self);
  reset_terminal_for_new_session (self);
  start_session (self);
}

/**
 * tether_terminal_page_get_host:
 * @self: a terminal page
 *
 * Returns: (transfer none): the page's host
 */
TetherHost *
tether_terminal_page_get_host (TetherTerminalPage *self)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), NULL);

  return self->host;
}

/**
 * tether_terminal_page_get_connection:
 * @self: a terminal page
 *
 * Returns: (transfer none) (nullable): the connection the shell runs on
 */
TetherConnection *
tether_terminal_page_get_connection (TetherTerminalPage *self)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), NULL);

  return self->connection;
}

/**
 * tether_terminal_page_get_interaction:
 * @self: a terminal page
 *
 * Returns: (transfer none) (nullable): what asks the user while logging in
 */
TetherInteraction *
tether_terminal_page_get_interaction (TetherTerminalPage *self)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), NULL);

  return self->interaction;
}

/**
 * tether_terminal_page_set_interaction:
 * @self: a terminal page
 * @interaction: (nullable): what asks the user for passwords and host keys
 */
void
tether_terminal_page_set_interaction (TetherTerminalPage *self,
                                      TetherInteraction  *interaction)
{
  g_return_if_fail (TETHER_IS_TERMINAL_PAGE (self));
  g_return_if_fail (interaction == NULL || TETHER_IS_INTERACTION (interaction));

  if (g_set_object (&self->interaction, interaction))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INTERACTION]);
}

/**
 * tether_terminal_page_get_title:
 * @self: a terminal page
 *
 * Returns: the title for the page's tab
 */
const char *
tether_terminal_page_get_title (TetherTerminalPage *self)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), NULL);

  return self->title;
}

/**
 * tether_terminal_page_get_state:
 * @self: a terminal page
 *
 * Returns: the state of the page's session
 */
TetherTerminalState
tether_terminal_page_get_state (TetherTerminalPage *self)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), TETHER_TERMINAL_STATE_DISCONNECTED);

  return self->state;
}

/**
 * tether_terminal_page_get_cwd:
 * @self: a terminal page
 *
 * Returns: (nullable): the shell's working directory on the server, when it says
 */
const char *
tether_terminal_page_get_cwd (TetherTerminalPage *self)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), NULL);

  return self->cwd;
}

/**
 * tether_terminal_page_get_bell:
 * @self: a terminal page
 *
 * Returns: whether the bell rang unseen
 */
gboolean
tether_terminal_page_get_bell (TetherTerminalPage *self)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), FALSE);

  return self->bell;
}

/**
 * tether_terminal_page_set_bell:
 * @self: a terminal page
 * @bell: whether the bell rang unseen
 */
void
tether_terminal_page_set_bell (TetherTerminalPage *self,
                               gboolean            bell)
{
  g_return_if_fail (TETHER_IS_TERMINAL_PAGE (self));

  bell = !!bell;
  if (self->bell == bell)
    return;

  self->bell = bell;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BELL]);
}

/**
 * tether_terminal_page_get_message:
 * @self: a terminal page
 *
 * Returns: (nullable): why the session ended, as the banner says it
 */
const char *
tether_terminal_page_get_message (TetherTerminalPage *self)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), NULL);

  return self->message;
}

/**
 * tether_terminal_page_get_terminal:
 * @self: a terminal page
 *
 * Returns: (transfer none): the page's terminal widget
 */
VteTerminal *
tether_terminal_page_get_terminal (TetherTerminalPage *self)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), NULL);

  return self->terminal;
}

/**
 * tether_terminal_page_get_custom_title:
 * @self: a terminal page
 *
 * Returns: (nullable): the name the user gave the tab
 */
const char *
tether_terminal_page_get_custom_title (TetherTerminalPage *self)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), NULL);

  return self->custom_title;
}

/**
 * tether_terminal_page_set_custom_title:
 * @self: a terminal page
 * @title: (nullable): the tab's name; %NULL or "" to follow the terminal's title again
 */
void
tether_terminal_page_set_custom_title (TetherTerminalPage *self,
                                       const char         *title)
{
  g_return_if_fail (TETHER_IS_TERMINAL_PAGE (self));

  if (title != NULL && *title == '\0')
    title = NULL;
  if (g_strcmp0 (self->custom_title, title) == 0)
    return;

  g_free (self->custom_title);
  self->custom_title = g_strdup (title);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CUSTOM_TITLE]);
  update_title (self);
}

/**
 * tether_terminal_page_send_input:
 * @self: a terminal page
 * @data: (array length=length) (element-type guint8): bytes for the shell
 * @length: the length of @data, or -1 when it is a NUL-terminated string
 *
 * Sends @data to the shell as if it had been typed into this terminal (broadcast input
 * does this), after what was typed before. Input for an ended session is dropped, and
 * input while connecting waits for the shell.
 */
void
tether_terminal_page_send_input (TetherTerminalPage *self,
                                 const char         *data,
                                 gssize              length)
{
  g_return_if_fail (TETHER_IS_TERMINAL_PAGE (self));
  g_return_if_fail (data != NULL || length == 0);

  if (self->state == TETHER_TERMINAL_STATE_DISCONNECTED)
    return;

  if (length < 0)
    length = strlen (data);
  g_byte_array_append (self->pending_output, (const guint8 *) data, length);
  write_pending (self);
}

/**
 * tether_terminal_page_get_accent:
 * @self: a terminal page
 * @out: (out caller-allocates) (optional): where to store the accent colour
 *
 * Returns: whether the page shows its host's colour as an accent strip
 */
gboolean
tether_terminal_page_get_accent (TetherTerminalPage *self,
                                 GdkRGBA            *out)
{
  g_return_val_if_fail (TETHER_IS_TERMINAL_PAGE (self), FALSE);

  if (self->has_accent && out != NULL)
    *out = self->accent;

  return self->has_accent;
}
