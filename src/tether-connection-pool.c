/* tether-connection-pool.c: the app's SSH connections, one per host, shared by every tab,
 * forward and file view of that host. A second tab on a host opens a channel on the
 * connection the first one made instead of logging in again (no second password prompt),
 * and a tab that asks while the first login is still under way waits for that login.
 * Connections that close leave the pool, so the next acquire (Reconnect) logs in afresh;
 * a connection nobody uses any more is closed. */
#include "config.h"

#include <string.h>

#include "tether-connection-pool.h"

struct _TetherConnectionPool
{
  GObject parent_instance;

  /* Pool key (see tether_connection_pool_dup_key ()) -> Entry */
  GHashTable *entries;
};

G_DEFINE_FINAL_TYPE (TetherConnectionPool, tether_connection_pool, G_TYPE_OBJECT)

typedef struct {
  TetherConnectionPool *pool;   /* unowned; NULL once the pool is gone */
  char *key;
  TetherConnection *connection;
  /* Cancels the login once every waiter gave up. */
  GCancellable *cancellable;
  /* GTasks waiting for the login; empty once it finished. */
  GPtrArray *waiters;
  gboolean ready;
  /* Acquires not yet released. */
  guint n_users;
  gulong closed_id;
} Entry;

typedef struct {
  Entry *entry;                 /* the entry whose login the task waits for */
  GSource *cancel_source;
} Waiter;

static void
entry_clear (Entry *entry)
{
  g_clear_signal_handler (&entry->closed_id, entry->connection);
  g_clear_object (&entry->connection);
  g_clear_object (&entry->cancellable);
  g_clear_pointer (&entry->waiters, g_ptr_array_unref);
  g_clear_pointer (&entry->key, g_free);
}

static Entry *
entry_ref (Entry *entry)
{
  return g_rc_box_acquire (entry);
}

static void
entry_unref (Entry *entry)
{
  g_rc_box_release_full (entry, (GDestroyNotify) entry_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Entry, entry_unref)

static void
waiter_free (Waiter *waiter)
{
  if (waiter->cancel_source != NULL) {
    g_source_destroy (waiter->cancel_source);
    g_clear_pointer (&waiter->cancel_source, g_source_unref);
  }
  g_free (waiter);
}

/* Removes @entry from its pool when it is still the one registered for its key. */
static void
entry_forget (Entry *entry)
{
  if (entry->pool != NULL &&
      g_hash_table_lookup (entry->pool->entries, entry->key) == entry)
    g_hash_table_remove (entry->pool->entries, entry->key);
}

static void
on_connection_closed (TetherConnection *connection,
                      GError           *reason,
                      Entry            *entry)
{
  g_debug ("Connection to %s closed: %s", entry->key,
           reason != NULL ? reason->message : "by us");
  entry_forget (entry);
}

/* Takes @task off @entry's waiters and returns its result: the connection, or @error. */
static void
waiter_return (Entry        *entry,
               GTask        *task,
               const GError *error)
{
  Waiter *waiter = g_task_get_task_data (task);

  if (waiter->cancel_source != NULL) {
    g_source_destroy (waiter->cancel_source);
    g_clear_pointer (&waiter->cancel_source, g_source_unref);
  }

  /* Users are counted when they take the result (acquire_finish): a caller who cancelled
   * meanwhile never sees it and so never releases it. */
  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_pointer (task, g_object_ref (entry->connection), g_object_unref);
}

static gboolean
on_waiter_cancelled (GCancellable *cancellable,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = g_object_ref (user_data);
  Waiter *waiter = g_task_get_task_data (task);
  g_autoptr(Entry) entry = entry_ref (waiter->entry);
  g_autoptr(GError) error = NULL;

  g_ptr_array_remove (entry->waiters, task);
  g_cancellable_set_error_if_cancelled (cancellable, &error);
  waiter_return (entry, task, error);

  /* Nobody wants this login any more: stop it (and the password prompt it may show). */
  if (entry->waiters->len == 0 && !entry->ready)
    g_cancellable_cancel (entry->cancellable);

  return G_SOURCE_REMOVE;
}

static void
connect_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(Entry) entry = user_data;
  g_autoptr(GPtrArray) waiters = NULL;
  g_autoptr(GError) error = NULL;

  if (tether_connection_connect_finish (TETHER_CONNECTION (source), result, &error) &&
      tether_connection_get_state (entry->connection) == TETHER_CONNECTION_STATE_READY) {
    entry->ready = TRUE;
  } else {
    if (error == NULL)
      error = g_error_new_literal (TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                                   "The connection closed while logging in.");
    entry_forget (entry);
  }

  /* Waiters may acquire again from their callbacks: hand over a fresh array first. */
  waiters = g_steal_pointer (&entry->waiters);
  entry->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiters->len; i++)
    waiter_return (entry, g_ptr_array_index (waiters, i), error);

  /* Everybody gave up just as the login succeeded: nobody uses the connection. */
  if (entry->ready && entry->n_users == 0) {
    entry_forget (entry);
    tether_connection_close (entry->connection);
  }
}

