/* tether-terminal-page-shell.c: how a terminal page follows its TetherShell and the host
 * session the shell rides on: one state and one banner text per host (connecting,
 * reconnecting with the attempt and the next retry, failed with the error), the shell's
 * output fed to the terminal, a new shell asked for on Reconnect, and host.reconnect, which
 * brings back every tab of the host with one login. */
#include "config.h"

#include <glib/gi18n.h>

#include <time.h>

#include "tether-terminal-page-private.h"

/* What remote programs are told they talk to: VTE implements xterm's 256-colour set. */
#define TERMINAL_TYPE "xterm-256color"

/* The shell's output is fed to VTE a chunk at a time (see "Feeding the terminal"): the
 * first chunk is this big, ... */
#define FEED_CHUNK_START (16 * 1024)
/* ... never smaller (a slow parse is then VTE's drawing, not the chunk), ... */
#define FEED_CHUNK_MIN (4 * 1024)
/* ... nor bigger (a few frames of a `yes` flood at full speed here). */
#define FEED_CHUNK_MAX (1024 * 1024)
/* A chunk whose parsing (the main thread's CPU time from the feed until VTE has parsed it)
 * stays within this leaves half of a 60 Hz frame to input and drawing: the next grows by a
 * quarter. (14 ms here measured the same throughput with twice the stalls.) */
#define FEED_PARSE_TARGET_US (8 * G_TIME_SPAN_MILLISECOND)
#define FEED_CHUNK_GROWTH_DIVISOR 4
/* A longer parse shrinks the next chunk in proportion. */
#define FEED_PARSE_SLOW_US (12 * G_TIME_SPAN_MILLISECOND)
/* Output that changes nothing on the screen never says it was parsed: after this many
 * frames the next chunk goes in anyway. */
#define FEED_WAIT_FRAMES_MAX 4
/* A hidden tab gets no frames: its fallback ticks this often. */
#define FEED_HIDDEN_INTERVAL_MS 16
/* The page pauses its shell when this much waits for the terminal, and resumes it below the
 * low mark: the shell then stops reading its channel, and the server waits. */
#define FEED_QUEUE_HIGH (256 * 1024)
#define FEED_QUEUE_LOW (128 * 1024)

/* The banner's countdown to the next retry is in whole seconds. */
#define RECONNECT_TICK_MS 1000

/* How many hex digits of a random id name a tab's tmux session: unique enough among the
 * tabs of one user on one server. */
#define TMUX_ID_LENGTH 8

#define properties _tether_terminal_page_properties

/* The pages of a host session (a GPtrArray of unowned pages), so that host.reconnect
 * brings back the tabs whose shells ended too. */
static GQuark pages_quark;

/* ------------------------------------------------------------------------- */
/* State                                                                     */

gboolean
_tether_terminal_page_shell_is_final (TetherShell *shell)
{
  TetherShellState state = tether_shell_get_state (shell);

  return state == TETHER_SHELL_STATE_EXITED || state == TETHER_SHELL_STATE_CLOSED ||
         state == TETHER_SHELL_STATE_FAILED;
}

static TetherTerminalState
compute_state (TetherTerminalPage *self)
{
  if (self->shell == NULL)
    return TETHER_TERMINAL_STATE_CONNECTING;

  switch (tether_shell_get_state (self->shell)) {
  case TETHER_SHELL_STATE_OPENING:
    return TETHER_TERMINAL_STATE_CONNECTING;
  case TETHER_SHELL_STATE_RUNNING:
    return TETHER_TERMINAL_STATE_CONNECTED;
  case TETHER_SHELL_STATE_RECONNECTING:
    /* Connecting while the host session tries (it has a connection then), or brings its
     * shells back; not while it waits for the next retry or for the user. */
    switch (tether_host_session_get_state (self->session)) {
    case TETHER_HOST_SESSION_STATE_CONNECTING:
    case TETHER_HOST_SESSION_STATE_READY:
      return TETHER_TERMINAL_STATE_CONNECTING;
    case TETHER_HOST_SESSION_STATE_RECONNECTING:
      return tether_host_session_get_connection (self->session) != NULL
               ? TETHER_TERMINAL_STATE_CONNECTING : TETHER_TERMINAL_STATE_DISCONNECTED;
    case TETHER_HOST_SESSION_STATE_IDLE:
    case TETHER_HOST_SESSION_STATE_FAILED:
    default:
      return TETHER_TERMINAL_STATE_DISCONNECTED;
    }
  case TETHER_SHELL_STATE_EXITED:
  case TETHER_SHELL_STATE_CLOSED:
  case TETHER_SHELL_STATE_FAILED:
  default:
    return TETHER_TERMINAL_STATE_DISCONNECTED;
  }
}

