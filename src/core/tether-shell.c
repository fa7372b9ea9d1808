/* tether-shell.c: an interactive shell on a pty that survives reconnects.
 *
 * A shell rides on its TetherHostSession: it owns the pty/env/shell chain on a session
 * channel, and when the session reconnects it runs that chain again on the new connection,
 * staying the same object. What the caller writes and the size changes it makes go through
 * one queue, so the server sees them in the order they were made: a size change waits until
 * the write before it is wholly in the channel's queue, and the channel keeps its requests
 * and its data in the order they were submitted. Output is handed out as it is read, unless
 * the consumer paused it: then at most max_pending bytes are read ahead, and the channel's
 * window holds back the rest.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>

#include "tether-enums.h"
#include "tether-error.h"
#include "tether-host-session-private.h"
#include "tether-shell-private.h"

/**
 * TetherShell:
 *
 * An interactive shell on a pty, riding on a [class@Tether.HostSession]: it stays
 * the same object across reconnects.
 *
 * Make one with [ctor@Tether.Shell.new] and start it with
 * [method@Tether.Shell.start_async], or do both with
 * [method@Tether.HostSession.open_shell_async]. Type into it with
 * [method@Tether.Shell.write], resize it with [method@Tether.Shell.set_size], and
 * read what the server sends from [signal@Tether.Shell::data]. Writes and size
 * changes reach the server in the order they were made. When the connection drops,
 * [property@Tether.Shell:state] is %TETHER_SHELL_STATE_RECONNECTING; after the
 * session has logged in again the shell runs again on a new channel and emits
 * [signal@Tether.Shell::reconnected]. With [property@Tether.Shell:tmux-session]
 * set it runs in that named `tmux` session on the server and re-attaches to it, so
 * what runs in it survives a dropped network ([property@Tether.Shell:tmux-active]
 * says whether tmux was there).
 *
 * A consumer that cannot keep up with the output (a terminal drawing a flood)
 * sets [property@Tether.Shell:paused]: the shell then holds at most
 * [property@Tether.Shell:max-pending] bytes and stops reading its channel, so
 * the server waits instead of the data piling up.
 *
 * Threading: use it on the thread that created its host session; signals come on
 * that thread's thread-default main context.
 */

/* What a shell asks for when the caller gives no TERM: what VTE emulates. */
#define TETHER_SHELL_DEFAULT_TERM "xterm-256color"
/* Output read while delivery is paused, at most: a few reads, so that a consumer that falls
 * behind holds the server back through the channel's window instead of piling data up. */
#define TETHER_SHELL_MAX_PENDING (256 * 1024)


typedef enum {
  ITEM_WRITE,
  ITEM_SIZE,
} ItemKind;

typedef struct
{
  ItemKind kind;
  GBytes *bytes;
  guint cols;
  guint rows;
} Item;