static Entry *
entry_new (TetherConnectionPool *self,
           const char           *key,
           TetherHost           *host,
           TetherInteraction    *interaction)
{
  Entry *entry = g_rc_box_new0 (Entry);

  entry->pool = self;
  entry->key = g_strdup (key);
  entry->connection = tether_connection_new (host);
  entry->cancellable = g_cancellable_new ();
  entry->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  if (interaction != NULL)
    tether_connection_set_interaction (entry->connection, interaction);
  entry->closed_id = g_signal_connect (entry->connection, "closed",
                                       G_CALLBACK (on_connection_closed), entry);

  return entry;
}

static void
tether_connection_pool_dispose (GObject *object)
{
  TetherConnectionPool *self = TETHER_CONNECTION_POOL (object);
  GHashTableIter iter;
  Entry *entry;

  if (self->entries != NULL) {
    g_hash_table_iter_init (&iter, self->entries);
    while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry)) {
      entry->pool = NULL;
      g_cancellable_cancel (entry->cancellable);
    }
  }
  g_clear_pointer (&self->entries, g_hash_table_unref);

  G_OBJECT_CLASS (tether_connection_pool_parent_class)->dispose (object);
}

static void
tether_connection_pool_class_init (TetherConnectionPoolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = tether_connection_pool_dispose;
}

static void
tether_connection_pool_init (TetherConnectionPool *self)
{
  self->entries = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                         (GDestroyNotify) entry_unref);
}

/**
 * tether_connection_pool_new:
 *
 * Returns: (transfer full): a new, empty pool
 */
TetherConnectionPool *
tether_connection_pool_new (void)
{
  return g_object_new (TETHER_TYPE_CONNECTION_POOL, NULL);
}

/**
 * tether_connection_pool_get_default:
 *
 * Returns: (transfer none): the pool the app's pages share
 */
TetherConnectionPool *
tether_connection_pool_get_default (void)
{
  static TetherConnectionPool *default_pool;

  if (default_pool == NULL)
    default_pool = tether_connection_pool_new ();

  return default_pool;
}

/**
 * tether_connection_pool_dup_key:
 * @host: a host
 *
 * Two hosts share a connection when they log in as the same user to the same server and
 * port, however they were named.
 *
 * Returns: (transfer full): the pool key of @host, `user@host:port`
 */
char *
tether_connection_pool_dup_key (TetherHost *host)
{
  g_autofree char *user = NULL;
  const char *hostname;
  guint port;

  g_return_val_if_fail (TETHER_IS_HOST (host), NULL);

  user = tether_host_dup_effective_user (host);
  hostname = tether_host_get_hostname (host);
  if (hostname == NULL)
    hostname = tether_host_get_alias (host);
  port = tether_host_get_port (host);
  if (port == 0)
    port = TETHER_DEFAULT_PORT;

  if (strchr (hostname, ':') != NULL)
    return g_strdup_printf ("%s@[%s]:%u", user, hostname, port);
  return g_strdup_printf ("%s@%s:%u", user, hostname, port);
}

/* An acquire waiting for the host's `Match exec` commands. */
typedef struct {
  TetherConnectionPool *pool;
  TetherInteraction *interaction;
  GCancellable *cancellable;
  GAsyncReadyCallback callback;
  gpointer user_data;
} ExecWait;