void
_tether_terminal_page_update_state (TetherTerminalPage *self)
{
  TetherTerminalState state = compute_state (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "host.reconnect",
                                 state == TETHER_TERMINAL_STATE_DISCONNECTED);
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_message (TetherTerminalPage *self,
             const char         *message)
{
  if (g_strcmp0 (self->message, message) == 0)
    return;

  g_free (self->message);
  self->message = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}

/* Why the shell is not running, or NULL while it is (or is starting). */
static char *
dup_shell_message (TetherTerminalPage *self)
{
  const GError *error;

  if (self->shell == NULL)
    return NULL;

  switch (tether_shell_get_state (self->shell)) {
  case TETHER_SHELL_STATE_EXITED:
    if (self->exit_signal != NULL)
      return g_strdup_printf (_("Session ended: the shell was killed by signal %s"),
                              self->exit_signal);
    if (tether_shell_get_exit_status (self->shell) >= 0)
      return g_strdup_printf (_("Session ended with exit status %d"),
                              tether_shell_get_exit_status (self->shell));
    return g_strdup (_("Session ended"));
  case TETHER_SHELL_STATE_RECONNECTING:
    /* The latest failed attempt says more than the drop that started it. */
    error = tether_host_session_get_error (self->session);
    if (error == NULL)
      error = tether_shell_get_error (self->shell);
    return g_strdup (error != NULL ? error->message : _("The connection was lost"));
  case TETHER_SHELL_STATE_FAILED:
    error = tether_shell_get_error (self->shell);
    if (error == NULL)
      error = tether_host_session_get_error (self->session);
    return g_strdup (error != NULL ? error->message : _("The shell could not be started"));
  case TETHER_SHELL_STATE_CLOSED:
    return g_strdup (_("Session ended"));
  case TETHER_SHELL_STATE_OPENING:
  case TETHER_SHELL_STATE_RUNNING:
  default:
    return NULL;
  }
}

/* What the host session does about a lost shell: the same text in every tab of the host. */
static char *
dup_reconnect_note (TetherTerminalPage *self)
{
  guint attempt = tether_host_session_get_reconnect_attempt (self->session);
  gint64 next_retry = tether_host_session_get_next_retry (self->session);

  if (self->shell == NULL || tether_shell_get_state (self->shell) !=
                             TETHER_SHELL_STATE_RECONNECTING)
    return NULL;

  switch (tether_host_session_get_state (self->session)) {
  case TETHER_HOST_SESSION_STATE_RECONNECTING:
    if (next_retry > 0) {
      gint64 remaining_ms = (next_retry - g_get_monotonic_time ()) / 1000;
      /* Whole seconds, rounded up: the last second says 1, not 0. */
      guint seconds = MAX ((remaining_ms + RECONNECT_TICK_MS - 1) / RECONNECT_TICK_MS, 1);

      /* Translators: the second %u is how many retries were made, counting this one. */
      return g_strdup_printf (ngettext ("Reconnecting in %u second… (attempt %u)",
                                        "Reconnecting in %u seconds… (attempt %u)", seconds),
                              seconds, attempt);
    }
    if (tether_host_session_get_connection (self->session) != NULL)
      return g_strdup_printf (_("Reconnecting… (attempt %u)"), attempt);
    /* Waiting for the user: the banner's button is the way on. */
    return NULL;
  case TETHER_HOST_SESSION_STATE_CONNECTING:
  case TETHER_HOST_SESSION_STATE_READY:
    return g_strdup (_("Reconnecting…"));
  case TETHER_HOST_SESSION_STATE_IDLE:
  case TETHER_HOST_SESSION_STATE_FAILED:
  default:
    return NULL;
  }
}

static gboolean
tick_cb (gpointer user_data)
{
  _tether_terminal_page_update_banner (user_data);
  return G_SOURCE_CONTINUE;
}

/* The banner says why the shell is not running, and what the host session does about it. */
void
_tether_terminal_page_update_banner (TetherTerminalPage *self)
{
  g_autofree char *message = dup_shell_message (self);
  g_autofree char *note = dup_reconnect_note (self);
  g_autofree char *text = NULL;
  gboolean counting = note != NULL &&
                      tether_host_session_get_next_retry (self->session) > 0;
  gboolean exited = self->shell != NULL &&
                    tether_shell_get_state (self->shell) == TETHER_SHELL_STATE_EXITED;

  set_message (self, message);

  if (counting && self->tick_source == 0)
    self->tick_source = g_timeout_add (RECONNECT_TICK_MS, tick_cb, self);
  else if (!counting)
    g_clear_handle_id (&self->tick_source, g_source_remove);

  if (message != NULL && note != NULL)
    text = g_strdup_printf ("%s %s", message, note);
  else
    text = g_strdup (message);

  gtk_label_set_text (self->banner_label, text != NULL ? text : "");
  gtk_info_bar_set_message_type (self->banner, exited ? GTK_MESSAGE_INFO : GTK_MESSAGE_ERROR);
  gtk_info_bar_set_revealed (self->banner, text != NULL);
}

/* Tells the server the terminal's size when it differs from what the shell has. */
void
_tether_terminal_page_sync_size (TetherTerminalPage *self)
{
  guint columns;
  guint rows;

  if (self->terminal == NULL || self->shell == NULL ||
      _tether_terminal_page_shell_is_final (self->shell))
    return;

  columns = vte_terminal_get_column_count (self->terminal);
  rows = vte_terminal_get_row_count (self->terminal);
  if (columns == tether_shell_get_cols (self->shell) &&
      rows == tether_shell_get_rows (self->shell))
    return;

  g_debug ("Terminal size %u×%u", columns, rows);
  tether_shell_set_size (self->shell, columns, rows);
}

/* ------------------------------------------------------------------------- */
/* The shell                                                                 */

/* Leaves the modes the dropped program set (alternate screen, mouse, colours) and keeps
 * its text, for the next shell. */
void
_tether_terminal_page_reset_terminal (TetherTerminalPage *self)
{
  _tether_terminal_page_flush_feed (self);
  vte_terminal_reset (self->terminal, FALSE, FALSE);
  vte_terminal_feed (self->terminal, "\r\n", -1);
}

/* ------------------------------------------------------------------------- */
/* Feeding the terminal                                                      */

/* VTE 0.70 queues what vte_terminal_feed () gets (1 MiB: 0.2 ms) and parses all of it in
 * one go later, in a low-priority source of its own: a flood handed over as it arrived froze
 * the window for 387 ms at a time, and output fed faster than that source runs piles up
 * for one long parse. So one chunk at a time goes in, the next once VTE has parsed it
 * (::contents-changed), and the chunk's size follows how long its parse took; the rest
 * waits in a bounded queue, and beyond it the shell pauses, so the channel's window holds
 * the server back. Timing vte_terminal_feed () itself would say nothing. */

static void on_contents_changed (TetherTerminalPage *self);

void
_tether_terminal_page_init_feed (TetherTerminalPage *self)
{
  g_queue_init (&self->feed_queue);
  self->feed_chunk = FEED_CHUNK_START;
  g_signal_connect_object (self->terminal, "contents-changed", G_CALLBACK (on_contents_changed),
                           self, G_CONNECT_SWAPPED);
}

/* The main thread's CPU time: unlike the wall clock, it does not count the time other
 * processes on a busy machine took, so the chunk follows VTE's speed, not the load. */
static gint64
thread_cpu_time (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return g_get_monotonic_time ();
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void
start_parse (TetherTerminalPage *self,
             gboolean            full)
{
  self->feed_waiting = TRUE;
  self->feed_wait_frames = 0;
  self->feed_loaded = full;
  self->feed_start_cpu = thread_cpu_time ();
}

/* Feeds up to @budget bytes from the head of the queue, in order; returns how many. */
static gsize
feed_from_queue (TetherTerminalPage *self,
                 gsize               budget)
{
  gsize fed = 0;

  while (budget > fed && !g_queue_is_empty (&self->feed_queue)) {
    GBytes *head = g_queue_peek_head (&self->feed_queue);
    gsize size;
    const char *data = g_bytes_get_data (head, &size);
    gsize n = MIN (size - self->feed_offset, budget - fed);

    vte_terminal_feed (self->terminal, data + self->feed_offset, n);
    fed += n;
    self->feed_queued -= n;
    self->feed_offset += n;
    if (self->feed_offset == size) {
      g_bytes_unref (g_queue_pop_head (&self->feed_queue));
      self->feed_offset = 0;
    }
  }
  return fed;
}

/* The shell holds what the page cannot take: it pauses when the page is full, and resumes
 * (handing over what it held, in order) once the page has room again. */
static void
update_shell_paused (TetherTerminalPage *self)
{
  if (self->shell == NULL)
    return;
  if (self->feed_queued >= FEED_QUEUE_HIGH)
    tether_shell_set_paused (self->shell, TRUE);
  else if (self->feed_queued < FEED_QUEUE_LOW)
    tether_shell_set_paused (self->shell, FALSE);
}

static void schedule_feed (TetherTerminalPage *self);

/* Feeds the next chunk. */
static void
feed_chunk (TetherTerminalPage *self)
{
  gsize fed = feed_from_queue (self, self->feed_chunk);

  if (fed > 0)
    start_parse (self, fed == self->feed_chunk);
  update_shell_paused (self);
  if (!g_queue_is_empty (&self->feed_queue))
    schedule_feed (self);
}

/* Grows the chunk while its parse stays short and shrinks it in proportion when it grows
 * long; a chunk smaller than the limit says nothing about growing. */
static void
adapt_chunk (TetherTerminalPage *self,
             gint64              work)
{
  gsize chunk = self->feed_chunk;

  if (work > FEED_PARSE_SLOW_US)
    chunk = (gsize) ((double) chunk * FEED_PARSE_TARGET_US / work);
  else if (work <= FEED_PARSE_TARGET_US && self->feed_loaded)
    chunk += chunk / FEED_CHUNK_GROWTH_DIVISOR;
  self->feed_chunk = CLAMP (chunk, FEED_CHUNK_MIN, FEED_CHUNK_MAX);
}

/* VTE has parsed what it was fed: the next chunk goes in at once. */
static void
on_contents_changed (TetherTerminalPage *self)
{
  if (!self->feed_waiting)
    return;
  self->feed_waiting = FALSE;
  adapt_chunk (self, thread_cpu_time () - self->feed_start_cpu);
  if (!g_queue_is_empty (&self->feed_queue))
    feed_chunk (self);
}

/* The fallback: a chunk that VTE parsed without a visible change. */
static gboolean
feed_frame (TetherTerminalPage *self)
{
  if (self->feed_waiting && ++self->feed_wait_frames < FEED_WAIT_FRAMES_MAX)
    return TRUE;
  self->feed_waiting = FALSE;
  if (!g_queue_is_empty (&self->feed_queue))
    feed_chunk (self);
  return !g_queue_is_empty (&self->feed_queue);
}

static gboolean
feed_tick_cb (GtkWidget     *widget,
              GdkFrameClock *clock,
              gpointer       user_data)
{
  TetherTerminalPage *self = user_data;

  if (feed_frame (self))
    return G_SOURCE_CONTINUE;
  self->feed_tick = 0;
  return G_SOURCE_REMOVE;
}

static gboolean
feed_timeout_cb (gpointer user_data)
{
  TetherTerminalPage *self = user_data;

  self->feed_timeout = 0;
  if (feed_frame (self))
    schedule_feed (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_feed (TetherTerminalPage *self)
{
  if (self->feed_tick != 0 || self->feed_timeout != 0)
    return;
  if (gtk_widget_get_mapped (GTK_WIDGET (self->terminal)))
    self->feed_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->terminal), feed_tick_cb,
                                                    self, NULL);
  else
    self->feed_timeout = g_timeout_add (FEED_HIDDEN_INTERVAL_MS, feed_timeout_cb, self);
}

static void
on_shell_data (TetherTerminalPage *self,
               GBytes             *bytes,
               TetherShell        *shell)
{
  g_queue_push_tail (&self->feed_queue, g_bytes_ref (bytes));
  self->feed_queued += g_bytes_get_size (bytes);
  /* Nothing being parsed (an echo, the first of a burst): in at once. */
  if (!self->feed_waiting)
    feed_chunk (self);
  else {
    update_shell_paused (self);
    schedule_feed (self);
  }
}

/* Feeds all that waits, at once: what follows (a reset for the next shell) must come after
 * it. */
void
_tether_terminal_page_flush_feed (TetherTerminalPage *self)
{
  if (feed_from_queue (self, G_MAXSIZE) > 0)
    start_parse (self, FALSE);
  update_shell_paused (self);
}

void
_tether_terminal_page_clear_feed (TetherTerminalPage *self)
{
  if (self->feed_tick != 0 && self->terminal != NULL)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self->terminal), self->feed_tick);
  self->feed_tick = 0;
  g_clear_handle_id (&self->feed_timeout, g_source_remove);
  g_queue_clear_full (&self->feed_queue, (GDestroyNotify) g_bytes_unref);
  self->feed_queued = 0;
  self->feed_offset = 0;
  self->feed_waiting = FALSE;
}