G_DEFINE_FINAL_TYPE (TetherShell, tether_shell, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_SESSION,
  PROP_CHANNEL,
  PROP_STATE,
  PROP_ERROR,
  PROP_EXIT_STATUS,
  PROP_TERM,
  PROP_COLS,
  PROP_ROWS,
  PROP_TMUX_SESSION,
  PROP_TMUX_ACTIVE,
  PROP_PAUSED,
  PROP_PENDING_BYTES,
  PROP_MAX_PENDING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_DATA,
  SIGNAL_RECONNECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void process_queue (TetherShell *self);
static const TetherRiderVTable rider_vtable;

static void
item_free (Item *item)
{
  g_clear_pointer (&item->bytes, g_bytes_unref);
  g_free (item);
}

static void
notify (TetherShell *self,
        guint        prop)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
_tether_shell_notify_paused (TetherShell *self)
{
  notify (self, PROP_PAUSED);
}

void
_tether_shell_notify_pending_bytes (TetherShell *self)
{
  notify (self, PROP_PENDING_BYTES);
}

void
_tether_shell_emit_data (TetherShell *self,
                         GBytes      *bytes)
{
  g_signal_emit (self, signals[SIGNAL_DATA], 0, bytes);
}

static void
set_state (TetherShell      *self,
           TetherShellState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  notify (self, PROP_STATE);
}

static void
set_error (TetherShell  *self,
           const GError *error)
{
  _tether_set_error_property (G_OBJECT (self), &self->error, error, properties[PROP_ERROR]);
}

static gboolean
is_final (TetherShell *self)
{
  return self->state == TETHER_SHELL_STATE_EXITED ||
         self->state == TETHER_SHELL_STATE_CLOSED ||
         self->state == TETHER_SHELL_STATE_FAILED;
}

/* Writes made for a shell that is gone are not replayed into its successor. */
static void
drop_writes (TetherShell *self)
{
  GList *l = self->queue.head;

  while (l != NULL) {
    GList *next = l->next;
    Item *item = l->data;

    if (item->kind == ITEM_WRITE) {
      item_free (item);
      g_queue_delete_link (&self->queue, l);
    }
    l = next;
  }
}

/* Forgets the current channel (and its reader and queue operations). */
static void
detach_channel (TetherShell *self,
                gboolean     close_it)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->busy = FALSE;
  if (self->channel == NULL)
    return;
  g_clear_signal_handler (&self->closed_handler, self->channel);
  if (close_it && tether_channel_get_state (TETHER_CHANNEL (self->channel)) ==
                  TETHER_CHANNEL_STATE_OPEN)
    g_io_stream_close_async (G_IO_STREAM (self->channel), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
  g_clear_object (&self->channel);
  notify (self, PROP_CHANNEL);
}

static void
unregister (TetherShell *self)
{
  if (!self->registered)
    return;
  self->registered = FALSE;
  _tether_host_session_remove_rider (self->session, G_OBJECT (self));
}

/* Ends the shell for good in @state. */
static void
finish_shell (TetherShell      *self,
              TetherShellState  state,
              const GError     *error)
{
  g_object_ref (self);
  detach_channel (self, TRUE);
  g_queue_clear_full (&self->queue, (GDestroyNotify) item_free);
  /* An exited shell's last output is still handed out; a closed one's is not wanted. */
  if (state == TETHER_SHELL_STATE_CLOSED)
    _tether_shell_clear_pending (self);
  if (error != NULL)
    set_error (self, error);
  set_state (self, state);
  unregister (self);
  g_object_unref (self);
}

/* ------------------------------------------------------------------------- */
/* The ordered queue of writes and size changes                              */

static void
write_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(TetherShell) self = user_data;
  g_autoptr(GError) error = NULL;
  gsize n = 0;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, &n, &error)) {
    /* The channel closed under the write: its closed handler decides what follows. */
    g_debug ("A shell write failed: %s", error->message);
    return;
  }
  if (self->channel == NULL ||
      source != (GObject *) g_io_stream_get_output_stream (G_IO_STREAM (self->channel)))
    return;
  self->busy = FALSE;
  process_queue (self);
}

static void
process_queue (TetherShell *self)
{
  while (!self->busy && self->state == TETHER_SHELL_STATE_RUNNING &&
         !g_queue_is_empty (&self->queue)) {
    Item *item = g_queue_pop_head (&self->queue);

    if (item->kind == ITEM_WRITE) {
      gsize size;
      const void *buffer = g_bytes_get_data (item->bytes, &size);
      GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (self->channel));

      self->busy = TRUE;
      /* The bytes must outlive the write: the stream keeps them as the task's data. */
      g_object_set_data_full (G_OBJECT (out), "tether-shell-write",
                              g_steal_pointer (&item->bytes), (GDestroyNotify) g_bytes_unref);
      g_output_stream_write_all_async (out, buffer, size, G_PRIORITY_DEFAULT,
                                       self->cancellable, write_cb, g_object_ref (self));
    } else {
      tether_session_channel_set_size (self->channel, item->cols, item->rows);
    }
    item_free (item);
  }
}