static void
exec_wait_free (ExecWait *wait)
{
  g_clear_object (&wait->pool);
  g_clear_object (&wait->interaction);
  g_clear_object (&wait->cancellable);
  g_free (wait);
}

static void
exec_resolved_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  ExecWait *wait = user_data;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) warnings = NULL;
  g_autoptr(TetherHost) host = NULL;

  host = tether_host_resolve_finish (TETHER_HOST (source), result, &warnings, &error);
  for (guint i = 0; warnings != NULL && warnings[i] != NULL; i++)
    g_message ("%s", warnings[i]);
  if (host == NULL)
    g_task_report_error (wait->pool, wait->callback, wait->user_data,
                         tether_connection_pool_acquire_async, g_steal_pointer (&error));
  else
    tether_connection_pool_acquire_async (wait->pool, host, wait->interaction,
                                          wait->cancellable, wait->callback, wait->user_data);
  exec_wait_free (wait);
}

/**
 * tether_connection_pool_acquire_async:
 * @self: a pool
 * @host: the host to connect to
 * @interaction: (nullable): asks for passwords and host keys when a login is needed
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with a ready connection, or the reason there is none
 * @user_data: data for @callback
 *
 * Gets the ready connection to @host: the one already open, the one being opened (its
 * login is waited for, not repeated), or a new one. Each successful acquire is paired with
 * tether_connection_pool_release ().
 */
void
tether_connection_pool_acquire_async (TetherConnectionPool *self,
                                      TetherHost           *host,
                                      TetherInteraction    *interaction,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *key = NULL;
  Waiter *waiter;
  Entry *entry;

  g_return_if_fail (TETHER_IS_CONNECTION_POOL (self));
  g_return_if_fail (TETHER_IS_HOST (host));
  g_return_if_fail (interaction == NULL || TETHER_IS_INTERACTION (interaction));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  /* ssh runs `Match exec` when it connects: so does the app, off the UI thread. */
  if (tether_host_has_pending_match_exec (host)) {
    ExecWait *wait = g_new0 (ExecWait, 1);

    wait->pool = g_object_ref (self);
    wait->interaction = interaction ? g_object_ref (interaction) : NULL;
    wait->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
    wait->callback = callback;
    wait->user_data = user_data;
    tether_host_resolve_async (host, cancellable, exec_resolved_cb, wait);
    return;
  }

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tether_connection_pool_acquire_async);
  g_task_set_name (task, "[tether] acquire connection");

  if (g_task_return_error_if_cancelled (task))
    return;

  key = tether_connection_pool_dup_key (host);
  entry = g_hash_table_lookup (self->entries, key);

  /* A closed connection that has not told us yet is no use. */
  if (entry != NULL && entry->ready &&
      tether_connection_get_state (entry->connection) != TETHER_CONNECTION_STATE_READY) {
    g_hash_table_remove (self->entries, key);
    entry = NULL;
  }

  waiter = g_new0 (Waiter, 1);
  g_task_set_task_data (task, waiter, (GDestroyNotify) waiter_free);

  if (entry != NULL && entry->ready) {
    waiter->entry = entry;
    waiter_return (entry, task, NULL);
    return;
  }

  if (entry == NULL) {
    entry = entry_new (self, key, host, interaction);
    g_hash_table_insert (self->entries, entry->key, entry);
    g_debug ("Connecting to %s", key);
    tether_connection_connect_async (entry->connection, entry->cancellable,
                                     connect_cb, entry_ref (entry));
  } else if (interaction != NULL && tether_connection_get_interaction (entry->connection) == NULL) {
    /* The first asker had nobody to ask the user; this one does. */
    tether_connection_set_interaction (entry->connection, interaction);
  }

  waiter->entry = entry;
  if (cancellable != NULL) {
    waiter->cancel_source = g_cancellable_source_new (cancellable);
    g_source_set_callback (waiter->cancel_source, G_SOURCE_FUNC (on_waiter_cancelled),
                           task, NULL);
    g_source_set_static_name (waiter->cancel_source, "[tether] acquire cancelled");
    g_source_attach (waiter->cancel_source, g_task_get_context (task));
  }
  g_ptr_array_add (entry->waiters, g_steal_pointer (&task));
}

