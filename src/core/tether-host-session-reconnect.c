/* tether-host-session-reconnect.c: how a TetherHostSession gets its connection back: the
 * login attempt (resolving Match exec first), backoff with jitter between failed attempts,
 * an immediate retry when the network returns, and the riders re-established one after the
 * other after each login. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tether-connection-private.h"
#include "tether-enums.h"
#include "tether-error.h"
#include "tether-host-session-impl-private.h"
#include "tether-shell.h"

/* The first retry after a drop waits this long: long enough for a restarting server. */
#define TETHER_RECONNECT_DELAY_MIN_US (1 * G_USEC_PER_SEC)
/* The wait doubles per failed attempt up to this, so a long outage costs little. */
#define TETHER_RECONNECT_DELAY_MAX_US (60 * G_USEC_PER_SEC)
/* Each wait is shortened by up to this fraction, so many clients do not retry in step. */
#define TETHER_RECONNECT_JITTER 0.2

void
_tether_host_session_set_retry (TetherHostSession *self,
                                guint              attempt,
                                gint64             next_retry)
{
  if (self->reconnect_attempt != attempt) {
    self->reconnect_attempt = attempt;
    _tether_host_session_notify (self, PROP_RECONNECT_ATTEMPT);
  }
  if (self->next_retry != next_retry) {
    self->next_retry = next_retry;
    _tether_host_session_notify (self, PROP_NEXT_RETRY);
  }
}

void
_tether_host_session_cancel_retry (TetherHostSession *self)
{
  if (self->retry_source != NULL) {
    g_source_destroy (self->retry_source);
    g_clear_pointer (&self->retry_source, g_source_unref);
  }
}

/* Drops the current connection without treating it as a loss. */
void
_tether_host_session_drop_connection (TetherHostSession *self)
{
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->connection == NULL)
    return;
  g_clear_signal_handler (&self->closed_handler, self->connection);
  tether_connection_close (self->connection);
  g_clear_object (&self->connection);
  _tether_host_session_notify (self, PROP_CONNECTION);
}

/* The source that fails a pending connect_async () when its cancellable fires. */
void
_tether_host_session_forget_cancel_source (GTask *task)
{
  GSource *source = g_object_steal_data (G_OBJECT (task), "tether-cancel-source");

  if (source != NULL) {
    g_source_destroy (source);
    g_source_unref (source);
  }
}

void
_tether_host_session_complete_pending (TetherHostSession *self,
                                       const GError      *error)
{
  g_autoptr(GPtrArray) pending = g_steal_pointer (&self->pending);

  self->pending = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < pending->len; i++) {
    GTask *task = g_ptr_array_index (pending, i);

    _tether_host_session_forget_cancel_source (task);
    if (error != NULL)
      g_task_return_error (task, g_error_copy (error));
    else
      g_task_return_boolean (task, TRUE);
  }
}

/* Tells every rider, newest last, that the connection is gone for now or for good. */
void
_tether_host_session_tell_riders_lost (TetherHostSession *self,
                                       const GError      *error)
{
  g_autoptr(GPtrArray) riders = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) vtables = g_ptr_array_new ();

  /* A rider may unregister from its handler: walk a copy. */
  for (guint i = 0; i < self->riders->len; i++) {
    Rider *rider = g_ptr_array_index (self->riders, i);

    g_ptr_array_add (riders, g_object_ref (rider->object));
    g_ptr_array_add (vtables, (gpointer) rider->vtable);
  }
  for (guint i = 0; i < riders->len; i++) {
    const TetherRiderVTable *vtable = g_ptr_array_index (vtables, i);

    vtable->lost (g_ptr_array_index (riders, i), self->state, error);
  }
}

/* Login errors that another attempt cannot fix without the user. */
static gboolean
is_permanent (const GError *error)
{
  return g_error_matches (error, TETHER_ERROR, TETHER_ERROR_AUTH_FAILED) ||
         g_error_matches (error, TETHER_ERROR, TETHER_ERROR_AUTH_CANCELLED) ||
         g_error_matches (error, TETHER_ERROR, TETHER_ERROR_HOST_KEY_UNKNOWN) ||
         g_error_matches (error, TETHER_ERROR, TETHER_ERROR_HOST_KEY_CHANGED) ||
         g_error_matches (error, TETHER_ERROR, TETHER_ERROR_CONFIG) ||
         g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND);
}

void
_tether_host_session_fail (TetherHostSession *self,
                           const GError      *error)
{
  _tether_host_session_drop_connection (self);
  _tether_host_session_cancel_retry (self);
  _tether_host_session_set_error (self, error);
  _tether_host_session_set_retry (self, 0, 0);
  _tether_host_session_set_state (self, TETHER_HOST_SESSION_STATE_FAILED);
  _tether_host_session_tell_riders_lost (self, error);
  _tether_host_session_complete_pending (self, error);
}