static void
set_tmux_active (TetherShell *self,
                 gboolean     active)
{
  if (self->tmux_active == active)
    return;
  self->tmux_active = active;
  notify (self, PROP_TMUX_ACTIVE);
}

static void
on_channel_closed (TetherChannel *channel,
                   GError        *reason,
                   TetherShell   *self)
{
  if (channel != TETHER_CHANNEL (self->channel) || is_final (self))
    return;
  if (reason == NULL) {
    int status = tether_session_channel_get_exit_status (self->channel);

    if (self->exit_status != status) {
      self->exit_status = status;
      notify (self, PROP_EXIT_STATUS);
    }
    finish_shell (self, TETHER_SHELL_STATE_EXITED, NULL);
    return;
  }
  /* The connection dropped (or this channel failed alone, which a reconnect also fixes):
   * the host session brings the shell back. */
  detach_channel (self, FALSE);
  drop_writes (self);
  set_error (self, reason);
  set_state (self, TETHER_SHELL_STATE_RECONNECTING);
}

/* Makes @channel, running the shell, the current one. */
static void
attach_channel (TetherShell          *self,
                TetherSessionChannel *channel)
{
  detach_channel (self, TRUE);
  self->channel = g_object_ref (channel);
  self->cancellable = g_cancellable_new ();
  self->closed_handler = g_signal_connect (channel, "closed", G_CALLBACK (on_channel_closed),
                                           self);
  notify (self, PROP_CHANNEL);
  set_error (self, NULL);
  set_state (self, TETHER_SHELL_STATE_RUNNING);
  _tether_shell_start_reader (self);
  process_queue (self);
}

static void
start_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TetherShell *self = TETHER_SHELL (source);
  g_autoptr(TetherSessionChannel) channel = NULL;
  gboolean use_tmux = _tether_shell_open_used_tmux (result);
  GError *error = NULL;

  channel = _tether_shell_open_finish (self, result, &error);
  if (self->state == TETHER_SHELL_STATE_RECONNECTING) {
    /* The connection dropped while the shell opened: it comes back with the others. */
    g_clear_error (&error);
    if (channel != NULL)
      g_io_stream_close_async (G_IO_STREAM (channel), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
    g_task_return_boolean (task, TRUE);
    return;
  }
  if (self->state != TETHER_SHELL_STATE_OPENING) {
    g_clear_error (&error);
    if (channel != NULL)
      g_io_stream_close_async (G_IO_STREAM (channel), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("The shell was closed before it started."));
    return;
  }
  if (channel == NULL) {
    finish_shell (self, TETHER_SHELL_STATE_FAILED, error);
    g_task_return_error (task, error);
    return;
  }
  set_tmux_active (self, use_tmux);
  attach_channel (self, channel);
  g_task_return_boolean (task, TRUE);
}

static void
start_connected_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TetherShell *self = g_task_get_source_object (task);
  TetherHostSession *session = TETHER_HOST_SESSION (source);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;

  if (!tether_host_session_connect_finish (session, result, &error)) {
    if (self->state == TETHER_SHELL_STATE_OPENING)
      finish_shell (self, TETHER_SHELL_STATE_FAILED, error);
    g_task_return_error (task, error);
    return;
  }
  if (self->state != TETHER_SHELL_STATE_OPENING) {
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("The shell was closed before it started."));
    return;
  }
  _tether_shell_open_async (self, tether_host_session_get_connection (session), cancellable,
              tether_shell_start_async, start_cb, g_steal_pointer (&task));
}

/**
 * tether_shell_start_async:
 * @self: a #TetherShell made with tether_shell_new()
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the shell runs, or failed
 * @user_data: data for @callback
 *
 * Connects the shell's host session if needed, then asks for a pty, sends
 * the environment and starts the shell (or attaches to its tmux session,
 * see #TetherShell:tmux-session). Call it once. Writes and size changes
 * made before the shell runs are sent once it does.
 *
 * If the connection drops while the shell starts, the shell is
 * RECONNECTING and comes back with its host session; this still succeeds.
 */
