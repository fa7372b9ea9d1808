/* tether-host-session.c: one saved host's login, reconnect and what rides on it.
 *
 * A host session owns the TetherConnection of one saved host. When that connection drops
 * with an error it reconnects on its own, for the whole host at once: exponential backoff
 * with jitter, an immediate retry when the network comes back, one login, then each rider
 * (a shell today) re-established in the order it registered. A refused login or a host key
 * problem is not retried: the session goes FAILED until reconnect () is called.
 *
 * Everything runs on the main context of the thread that created the session.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tether-enums.h"
#include "tether-error.h"
#include "tether-forward-private.h"
#include "tether-host-session-impl-private.h"
#include "tether-shell.h"

/**
 * TetherHostSession:
 *
 * The login of one saved host, kept alive: it owns the host's
 * [class@Tether.Connection], and reconnects it for everything that rides on it.
 *
 * A host session is keyed by the saved host (its id), not by user@host:port, so
 * two saved hosts that point at the same address never share a login. Get it from
 * a [class@Tether.SessionManager], or make one with [ctor@Tether.HostSession.new];
 * [method@Tether.HostSession.connect_async] logs in and
 * [method@Tether.HostSession.open_shell_async] opens a [class@Tether.Shell] on it.
 * When the connection drops, [property@Tether.HostSession:state] goes
 * %TETHER_HOST_SESSION_STATE_RECONNECTING and the session retries with backoff
 * ([property@Tether.HostSession:next-retry]), at once when the network comes back;
 * after one login each rider (shell) is re-established in the order it registered.
 * A refused login or a host-key problem is not retried: the state is
 * %TETHER_HOST_SESSION_STATE_FAILED with [property@Tether.HostSession:error] until
 * [method@Tether.HostSession.reconnect] is called.
 * [method@Tether.HostSession.close] closes the connection and every rider.
 *
 * Threading: everything runs on the thread-default main context of the thread that
 * created the session; call it from that thread.
 */