static gboolean
retry_cb (gpointer data)
{
  TetherHostSession *self = data;

  g_clear_pointer (&self->retry_source, g_source_unref);
  _tether_host_session_start_attempt (self);
  return G_SOURCE_REMOVE;
}

/* The wait before attempt @attempt (1, 2, ...): doubling from the minimum, capped. */
static gint64
backoff_delay (guint attempt)
{
  gint64 delay = TETHER_RECONNECT_DELAY_MIN_US;

  for (guint i = 1; i < attempt && delay < TETHER_RECONNECT_DELAY_MAX_US; i++)
    delay *= 2;
  delay = MIN (delay, TETHER_RECONNECT_DELAY_MAX_US);
  return delay - (gint64) (delay * TETHER_RECONNECT_JITTER * g_random_double ());
}

/* After a drop or a failed retry: RECONNECTING, next attempt after the backoff. */
static void
schedule_retry (TetherHostSession *self,
                const GError      *error)
{
  guint attempt = self->reconnect_attempt + 1;
  gint64 delay = self->retry_requested ? 0 : backoff_delay (attempt);

  _tether_host_session_drop_connection (self);
  _tether_host_session_cancel_retry (self);
  _tether_host_session_set_error (self, error);
  if (!self->auto_reconnect && !self->retry_requested) {
    /* Waits for reconnect (): next-retry 0 says no retry is coming by itself. */
    _tether_host_session_set_retry (self, attempt, 0);
    _tether_host_session_set_state (self, TETHER_HOST_SESSION_STATE_RECONNECTING);
    return;
  }
  self->retry_source = g_timeout_source_new ((guint) (delay / 1000));
  g_source_set_name (self->retry_source, "[tether] host session retry");
  g_source_set_callback (self->retry_source, retry_cb, self, NULL);
  g_source_attach (self->retry_source, self->context);
  _tether_host_session_set_retry (self, attempt, g_get_monotonic_time () + delay);
  _tether_host_session_set_state (self, TETHER_HOST_SESSION_STATE_RECONNECTING);
}

static void
on_connection_closed (TetherConnection  *connection,
                      GError            *reason,
                      TetherHostSession *self)
{
  if (connection != self->connection)
    return;
  if (reason == NULL) {
    /* Closed on purpose (by us, or by whoever else holds the connection). */
    _tether_host_session_drop_connection (self);
    _tether_host_session_set_error (self, NULL);
    _tether_host_session_set_state (self, TETHER_HOST_SESSION_STATE_IDLE);
    _tether_host_session_tell_riders_lost (self, NULL);
    return;
  }
  g_debug ("Host session of %s lost its connection: %s",
           tether_host_get_alias (self->host), reason->message);
  schedule_retry (self, reason);
  _tether_host_session_tell_riders_lost (self, reason);
}

typedef struct
{
  TetherHostSession *self;
  TetherConnection *connection;
  GCancellable *cancellable;
  GPtrArray *riders;
  GPtrArray *vtables;
  guint next;
} Reestablish;

static void
reestablish_free (Reestablish *r)
{
  g_object_unref (r->self);
  g_object_unref (r->connection);
  g_object_unref (r->cancellable);
  g_ptr_array_unref (r->riders);
  g_ptr_array_unref (r->vtables);
  g_free (r);
}

static void reestablish_next (Reestablish *r);

static void
reestablish_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  Reestablish *r = data;
  const TetherRiderVTable *vtable = g_ptr_array_index (r->vtables, r->next - 1);
  g_autoptr(GError) error = NULL;

  /* A rider that cannot come back says so in its own state; the others still may. */
  if (!vtable->reestablish_finish (source, result, &error))
    g_debug ("A rider of %s did not come back: %s",
             tether_host_get_alias (r->self->host), error->message);
  reestablish_next (r);
}

/* One rider after the other, so that the server sees them in the order they were made. */
static void
reestablish_next (Reestablish *r)
{
  GObject *rider;
  const TetherRiderVTable *vtable;

  if (g_cancellable_is_cancelled (r->cancellable) || r->next >= r->riders->len) {
    reestablish_free (r);
    return;
  }
  rider = g_ptr_array_index (r->riders, r->next);
  vtable = g_ptr_array_index (r->vtables, r->next);
  r->next++;
  vtable->reestablish_async (rider, r->connection, r->cancellable, reestablish_cb, r);
}

void
_tether_host_session_reestablish_riders (TetherHostSession *self)
{
  Reestablish *r;

  if (self->riders->len == 0 || self->connection == NULL)
    return;
  r = g_new0 (Reestablish, 1);
  r->self = g_object_ref (self);
  r->connection = g_object_ref (self->connection);
  r->cancellable = g_object_ref (self->cancellable);
  r->riders = g_ptr_array_new_with_free_func (g_object_unref);
  r->vtables = g_ptr_array_new ();
  for (guint i = 0; i < self->riders->len; i++) {
    Rider *rider = g_ptr_array_index (self->riders, i);

    g_ptr_array_add (r->riders, g_object_ref (rider->object));
    g_ptr_array_add (r->vtables, (gpointer) rider->vtable);
  }
  reestablish_next (r);
}