/* Said once per tab: the user chose tmux for the host, and this server has none. */
static void
check_tmux (TetherTerminalPage *self)
{
  if (self->notice != NULL || self->tmux_session == NULL ||
      tether_shell_get_state (self->shell) != TETHER_SHELL_STATE_RUNNING ||
      tether_shell_get_tmux_active (self->shell))
    return;

  self->notice = g_strdup (_("The server has no tmux: this tab runs a plain shell, which "
                             "ends when the connection drops."));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NOTICE]);
  _tether_terminal_page_show_toast (self, self->notice);
}

static void
on_shell_state (TetherTerminalPage *self)
{
  _tether_terminal_page_update_state (self);
  _tether_terminal_page_update_banner (self);
  check_tmux (self);
  /* The widget may have been resized while the shell (re)started. */
  _tether_terminal_page_sync_size (self);
}

static void
on_shell_reconnected (TetherTerminalPage *self)
{
  _tether_terminal_page_reset_terminal (self);
}

static void
on_exit_signal (TetherTerminalPage   *self,
                const char           *signal_name,
                gboolean              core_dumped,
                const char           *error_message,
                TetherSessionChannel *channel)
{
  g_free (self->exit_signal);
  self->exit_signal = g_strdup (signal_name);
}

static void
on_shell_channel (TetherTerminalPage *self)
{
  TetherSessionChannel *channel = tether_shell_get_channel (self->shell);

  if (channel != NULL)
    g_signal_connect_object (channel, "exit-signal", G_CALLBACK (on_exit_signal), self,
                             G_CONNECT_SWAPPED);
}