G_DEFINE_FINAL_TYPE (TetherHostSession, tether_host_session, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

void
_tether_host_session_notify (TetherHostSession *self,
                             guint              prop)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
_tether_set_error_property (GObject      *object,
                            GError      **slot,
                            const GError *error,
                            GParamSpec   *pspec)
{
  if (*slot == NULL && error == NULL)
    return;
  g_clear_error (slot);
  if (error != NULL)
    *slot = g_error_copy (error);
  g_object_notify_by_pspec (object, pspec);
}

void
_tether_host_session_set_error (TetherHostSession *self,
                                const GError      *error)
{
  _tether_set_error_property (G_OBJECT (self), &self->error, error, properties[PROP_ERROR]);
}

void
_tether_host_session_set_state (TetherHostSession      *self,
                                TetherHostSessionState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  _tether_host_session_notify (self, PROP_STATE);
}

static void
tether_host_session_dispose (GObject *object)
{
  TetherHostSession *self = TETHER_HOST_SESSION (object);

  /* Forwards hold no reference to the session: they leave it here. */
  if (self->forwards != NULL)
    _tether_forward_list_detach (self->forwards);
  g_clear_object (&self->forwards);
  _tether_host_session_cancel_retry (self);
  _tether_host_session_drop_connection (self);
  if (self->monitor != NULL)
    g_clear_signal_handler (&self->network_handler, self->monitor);
  g_clear_object (&self->monitor);
  G_OBJECT_CLASS (tether_host_session_parent_class)->dispose (object);
}

static void
tether_host_session_finalize (GObject *object)
{
  TetherHostSession *self = TETHER_HOST_SESSION (object);

  /* Riders hold their session: none can be left. */
  g_assert (self->riders->len == 0);
  g_ptr_array_unref (self->riders);
  g_assert (self->pending->len == 0);
  g_ptr_array_unref (self->pending);
  g_clear_object (&self->host);
  g_clear_object (&self->interaction);
  g_clear_error (&self->error);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (tether_host_session_parent_class)->finalize (object);
}

static void
tether_host_session_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  TetherHostSession *self = TETHER_HOST_SESSION (object);

  switch (prop_id) {
  case PROP_HOST:
    g_value_set_object (value, self->host);
    break;
  case PROP_CONNECTION:
    g_value_set_object (value, self->connection);
    break;
  case PROP_STATE:
    g_value_set_enum (value, self->state);
    break;
  case PROP_ERROR:
    g_value_set_boxed (value, self->error);
    break;
  case PROP_RECONNECT_ATTEMPT:
    g_value_set_uint (value, self->reconnect_attempt);
    break;
  case PROP_NEXT_RETRY:
    g_value_set_int64 (value, self->next_retry);
    break;
  case PROP_N_RIDERS:
    g_value_set_uint (value, self->riders->len);
    break;
  case PROP_INTERACTION:
    g_value_set_object (value, self->interaction);
    break;
  case PROP_HELD:
    g_value_set_boolean (value, self->holds > 0);
    break;
  case PROP_AUTO_RECONNECT:
    g_value_set_boolean (value, self->auto_reconnect);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_host_session_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  TetherHostSession *self = TETHER_HOST_SESSION (object);

  switch (prop_id) {
  case PROP_HOST:
    self->host = g_value_dup_object (value);
    break;
  case PROP_INTERACTION:
    tether_host_session_set_interaction (self, g_value_get_object (value));
    break;
  case PROP_AUTO_RECONNECT:
    tether_host_session_set_auto_reconnect (self, g_value_get_boolean (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_host_session_constructed (GObject *object)
{
  TetherHostSession *self = TETHER_HOST_SESSION (object);

  G_OBJECT_CLASS (tether_host_session_parent_class)->constructed (object);
  g_assert (self->host != NULL);
  /* Made now, so that pinned forwards of the host's configuration start with the first
   * login whether or not anyone asked for the list. */
  self->forwards = _tether_forward_list_new (self);
}

static void
tether_host_session_class_init (TetherHostSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tether_host_session_dispose;
  object_class->finalize = tether_host_session_finalize;
  object_class->get_property = tether_host_session_get_property;
  object_class->set_property = tether_host_session_set_property;
  object_class->constructed = tether_host_session_constructed;

  /**
   * TetherHostSession:host:
   *
   * The saved host this session logs in to.
   */
  properties[PROP_HOST] =
    g_param_spec_object ("host", NULL, NULL, TETHER_TYPE_HOST,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherHostSession:connection:
   *
   * The current connection, or %NULL while there is none. A reconnect
   * replaces it with a new one.
   */
  properties[PROP_CONNECTION] =
    g_param_spec_object ("connection", NULL, NULL, TETHER_TYPE_CONNECTION,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherHostSession:state:
   *
   * Where the session is in its life.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, TETHER_TYPE_HOST_SESSION_STATE,
                       TETHER_HOST_SESSION_STATE_IDLE,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherHostSession:error:
   *
   * Why the session is FAILED, or why it is RECONNECTING; %NULL otherwise.
   */
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherHostSession:reconnect-attempt:
   *
   * How many retries this outage has made or is waiting to make; 0 when
   * not reconnecting.
   */
  properties[PROP_RECONNECT_ATTEMPT] =
    g_param_spec_uint ("reconnect-attempt", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherHostSession:next-retry:
   *
   * When the next retry starts, in g_get_monotonic_time() microseconds; 0
   * when none is waiting.
   */
  properties[PROP_NEXT_RETRY] =
    g_param_spec_int64 ("next-retry", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherHostSession:n-riders:
   *
   * How many shells (and the like) ride on this session.
   */
  properties[PROP_N_RIDERS] =
    g_param_spec_uint ("n-riders", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherHostSession:interaction:
   *
   * Asks the user about host keys and passwords; given to every connection
   * the session makes.
   */
  properties[PROP_INTERACTION] =
    g_param_spec_object ("interaction", NULL, NULL, TETHER_TYPE_INTERACTION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherHostSession:held:
   *
   * Whether something holds the session (see tether_host_session_hold()):
   * a #TetherSessionManager keeps a held session while no shell rides on it.
   */
  properties[PROP_HELD] =
    g_param_spec_boolean ("held", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherHostSession:auto-reconnect:
   *
   * Whether a dropped connection is retried by itself, with backoff. When
   * %FALSE the session stays RECONNECTING (with #TetherHostSession:next-retry
   * 0) until tether_host_session_reconnect() is called.
   */
  properties[PROP_AUTO_RECONNECT] =
    g_param_spec_boolean ("auto-reconnect", NULL, NULL, TRUE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tether_host_session_init (TetherHostSession *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->auto_reconnect = TRUE;
  self->riders = g_ptr_array_new_with_free_func (g_free);
  self->pending = g_ptr_array_new_with_free_func (g_object_unref);
  self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->network_handler = g_signal_connect (self->monitor, "network-changed",
                                            G_CALLBACK (_tether_host_session_on_network_changed), self);
}

/**
 * tether_host_session_new:
 * @host: the saved host
 *
 * Makes a session for @host. It does not connect until asked to. Use
 * tether_session_manager_lookup_or_create() to share one session per host.
 *
 * Returns: (transfer full): a new #TetherHostSession
 */
TetherHostSession *
tether_host_session_new (TetherHost *host)
{
  g_return_val_if_fail (TETHER_IS_HOST (host), NULL);
  return g_object_new (TETHER_TYPE_HOST_SESSION, "host", host, NULL);
}

/**
 * tether_host_session_get_forwards:
 * @self: a #TetherHostSession
 *
 * Gets the session's port forwards: those of the host's configuration, and those added
 * since.
 *
 * Returns: (transfer none): the list of #TetherForward
 */
TetherForwardList *
tether_host_session_get_forwards (TetherHostSession *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_SESSION (self), NULL);
  return self->forwards;
}

/**
 * tether_host_session_dup_key_for_host:
 * @host: a #TetherHost
 *
 * What identifies @host as a saved host: its id when it has one, otherwise
 * where it comes from and its alias. Two hosts with the same user, address
 * and port but saved separately have different keys, and so never share a
 * session or a login.
 *
 * Returns: (transfer full): the key
 */
char *
tether_host_session_dup_key_for_host (TetherHost *host)
{
  const char *id;

  g_return_val_if_fail (TETHER_IS_HOST (host), NULL);

  id = tether_host_get_id (host);
  if (id != NULL && *id != '\0')
    return g_strdup_printf ("id:%s", id);
  return g_strdup_printf ("%d:%s", tether_host_get_source (host), tether_host_get_alias (host));
}

/**
 * tether_host_session_get_host:
 * @self: a #TetherHostSession
 *
 * Gets the saved host.
 *
 * Returns: (transfer none): the saved host
 */
TetherHost *
tether_host_session_get_host (TetherHostSession *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_SESSION (self), NULL);
  return self->host;
}

/**
 * tether_host_session_get_connection:
 * @self: a #TetherHostSession
 *
 * Gets the current connection.
 *
 * Returns: (transfer none) (nullable): the current connection
 */
TetherConnection *
tether_host_session_get_connection (TetherHostSession *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_SESSION (self), NULL);
  return self->connection;
}

/**
 * tether_host_session_get_state:
 * @self: a #TetherHostSession
 *
 * Gets the session's state.
 *
 * Returns: the session's state
 */
TetherHostSessionState
tether_host_session_get_state (TetherHostSession *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_SESSION (self), TETHER_HOST_SESSION_STATE_IDLE);
  return self->state;
}

/**
 * tether_host_session_get_error:
 * @self: a #TetherHostSession
 *
 * Gets why the session failed or is reconnecting.
 *
 * Returns: (transfer none) (nullable): why the session failed or is reconnecting
 */
const GError *
tether_host_session_get_error (TetherHostSession *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_SESSION (self), NULL);
  return self->error;
}

/**
 * tether_host_session_get_reconnect_attempt:
 * @self: a #TetherHostSession
 *
 * Gets the number of the current or next retry; 0 when not reconnecting.
 *
 * Returns: the number of the current or next retry; 0 when not reconnecting
 */
guint
tether_host_session_get_reconnect_attempt (TetherHostSession *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_SESSION (self), 0);
  return self->reconnect_attempt;
}

/**
 * tether_host_session_get_next_retry:
 * @self: a #TetherHostSession
 *
 * Gets when the next retry starts (monotonic microseconds), or 0.
 *
 * Returns: when the next retry starts (monotonic microseconds), or 0
 */
gint64
tether_host_session_get_next_retry (TetherHostSession *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_SESSION (self), 0);
  return self->next_retry;
}

/**
 * tether_host_session_get_n_riders:
 * @self: a #TetherHostSession
 *
 * Gets how many shells (and the like) ride on the session.
 *
 * Returns: how many shells (and the like) ride on the session
 */
guint
tether_host_session_get_n_riders (TetherHostSession *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_SESSION (self), 0);
  return self->riders->len;
}

/**
 * tether_host_session_get_interaction:
 * @self: a #TetherHostSession
 *
 * Gets the interaction given to connections.
 *
 * Returns: (transfer none) (nullable): the interaction given to connections
 */
TetherInteraction *
tether_host_session_get_interaction (TetherHostSession *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_SESSION (self), NULL);
  return self->interaction;
}

/**
 * tether_host_session_set_interaction:
 * @self: a #TetherHostSession
 * @interaction: (nullable): how to ask the user
 *
 * Sets the interaction given to the session's connections, from the next
 * connection on.
 */
void
tether_host_session_set_interaction (TetherHostSession *self,
                                     TetherInteraction *interaction)
{
  g_return_if_fail (TETHER_IS_HOST_SESSION (self));
  g_return_if_fail (interaction == NULL || TETHER_IS_INTERACTION (interaction));

  if (g_set_object (&self->interaction, interaction))
    _tether_host_session_notify (self, PROP_INTERACTION);
}

static gboolean
pending_cancelled_cb (GCancellable *cancellable,
                      gpointer      data)
{
  GTask *task = data;
  TetherHostSession *self = g_task_get_source_object (task);

  g_object_ref (task);
  _tether_host_session_forget_cancel_source (task);
  if (g_ptr_array_remove (self->pending, task))
    g_task_return_error_if_cancelled (task);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

/**
 * tether_host_session_connect_async:
 * @self: a #TetherHostSession
 * @cancellable: (nullable): a #GCancellable; cancelling it fails this call
 *   only, not the login other callers wait for
 * @callback: called when the session is READY or has failed
 * @user_data: data for @callback
 *
 * Connects and logs in, unless the session is connected or connecting
 * already: then this waits for that. A FAILED or IDLE session tries again.
 */
void
tether_host_session_connect_async (TetherHostSession   *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (TETHER_IS_HOST_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tether_host_session_connect_async);
  g_task_set_name (task, "[tether] host session connect");
  g_task_set_check_cancellable (task, TRUE);

  if (self->state == TETHER_HOST_SESSION_STATE_READY) {
    g_task_return_boolean (task, TRUE);
    return;
  }
  if (cancellable != NULL) {
    /* Fails this call at once; the login others may wait for goes on. */
    GSource *source = g_cancellable_source_new (cancellable);

    g_source_set_callback (source, G_SOURCE_FUNC (pending_cancelled_cb), task, NULL);
    g_source_set_name (source, "[tether] host session connect cancelled");
    g_source_attach (source, g_task_get_context (task));
    g_object_set_data (G_OBJECT (task), "tether-cancel-source", source);
  }
  g_ptr_array_add (self->pending, g_steal_pointer (&task));
  if (self->state == TETHER_HOST_SESSION_STATE_IDLE ||
      self->state == TETHER_HOST_SESSION_STATE_FAILED) {
    _tether_host_session_set_retry (self, 0, 0);
    _tether_host_session_set_error (self, NULL);
    _tether_host_session_start_attempt (self);
  }
}

/**
 * tether_host_session_connect_finish:
 * @self: a #TetherHostSession
 * @result: the result
 * @error: return location for a #GError
 *
 * Finishes tether_host_session_connect_async().
 *
 * Returns: %TRUE when the session is READY
 */
gboolean
tether_host_session_connect_finish (TetherHostSession  *self,
                                    GAsyncResult       *result,
                                    GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * tether_host_session_reconnect:
 * @self: a #TetherHostSession
 *
 * Retries now: a RECONNECTING session stops waiting, a FAILED or IDLE one
 * with riders tries again (asking the user again if it must). On a READY
 * session it re-establishes riders that lost their channel.
 */
void
tether_host_session_reconnect (TetherHostSession *self)
{
  g_return_if_fail (TETHER_IS_HOST_SESSION (self));

  switch (self->state) {
  case TETHER_HOST_SESSION_STATE_CONNECTING:
    break;
  case TETHER_HOST_SESSION_STATE_READY:
    if (tether_connection_get_state (self->connection) == TETHER_CONNECTION_STATE_READY) {
      _tether_host_session_reestablish_riders (self);
      break;
    }
    /* Dropped, and the connection has not said so yet (its channels' errors come
     * first): log in afresh rather than re-establish on the dead one. */
    g_clear_signal_handler (&self->closed_handler, self->connection);
    {
      g_autoptr(GError) lost = g_error_new_literal (TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                                                    _("The connection was lost."));

      _tether_host_session_set_error (self, lost);
      _tether_host_session_set_state (self, TETHER_HOST_SESSION_STATE_RECONNECTING);
      _tether_host_session_set_retry (self, 1, 0);
      _tether_host_session_tell_riders_lost (self, lost);
    }
    _tether_host_session_start_attempt (self);
    break;
  case TETHER_HOST_SESSION_STATE_RECONNECTING:
    /* Unless an attempt is under way (it has a cancellable): that one may have started
     * before the server came back, so if it fails the next starts at once. */
    if (self->retry_source != NULL || self->cancellable == NULL)
      _tether_host_session_start_attempt (self);
    else
      self->retry_requested = TRUE;
    break;
  case TETHER_HOST_SESSION_STATE_IDLE:
  case TETHER_HOST_SESSION_STATE_FAILED:
    _tether_host_session_set_retry (self, 0, 0);
    _tether_host_session_set_error (self, NULL);
    /* Riders come back as after a drop; with none, this is a plain connect. */
    if (self->riders->len > 0) {
      _tether_host_session_set_state (self, TETHER_HOST_SESSION_STATE_RECONNECTING);
      _tether_host_session_set_retry (self, 1, 0);
    }
    _tether_host_session_start_attempt (self);
    break;
  default:
    g_assert_not_reached ();
  }
}

/**
 * tether_host_session_close:
 * @self: a #TetherHostSession
 *
 * Closes the connection and stops reconnecting; the session goes IDLE and
 * its shells close. Pending connects fail with %G_IO_ERROR_CANCELLED.
 */
void
tether_host_session_close (TetherHostSession *self)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (TETHER_IS_HOST_SESSION (self));

  g_object_ref (self);
  _tether_host_session_cancel_retry (self);
  _tether_host_session_drop_connection (self);
  _tether_host_session_set_retry (self, 0, 0);
  _tether_host_session_set_error (self, NULL);
  _tether_host_session_set_state (self, TETHER_HOST_SESSION_STATE_IDLE);
  _tether_host_session_tell_riders_lost (self, NULL);
  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("The connection to the host was closed."));
  _tether_host_session_complete_pending (self, error);
  g_object_unref (self);
}

static void
open_shell_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  g_autoptr(GTask) task = data;
  g_autoptr(GError) error = NULL;

  if (!tether_shell_start_finish (TETHER_SHELL (source), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_object_ref (source), g_object_unref);
}

/**
 * tether_host_session_open_shell_async:
 * @self: a #TetherHostSession
 * @term: (nullable): the TERM value, such as `xterm-256color`; %NULL for
 *   `xterm-256color`
 * @cols: columns of the terminal
 * @rows: rows of the terminal
 * @env: (nullable) (array zero-terminated=1): `NAME=VALUE` pairs to send
 *   before the shell starts (servers accept only what their AcceptEnv lists)
 * @cancellable: (nullable): a #GCancellable
 * @callback: called when the shell runs, or failed
 * @user_data: data for @callback
 *
 * Connects if needed and opens an interactive shell on a pty: the same as
 * tether_shell_new() and tether_shell_start_async(). The shell rides on the
 * session: after a reconnect it comes back as the same #TetherShell on a new
 * channel.
 */
void
tether_host_session_open_shell_async (TetherHostSession   *self,
                                      const char          *term,
                                      guint                cols,
                                      guint                rows,
                                      const char * const  *env,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(TetherShell) shell = NULL;

  g_return_if_fail (TETHER_IS_HOST_SESSION (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tether_host_session_open_shell_async);
  g_task_set_name (task, "[tether] open shell");
  /* Registered now, so that the riders' order is the order shells were asked for. */
  shell = tether_shell_new (self, term, cols, rows, env);
  tether_shell_start_async (shell, cancellable, open_shell_cb, g_steal_pointer (&task));
}

/**
 * tether_host_session_open_shell_finish:
 * @self: a #TetherHostSession
 * @result: the result
 * @error: return location for a #GError
 *
 * Finishes tether_host_session_open_shell_async().
 *
 * Returns: (transfer full): the running shell, or %NULL on error
 */
TetherShell *
tether_host_session_open_shell_finish (TetherHostSession  *self,
                                       GAsyncResult       *result,
                                       GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * tether_host_session_hold:
 * @self: a #TetherHostSession
 *
 * Keeps the session (and its login) while no shell rides on it, as a tab
 * whose shell exited does, so that its Reconnect needs no new login. Undo
 * with tether_host_session_release().
 */
void
tether_host_session_hold (TetherHostSession *self)
{
  g_return_if_fail (TETHER_IS_HOST_SESSION (self));

  if (self->holds++ == 0)
    _tether_host_session_notify (self, PROP_HELD);
}

/**
 * tether_host_session_release:
 * @self: a #TetherHostSession
 *
 * Undoes one tether_host_session_hold().
 */
void
tether_host_session_release (TetherHostSession *self)
{
  g_return_if_fail (TETHER_IS_HOST_SESSION (self));
  g_return_if_fail (self->holds > 0);

  if (--self->holds == 0)
    _tether_host_session_notify (self, PROP_HELD);
}

/**
 * tether_host_session_get_held:
 * @self: a #TetherHostSession
 *
 * Gets whether a view holds the session (tether_host_session_hold ()), so that it keeps its
 * login while none of its shells runs.
 *
 * Returns: whether something holds the session
 */
gboolean
tether_host_session_get_held (TetherHostSession *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_SESSION (self), FALSE);
  return self->holds > 0;
}

/**
 * tether_host_session_get_auto_reconnect:
 * @self: a #TetherHostSession
 *
 * Gets whether the session reconnects by itself after its connection drops.
 *
 * Returns: whether a dropped connection is retried by itself
 */
gboolean
tether_host_session_get_auto_reconnect (TetherHostSession *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_SESSION (self), FALSE);
  return self->auto_reconnect;
}

/**
 * tether_host_session_set_auto_reconnect:
 * @self: a #TetherHostSession
 * @auto_reconnect: whether to retry a dropped connection by itself
 *
 * Turning it off stops a waiting retry; turning it on while a dropped
 * session waits for the user retries now.
 */
void
tether_host_session_set_auto_reconnect (TetherHostSession *self,
                                        gboolean           auto_reconnect)
{
  g_return_if_fail (TETHER_IS_HOST_SESSION (self));

  auto_reconnect = !!auto_reconnect;
  if (self->auto_reconnect == auto_reconnect)
    return;
  self->auto_reconnect = auto_reconnect;
  _tether_host_session_notify (self, PROP_AUTO_RECONNECT);
  if (self->state != TETHER_HOST_SESSION_STATE_RECONNECTING)
    return;
  if (!auto_reconnect && self->retry_source != NULL) {
    _tether_host_session_cancel_retry (self);
    _tether_host_session_set_retry (self, self->reconnect_attempt, 0);
  } else if (auto_reconnect && self->cancellable == NULL) {
    _tether_host_session_start_attempt (self);
  }
}

void
_tether_host_session_add_rider (TetherHostSession       *self,
                                GObject                 *rider,
                                const TetherRiderVTable *vtable)
{
  Rider *r = g_new0 (Rider, 1);

  r->object = rider;
  r->vtable = vtable;
  g_ptr_array_add (self->riders, r);
  _tether_host_session_notify (self, PROP_N_RIDERS);
}

void
_tether_host_session_remove_rider (TetherHostSession *self,
                                   GObject           *rider)
{
  for (guint i = 0; i < self->riders->len; i++) {
    Rider *r = g_ptr_array_index (self->riders, i);

    if (r->object != rider)
      continue;
    g_ptr_array_remove_index (self->riders, i);
    _tether_host_session_notify (self, PROP_N_RIDERS);
    return;
  }
}