static void
connect_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr(TetherHostSession) self = data;
  TetherConnection *connection = TETHER_CONNECTION (source);
  g_autoptr(GError) error = NULL;
  gboolean retrying;

  if (!tether_connection_connect_finish (connection, result, &error)) {
    if (connection != self->connection)
      return;  /* Dropped by close () or reconnect () meanwhile. */
    retrying = self->state == TETHER_HOST_SESSION_STATE_RECONNECTING;
    if (!retrying || is_permanent (error))
      _tether_host_session_fail (self, error);
    else
      schedule_retry (self, error);
    return;
  }
  if (connection != self->connection)
    return;

  self->retry_requested = FALSE;
  _tether_host_session_set_retry (self, 0, 0);
  _tether_host_session_set_error (self, NULL);
  _tether_host_session_set_state (self, TETHER_HOST_SESSION_STATE_READY);
  _tether_host_session_complete_pending (self, NULL);
  _tether_host_session_reestablish_riders (self);
}

/* Makes a new connection to @host (a closed one stays closed) and logs in. */
static void
connect_to (TetherHostSession *self,
            TetherHost        *host)
{
  self->connection = tether_connection_new (host);
  if (self->interaction != NULL)
    tether_connection_set_interaction (self->connection, self->interaction);
  self->closed_handler = g_signal_connect (self->connection, "closed",
                                           G_CALLBACK (on_connection_closed), self);
  _tether_host_session_notify (self, PROP_CONNECTION);
  tether_connection_connect_async (self->connection, self->cancellable, connect_cb,
                                   g_object_ref (self));
}

typedef struct
{
  TetherHostSession *self;
  GCancellable *cancellable;
} Resolving;

static void
resolved_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Resolving *resolving = data;
  g_autoptr(TetherHostSession) self = resolving->self;
  g_autoptr(GCancellable) cancellable = resolving->cancellable;
  g_autoptr(TetherHost) host = NULL;
  g_auto(GStrv) warnings = NULL;
  g_autoptr(GError) error = NULL;

  g_free (resolving);
  host = tether_host_resolve_finish (TETHER_HOST (source), result, &warnings, &error);
  /* Dropped by close () or reconnect () meanwhile. */
  if (cancellable != self->cancellable || g_cancellable_is_cancelled (cancellable))
    return;
  for (guint i = 0; warnings != NULL && warnings[i] != NULL; i++)
    g_message ("%s", warnings[i]);
  if (host == NULL) {
    if (self->state != TETHER_HOST_SESSION_STATE_RECONNECTING || is_permanent (error))
      _tether_host_session_fail (self, error);
    else
      schedule_retry (self, error);
    return;
  }
  connect_to (self, host);
}

/* Starts an attempt: `Match exec` commands first, as ssh runs them when it connects (off
 * this thread), then a new connection. */
void
_tether_host_session_start_attempt (TetherHostSession *self)
{
  _tether_host_session_cancel_retry (self);
  _tether_host_session_drop_connection (self);

  /* This attempt starts after any reconnect () so far: it answers them. */
  self->retry_requested = FALSE;
  self->cancellable = g_cancellable_new ();
  if (self->state != TETHER_HOST_SESSION_STATE_RECONNECTING)
    _tether_host_session_set_state (self, TETHER_HOST_SESSION_STATE_CONNECTING);
  /* next-retry is now: the attempt is under way. */
  _tether_host_session_set_retry (self, self->reconnect_attempt, 0);
  if (tether_host_has_pending_match_exec (self->host)) {
    Resolving *resolving = g_new0 (Resolving, 1);

    resolving->self = g_object_ref (self);
    resolving->cancellable = g_object_ref (self->cancellable);
    tether_host_resolve_async (self->host, self->cancellable, resolved_cb, resolving);
    return;
  }
  connect_to (self, self->host);
}

static gboolean
network_back_cb (gpointer data)
{
  TetherHostSession *self = data;

  /* Only a waiting session retries: one under way already is as early as can be. */
  if (self->state == TETHER_HOST_SESSION_STATE_RECONNECTING && self->retry_source != NULL) {
    g_debug ("The network changed: %s retries now", tether_host_get_alias (self->host));
    _tether_host_session_start_attempt (self);
  }
  return G_SOURCE_REMOVE;
}

void
_tether_host_session_on_network_changed (GNetworkMonitor   *monitor,
                                         gboolean           available,
                                         TetherHostSession *self)
{
  /* The default monitor emits on the context it was made in, maybe not ours. */
  if (available)
    _tether_context_invoke (self->context, network_back_cb, g_object_ref (self),
                            g_object_unref);
}