static void
start_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherTerminalPage) self = g_weak_ref_get (user_data);

  g_weak_ref_clear (user_data);
  g_free (user_data);

  /* A failure shows as the shell's state; nothing more to do here. */
  if (!tether_shell_start_finish (TETHER_SHELL (source), result, &error))
    g_debug ("The shell did not start: %s", error->message);
  if (self != NULL && self->shell == TETHER_SHELL (source))
    on_shell_state (self);
}

void
_tether_terminal_page_drop_shell (TetherTerminalPage *self)
{
  if (self->shell == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->shell, self);
  tether_shell_close (self->shell);
  g_clear_object (&self->shell);
}

static char *
new_tmux_session_name (void)
{
  g_autofree char *uuid = g_uuid_string_random ();

  return g_strdup_printf ("tether-%.*s", TMUX_ID_LENGTH, uuid);
}

/* Asks the host session for a new shell of the terminal's size. */
void
_tether_terminal_page_open_shell (TetherTerminalPage *self)
{
  const char *lang = g_getenv ("LANG");
  g_autofree char *lang_env = NULL;
  const char *env[2] = { NULL, NULL };
  GWeakRef *ref;

  _tether_terminal_page_drop_shell (self);
  g_clear_pointer (&self->exit_signal, g_free);
  self->started = TRUE;

  /* Servers accept only the variables their AcceptEnv names: a refusal is normal. */
  if (lang != NULL && *lang != '\0')
    env[0] = lang_env = g_strdup_printf ("LANG=%s", lang);

  if (self->tmux_session == NULL && tether_host_get_keep_shells (self->host)) {
    self->tmux_session = new_tmux_session_name ();
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TMUX_SESSION]);
  }

  /* Made and started in two steps (tether_host_session_open_shell_async () does both) so
   * that the page shows the shell's state from the start and can name its tmux session. */
  self->shell = tether_shell_new (self->session, TERMINAL_TYPE,
                                  vte_terminal_get_column_count (self->terminal),
                                  vte_terminal_get_row_count (self->terminal), env);
  if (self->tmux_session != NULL)
    tether_shell_set_tmux_session (self->shell, self->tmux_session);
  g_signal_connect_object (self->shell, "data", G_CALLBACK (on_shell_data), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->shell, "notify::state", G_CALLBACK (on_shell_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->shell, "notify::error",
                           G_CALLBACK (_tether_terminal_page_update_banner), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->shell, "notify::channel", G_CALLBACK (on_shell_channel), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->shell, "reconnected", G_CALLBACK (on_shell_reconnected), self,
                           G_CONNECT_SWAPPED);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHELL]);

  if (self->early_input->len > 0) {
    g_autoptr(GBytes) bytes = g_byte_array_free_to_bytes (g_steal_pointer (&self->early_input));

    self->early_input = g_byte_array_new ();
    tether_shell_write (self->shell, bytes);
  }

  ref = g_new0 (GWeakRef, 1);
  g_weak_ref_init (ref, self);
  tether_shell_start_async (self->shell, NULL, start_cb, ref);
  on_shell_state (self);
}