static Entry *
find_entry (TetherConnectionPool *self,
            TetherConnection     *connection)
{
  GHashTableIter iter;
  Entry *entry;

  g_hash_table_iter_init (&iter, self->entries);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &entry)) {
    if (entry->connection == connection)
      return entry;
  }

  return NULL;
}

/**
 * tether_connection_pool_acquire_finish:
 * @self: a pool
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a ready connection, or %NULL with @error set
 */
TetherConnection *
tether_connection_pool_acquire_finish (TetherConnectionPool  *self,
                                       GAsyncResult          *result,
                                       GError               **error)
{
  TetherConnection *connection;

  g_return_val_if_fail (TETHER_IS_CONNECTION_POOL (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        tether_connection_pool_acquire_async, NULL);

  connection = g_task_propagate_pointer (G_TASK (result), error);
  if (connection != NULL) {
    Entry *entry = find_entry (self, connection);

    if (entry != NULL)
      entry->n_users++;
  }

  return connection;
}

/**
 * tether_connection_pool_release:
 * @self: a pool
 * @connection: a connection tether_connection_pool_acquire_async () gave
 *
 * Says that one user of @connection is done with it. The last one closes it (its login
 * ends on the server).
 */
void
tether_connection_pool_release (TetherConnectionPool *self,
                                TetherConnection     *connection)
{
  Entry *entry;

  g_return_if_fail (TETHER_IS_CONNECTION_POOL (self));
  g_return_if_fail (TETHER_IS_CONNECTION (connection));

  /* Closed connections left the pool already. */
  entry = find_entry (self, connection);
  if (entry == NULL)
    return;

  g_return_if_fail (entry->n_users > 0);
  if (--entry->n_users > 0)
    return;

  g_debug ("Closing the unused connection to %s", entry->key);
  g_object_ref (connection);
  g_hash_table_remove (self->entries, entry->key);
  tether_connection_close (connection);
  g_object_unref (connection);
}

/**
 * tether_connection_pool_discard:
 * @self: a pool
 * @connection: a connection whose use failed with a connection error
 *
 * Makes the pool forget @connection, as it does once a connection says it closed: the next
 * acquire of its host logs in afresh instead of getting it. For the time in between: a
 * session on a dropped connection fails before the connection itself has told the main thread
 * that it closed, and a Reconnect right then must not be handed the dead connection again.
 * Releasing @connection afterwards does nothing, as for a closed one.
 */
void
tether_connection_pool_discard (TetherConnectionPool *self,
                                TetherConnection     *connection)
{
  Entry *entry;

  g_return_if_fail (TETHER_IS_CONNECTION_POOL (self));
  g_return_if_fail (TETHER_IS_CONNECTION (connection));

  entry = find_entry (self, connection);
  if (entry == NULL)
    return;

  g_debug ("Forgetting the failed connection to %s", entry->key);
  entry_forget (entry);
}

/**
 * tether_connection_pool_lookup:
 * @self: a pool
 * @host: a host
 *
 * Returns: (transfer none) (nullable): the pool's connection to @host, ready or still
 *   logging in, or %NULL
 */
TetherConnection *
tether_connection_pool_lookup (TetherConnectionPool *self,
                               TetherHost           *host)
{
  g_autofree char *key = NULL;
  Entry *entry;

  g_return_val_if_fail (TETHER_IS_CONNECTION_POOL (self), NULL);
  g_return_val_if_fail (TETHER_IS_HOST (host), NULL);

  key = tether_connection_pool_dup_key (host);
  entry = g_hash_table_lookup (self->entries, key);

  return entry != NULL ? entry->connection : NULL;
}

/**
 * tether_connection_pool_get_n_users:
 * @self: a pool
 * @connection: a connection
 *
 * Returns: how many acquires of @connection were not released yet; 0 when the pool does
 *   not hold it
 */
guint
tether_connection_pool_get_n_users (TetherConnectionPool *self,
                                    TetherConnection     *connection)
{
  Entry *entry;

  g_return_val_if_fail (TETHER_IS_CONNECTION_POOL (self), 0);
  g_return_val_if_fail (TETHER_IS_CONNECTION (connection), 0);

  entry = find_entry (self, connection);

  return entry != NULL ? entry->n_users : 0;
}