void
tether_shell_start_async (TetherShell         *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TETHER_IS_SHELL (self));
  g_return_if_fail (!self->started);

  self->started = TRUE;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tether_shell_start_async);
  g_task_set_name (task, "[tether] shell start");
  if (self->state != TETHER_SHELL_STATE_OPENING) {
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("The shell was closed before it started."));
    return;
  }
  tether_host_session_connect_async (self->session, cancellable, start_connected_cb,
                                     g_steal_pointer (&task));
}

/**
 * tether_shell_start_finish:
 * @self: a #TetherShell
 * @result: the result
 * @error: return location for a #GError
 *
 * Finishes tether_shell_start_async().
 *
 * Returns: %TRUE when the shell runs (or is coming back with its session)
 */
gboolean
tether_shell_start_finish (TetherShell   *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ------------------------------------------------------------------------- */
/* Riding on the host session                                                */

static void
reestablish_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TetherShell *self = TETHER_SHELL (source);
  TetherConnection *connection = _tether_shell_open_get_connection (result);
  g_autoptr(TetherSessionChannel) channel = NULL;
  GError *error = NULL;

  self->reopening = FALSE;
  channel = _tether_shell_open_finish (self, result, &error);
  if (self->state != TETHER_SHELL_STATE_RECONNECTING) {
    g_clear_error (&error);
    if (channel != NULL)
      g_io_stream_close_async (G_IO_STREAM (channel), G_PRIORITY_DEFAULT, NULL, NULL, NULL);
    g_task_return_boolean (task, TRUE);
    return;
  }
  if (channel == NULL) {
    /* On a live connection this shell cannot come back. On a dropped one the next login
     * brings it back, unless that login came while this chain was failing: then the
     * shell asks its session for another go. */
    if (tether_connection_get_state (connection) == TETHER_CONNECTION_STATE_READY)
      finish_shell (self, TETHER_SHELL_STATE_FAILED, error);
    else if (tether_host_session_get_state (self->session) == TETHER_HOST_SESSION_STATE_READY &&
             tether_host_session_get_connection (self->session) != connection)
      tether_host_session_reconnect (self->session);
    g_task_return_error (task, error);
    return;
  }
  set_tmux_active (self, _tether_shell_open_used_tmux (result));
  attach_channel (self, channel);
  g_signal_emit (self, signals[SIGNAL_RECONNECTED], 0);
  g_task_return_boolean (task, TRUE);
}

static void
rider_reestablish_async (GObject             *rider,
                         TetherConnection    *connection,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  TetherShell *self = TETHER_SHELL (rider);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, rider_reestablish_async);
  g_task_set_name (task, "[tether] shell reestablish");
  /* Opening shells are started by whoever opened them; running ones need nothing, and
   * one chain at a time brings a shell back (a second would start a second shell). */
  if (self->state != TETHER_SHELL_STATE_RECONNECTING || self->reopening) {
    g_task_return_boolean (task, TRUE);
    g_object_unref (task);
    return;
  }
  self->reopening = TRUE;
  _tether_shell_open_async (self, connection, cancellable, rider_reestablish_async,
                            reestablish_cb, task);
}