GPtrArray *
_tether_terminal_page_session_pages (TetherHostSession *session)
{
  GPtrArray *pages;

  if (pages_quark == 0)
    pages_quark = g_quark_from_static_string ("tether-terminal-pages");
  pages = g_object_get_qdata (G_OBJECT (session), pages_quark);

  if (pages == NULL) {
    pages = g_ptr_array_new ();
    g_object_set_qdata_full (G_OBJECT (session), pages_quark, pages,
                             (GDestroyNotify) g_ptr_array_unref);
  }

  return pages;
}

void
_tether_terminal_page_on_session_changed (TetherTerminalPage *self,
                                          GParamSpec         *pspec)
{
  if (g_str_equal (g_param_spec_get_name (pspec), "connection"))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTION]);
  _tether_terminal_page_update_state (self);
  _tether_terminal_page_update_banner (self);
}

/* host.reconnect: the whole host comes back at once, with one login. */
static void
reconnect_host (TetherTerminalPage *self)
{
  GPtrArray *all = _tether_terminal_page_session_pages (self->session);
  g_autoptr(GPtrArray) pages = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < all->len; i++)
    g_ptr_array_add (pages, g_object_ref (g_ptr_array_index (all, i)));
  /* Shells still riding on the session come back with it; ended ones are asked anew. */
  tether_host_session_reconnect (self->session);
  for (guint i = 0; i < pages->len; i++)
    tether_terminal_page_reconnect (g_ptr_array_index (pages, i));
}

void
_tether_terminal_page_reconnect_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  reconnect_host (TETHER_TERMINAL_PAGE (widget));
}