static gboolean
rider_reestablish_finish (GObject       *rider,
                          GAsyncResult  *result,
                          GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
rider_lost (GObject                *rider,
            TetherHostSessionState  state,
            const GError           *error)
{
  TetherShell *self = TETHER_SHELL (rider);

  if (is_final (self))
    return;
  switch (state) {
  case TETHER_HOST_SESSION_STATE_RECONNECTING:
    detach_channel (self, FALSE);
    drop_writes (self);
    set_error (self, error);
    set_state (self, TETHER_SHELL_STATE_RECONNECTING);
    break;
  case TETHER_HOST_SESSION_STATE_FAILED:
    finish_shell (self, TETHER_SHELL_STATE_FAILED, error);
    break;
  default:
    finish_shell (self, TETHER_SHELL_STATE_CLOSED, error);
    break;
  }
}

static const TetherRiderVTable rider_vtable = {
  rider_reestablish_async,
  rider_reestablish_finish,
  rider_lost,
};

/* ------------------------------------------------------------------------- */
/* GObject                                                                   */

static void
tether_shell_dispose (GObject *object)
{
  TetherShell *self = TETHER_SHELL (object);

  detach_channel (self, TRUE);
  g_queue_clear_full (&self->queue, (GDestroyNotify) item_free);
  _tether_shell_clear_pending (self);
  unregister (self);
  G_OBJECT_CLASS (tether_shell_parent_class)->dispose (object);
}

static void
tether_shell_finalize (GObject *object)
{
  TetherShell *self = TETHER_SHELL (object);

  g_clear_object (&self->session);
  g_free (self->term);
  g_free (self->tmux_session);
  g_strfreev (self->env);
  g_clear_error (&self->error);
  G_OBJECT_CLASS (tether_shell_parent_class)->finalize (object);
}

static void
tether_shell_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  TetherShell *self = TETHER_SHELL (object);

  switch (prop_id) {
  case PROP_SESSION:
    g_value_set_object (value, self->session);
    break;
  case PROP_CHANNEL:
    g_value_set_object (value, self->channel);
    break;
  case PROP_STATE:
    g_value_set_enum (value, self->state);
    break;
  case PROP_ERROR:
    g_value_set_boxed (value, self->error);
    break;
  case PROP_EXIT_STATUS:
    g_value_set_int (value, self->exit_status);
    break;
  case PROP_TERM:
    g_value_set_string (value, self->term);
    break;
  case PROP_COLS:
    g_value_set_uint (value, self->cols);
    break;
  case PROP_ROWS:
    g_value_set_uint (value, self->rows);
    break;
  case PROP_TMUX_SESSION:
    g_value_set_string (value, self->tmux_session);
    break;
  case PROP_TMUX_ACTIVE:
    g_value_set_boolean (value, self->tmux_active);
    break;
  case PROP_PAUSED:
    g_value_set_boolean (value, self->paused);
    break;
  case PROP_PENDING_BYTES:
    g_value_set_uint64 (value, self->pending_bytes);
    break;
  case PROP_MAX_PENDING:
    g_value_set_uint64 (value, self->max_pending);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_shell_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  TetherShell *self = TETHER_SHELL (object);

  switch (prop_id) {
  case PROP_TMUX_SESSION:
    tether_shell_set_tmux_session (self, g_value_get_string (value));
    break;
  case PROP_PAUSED:
    tether_shell_set_paused (self, g_value_get_boolean (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_shell_class_init (TetherShellClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tether_shell_dispose;
  object_class->finalize = tether_shell_finalize;
  object_class->get_property = tether_shell_get_property;
  object_class->set_property = tether_shell_set_property;

  /**
   * TetherShell:session:
   *
   * The host session the shell rides on.
   */
  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, TETHER_TYPE_HOST_SESSION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * TetherShell:channel:
   *
   * The session channel the shell runs on now, or %NULL between
   * connections. A reconnect replaces it.
   */
  properties[PROP_CHANNEL] =
    g_param_spec_object ("channel", NULL, NULL, TETHER_TYPE_SESSION_CHANNEL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherShell:state:
   *
   * Where the shell is in its life.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, TETHER_TYPE_SHELL_STATE, TETHER_SHELL_STATE_OPENING,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherShell:error:
   *
   * Why the shell failed or is reconnecting; %NULL otherwise.
   */
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherShell:exit-status:
   *
   * The shell's exit status once it EXITED; -1 before, or when the server
   * sent none.
   */
  properties[PROP_EXIT_STATUS] =
    g_param_spec_int ("exit-status", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherShell:term:
   *
   * The TERM value the pty was asked for.
   */
  properties[PROP_TERM] =
    g_param_spec_string ("term", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * TetherShell:cols:
   *
   * The terminal's width in columns, as last set.
   */
  properties[PROP_COLS] =
    g_param_spec_uint ("cols", NULL, NULL, 1, G_MAXUINT, 80,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherShell:rows:
   *
   * The terminal's height in rows, as last set.
   */
  properties[PROP_ROWS] =
    g_param_spec_uint ("rows", NULL, NULL, 1, G_MAXUINT, 24,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherShell:tmux-session:
   *
   * When set (before tether_shell_start_async()), the shell runs inside the
   * tmux session of this name on the server, created or re-attached, so
   * what runs in it survives a dropped connection and comes back after a
   * reconnect. Where the server has no tmux, the shell is a plain one and
   * #TetherShell:tmux-active says so.
   */
  properties[PROP_TMUX_SESSION] =
    g_param_spec_string ("tmux-session", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherShell:tmux-active:
   *
   * Whether the shell runs inside #TetherShell:tmux-session now; %FALSE
   * when the server has no tmux (the shell is a plain one then).
   */
  properties[PROP_TMUX_ACTIVE] =
    g_param_spec_boolean ("tmux-active", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherShell:paused:
   *
   * Whether handing out output is paused. While it is, #TetherShell::data
   * is not emitted: the shell keeps at most #TetherShell:max-pending bytes
   * of output and then stops reading its channel, so the channel's window
   * closes and the server stops sending. A consumer that cannot keep up
   * (a terminal drawing a flood) pauses, and resumes when it has caught up;
   * the output then comes in order, nothing lost.
   */
  properties[PROP_PAUSED] =
    g_param_spec_boolean ("paused", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherShell:pending-bytes:
   *
   * How many bytes of output the shell has read and not handed out yet;
   * never more than #TetherShell:max-pending.
   */
  properties[PROP_PENDING_BYTES] =
    g_param_spec_uint64 ("pending-bytes", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherShell:max-pending:
   *
   * The most output the shell holds while #TetherShell:paused.
   */
  properties[PROP_MAX_PENDING] =
    g_param_spec_uint64 ("max-pending", NULL, NULL, 1, G_MAXUINT64, TETHER_SHELL_MAX_PENDING,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TetherShell::data:
   * @self: the shell
   * @bytes: what the shell printed
   *
   * Output of the shell (its pty merges standard output and error), in
   * order, on the main context that made the shell.
   */
  signals[SIGNAL_DATA] =
    g_signal_new ("data", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_BYTES);
  /**
   * TetherShell::reconnected:
   * @self: the shell
   *
   * The shell runs again, on a new channel, after its host session
   * reconnected. It is a new shell process on the server.
   */
  signals[SIGNAL_RECONNECTED] =
    g_signal_new ("reconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
tether_shell_init (TetherShell *self)
{
  self->exit_status = -1;
  self->max_pending = TETHER_SHELL_MAX_PENDING;
  g_queue_init (&self->queue);
  g_queue_init (&self->pending);
}

/**
 * tether_shell_new:
 * @session: the host session to ride on
 * @term: (nullable): the TERM value, such as `xterm-256color`; %NULL for
 *   `xterm-256color`
 * @cols: columns of the terminal
 * @rows: rows of the terminal
 * @env: (nullable) (array zero-terminated=1): `NAME=VALUE` pairs to send
 *   before the shell starts (servers accept only what their AcceptEnv lists)
 *
 * Makes a shell riding on @session, in the OPENING state; start it with
 * tether_shell_start_async(). Shells are re-established after a reconnect in
 * the order they were made. tether_host_session_open_shell_async() does both
 * steps.
 *
 * Returns: (transfer full): a new #TetherShell
 */
TetherShell *
tether_shell_new (TetherHostSession  *session,
                  const char         *term,
                  guint               cols,
                  guint               rows,
                  const char * const *env)
{
  TetherShell *self;

  g_return_val_if_fail (TETHER_IS_HOST_SESSION (session), NULL);

  self = g_object_new (TETHER_TYPE_SHELL, NULL);

  self->session = g_object_ref (session);
  self->term = g_strdup (term != NULL ? term : TETHER_SHELL_DEFAULT_TERM);
  self->cols = MAX (cols, 1);
  self->rows = MAX (rows, 1);
  self->env = g_strdupv ((char **) env);
  self->registered = TRUE;
  _tether_host_session_add_rider (session, G_OBJECT (self), &rider_vtable);
  return self;
}

/**
 * tether_shell_get_session:
 * @self: a #TetherShell
 *
 * Gets the host session the shell rides on.
 *
 * Returns: (transfer none): the host session the shell rides on
 */
TetherHostSession *
tether_shell_get_session (TetherShell *self)
{
  g_return_val_if_fail (TETHER_IS_SHELL (self), NULL);
  return self->session;
}

/**
 * tether_shell_get_channel:
 * @self: a #TetherShell
 *
 * Gets the current session channel.
 *
 * Returns: (transfer none) (nullable): the current session channel
 */
TetherSessionChannel *
tether_shell_get_channel (TetherShell *self)
{
  g_return_val_if_fail (TETHER_IS_SHELL (self), NULL);
  return self->channel;
}

/**
 * tether_shell_get_state:
 * @self: a #TetherShell
 *
 * Gets the shell's state.
 *
 * Returns: the shell's state
 */
TetherShellState
tether_shell_get_state (TetherShell *self)
{
  g_return_val_if_fail (TETHER_IS_SHELL (self), TETHER_SHELL_STATE_CLOSED);
  return self->state;
}

/**
 * tether_shell_get_error:
 * @self: a #TetherShell
 *
 * Gets why the shell failed or is reconnecting.
 *
 * Returns: (transfer none) (nullable): why the shell failed or is reconnecting
 */
const GError *
tether_shell_get_error (TetherShell *self)
{
  g_return_val_if_fail (TETHER_IS_SHELL (self), NULL);
  return self->error;
}

/**
 * tether_shell_get_exit_status:
 * @self: a #TetherShell
 *
 * Gets the exit status of the shell, or -1.
 *
 * Returns: the exit status of the shell, or -1
 */
int
tether_shell_get_exit_status (TetherShell *self)
{
  g_return_val_if_fail (TETHER_IS_SHELL (self), -1);
  return self->exit_status;
}

/**
 * tether_shell_get_term:
 * @self: a #TetherShell
 *
 * Gets the TERM value of the pty.
 *
 * Returns: the TERM value of the pty
 */
const char *
tether_shell_get_term (TetherShell *self)
{
  g_return_val_if_fail (TETHER_IS_SHELL (self), NULL);
  return self->term;
}

/**
 * tether_shell_get_cols:
 * @self: a #TetherShell
 *
 * Gets the terminal's width in columns.
 *
 * Returns: the terminal's width in columns
 */
guint
tether_shell_get_cols (TetherShell *self)
{
  g_return_val_if_fail (TETHER_IS_SHELL (self), 0);
  return self->cols;
}

/**
 * tether_shell_get_rows:
 * @self: a #TetherShell
 *
 * Gets the terminal's height in rows.
 *
 * Returns: the terminal's height in rows
 */
guint
tether_shell_get_rows (TetherShell *self)
{
  g_return_val_if_fail (TETHER_IS_SHELL (self), 0);
  return self->rows;
}

/**
 * tether_shell_write:
 * @self: a #TetherShell
 * @data: what to type into the shell
 *
 * Queues @data for the shell, after every earlier write and size change.
 * Writes made while the shell is opening are sent once it runs; writes made
 * while it is reconnecting are dropped, as keys typed into a dead terminal
 * are.
 */
void
tether_shell_write (TetherShell *self,
                    GBytes      *data)
{
  Item *item;

  g_return_if_fail (TETHER_IS_SHELL (self));
  g_return_if_fail (data != NULL);

  if (g_bytes_get_size (data) == 0 ||
      (self->state != TETHER_SHELL_STATE_OPENING && self->state != TETHER_SHELL_STATE_RUNNING))
    return;
  item = g_new0 (Item, 1);
  item->kind = ITEM_WRITE;
  item->bytes = g_bytes_ref (data);
  g_queue_push_tail (&self->queue, item);
  process_queue (self);
}

/**
 * tether_shell_set_size:
 * @self: a #TetherShell
 * @cols: columns
 * @rows: rows
 *
 * Tells the server the terminal's new size, after every earlier write: a
 * program reading the size after a write made before this call sees the old
 * size, and after a write made after it, the new one. A shell brought back
 * by a reconnect starts with the last size set.
 */
void
tether_shell_set_size (TetherShell *self,
                       guint        cols,
                       guint        rows)
{
  Item *tail;

  g_return_if_fail (TETHER_IS_SHELL (self));

  cols = MAX (cols, 1);
  rows = MAX (rows, 1);
  if (self->cols != cols) {
    self->cols = cols;
    notify (self, PROP_COLS);
  }
  if (self->rows != rows) {
    self->rows = rows;
    notify (self, PROP_ROWS);
  }
  if (self->state != TETHER_SHELL_STATE_OPENING && self->state != TETHER_SHELL_STATE_RUNNING)
    return;

  /* Two size changes in a row: only the last one matters. */
  tail = g_queue_peek_tail (&self->queue);
  if (tail == NULL || tail->kind != ITEM_SIZE) {
    tail = g_new0 (Item, 1);
    tail->kind = ITEM_SIZE;
    g_queue_push_tail (&self->queue, tail);
  }
  tail->cols = cols;
  tail->rows = rows;
  process_queue (self);
}

/**
 * tether_shell_close:
 * @self: a #TetherShell
 *
 * Ends the shell (closing its channel) and stops riding on the session.
 */
void
tether_shell_close (TetherShell *self)
{
  g_return_if_fail (TETHER_IS_SHELL (self));

  if (is_final (self))
    return;
  finish_shell (self, TETHER_SHELL_STATE_CLOSED, NULL);
}

/**
 * tether_shell_get_tmux_session:
 * @self: a #TetherShell
 *
 * Gets the name of the tmux session the shell runs in.
 *
 * Returns: (nullable): the name of the tmux session the shell runs in
 */
const char *
tether_shell_get_tmux_session (TetherShell *self)
{
  g_return_val_if_fail (TETHER_IS_SHELL (self), NULL);
  return self->tmux_session;
}

/**
 * tether_shell_set_tmux_session:
 * @self: a #TetherShell that has not started yet
 * @name: (nullable): a tmux session name, such as `tether-3`, or %NULL for
 *   a plain shell
 *
 * Runs the shell inside the tmux session @name (see
 * #TetherShell:tmux-session).
 */
void
tether_shell_set_tmux_session (TetherShell *self,
                               const char  *name)
{
  g_return_if_fail (TETHER_IS_SHELL (self));
  g_return_if_fail (!self->started);
  g_return_if_fail (name == NULL || *name != '\0');

  if (g_strcmp0 (self->tmux_session, name) == 0)
    return;
  g_free (self->tmux_session);
  self->tmux_session = g_strdup (name);
  notify (self, PROP_TMUX_SESSION);
}

/**
 * tether_shell_get_tmux_active:
 * @self: a #TetherShell
 *
 * Gets whether the shell runs inside its tmux session.
 *
 * Returns: whether the shell runs inside its tmux session
 */
gboolean
tether_shell_get_tmux_active (TetherShell *self)
{
  g_return_val_if_fail (TETHER_IS_SHELL (self), FALSE);
  return self->tmux_active;
}
