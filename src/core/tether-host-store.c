/* tether-host-store.c: the saved hosts, as a GListModel of TetherHost.
 *
 * Two files feed the store: the user's `~/.ssh/config` (read-only: Tether
 * never changes it unless asked to add one `Include` line) and Tether's own
 * `$XDG_CONFIG_HOME/tether/hosts.conf`, which is ssh_config syntax plus
 * `#@tether key=value` lines, so that plain `ssh` can use it too. Both are
 * followed with GFileMonitor and read on a worker thread.
 *
 * hosts.conf is kept in memory as "chunks": the lines of the file cut at
 * each Host or Match block. An edit regenerates only the chunk of the edited
 * host (keeping its unknown keywords and metadata), the new text is parsed
 * back before it is written, and it is written atomically. A file Tether
 * cannot parse is never written: edits fail until the user fixes it.
 *
 * The list holds Tether's hosts first (in file order), then the hosts of
 * `~/.ssh/config` and of files added with load_file(). Items of Tether's file
 * hold the values as written there (what the editor edits); items of
 * ssh_config files, and lookup(), are resolved as `ssh -G` resolves them.
 */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "tether-error.h"
#include "tether-file-util.h"
#include "tether-host-store.h"
#include "tether-host-store-private.h"
#include "tether-ssh-config.h"

/**
 * TetherHostStore:
 *
 * The saved hosts, as a [iface@Gio.ListModel] of [class@Tether.Host]: those of
 * Tether's own hosts file first, then those of `~/.ssh/config` and of files added
 * with [method@Tether.HostStore.load_file].
 *
 * [ctor@Tether.HostStore.new] makes an empty store of the user's files;
 * [method@Tether.HostStore.load_default_async] reads them, follows them with file
 * monitors, and [property@Tether.HostStore:loaded] turns %TRUE.
 * [method@Tether.HostStore.lookup] resolves any name as `ssh -G name` would with
 * the store's files. Tether's hosts file (`$XDG_CONFIG_HOME/tether/hosts.conf`) is
 * ssh_config syntax plus `#@tether key=value` lines, so that plain `ssh` can use
 * it; it changes only through [method@Tether.HostStore.add_async],
 * [method@Tether.HostStore.update_async], [method@Tether.HostStore.remove_async]
 * and their siblings, which rewrite only the edited host's block, atomically.
 * `~/.ssh/config` is never written, except for the one `Include` line that
 * [method@Tether.HostStore.add_include_async] adds when asked. Problems in the
 * files are in [property@Tether.HostStore:load-error] and
 * [method@Tether.HostStore.get_config_errors].
 *
 * Threading: use the store on the thread that created it. Files are read and
 * written on worker threads; the list and its signals change only on the creating
 * thread's thread-default main context.
 */

static void tether_host_store_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TetherHostStore, tether_host_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      tether_host_store_list_model_init))

enum {
  PROP_0,
  PROP_SSH_CONFIG_PATH,
  PROP_HOSTS_PATH,
  PROP_LOAD_ERROR,
  PROP_LOADED,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ------------------------------------------------------------------------ */
/* The model                                                                 */

/* Shows the hosts of the chunks and the read-only hosts, telling the views
 * only what changed. */
void
update_items (TetherHostStore *self)
{
  g_autoptr(GPtrArray) old = self->items;
  guint prefix = 0;
  guint suffix = 0;

  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->chunks->len; i++) {
    Chunk *chunk = g_ptr_array_index (self->chunks, i);

    if (chunk->host != NULL)
      g_ptr_array_add (self->items, g_object_ref (chunk->host));
  }
  for (guint i = 0; i < self->ro_hosts->len; i++)
    g_ptr_array_add (self->items, g_object_ref (g_ptr_array_index (self->ro_hosts, i)));

  while (prefix < old->len && prefix < self->items->len &&
         old->pdata[prefix] == self->items->pdata[prefix])
    prefix++;
  while (suffix < old->len - prefix && suffix < self->items->len - prefix &&
         old->pdata[old->len - 1 - suffix] == self->items->pdata[self->items->len - 1 - suffix])
    suffix++;
  if (prefix == old->len && prefix == self->items->len)
    return;
  g_list_model_items_changed (G_LIST_MODEL (self), prefix, old->len - prefix - suffix,
                              self->items->len - prefix - suffix);
  if (old->len != self->items->len)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

/* Keeps the objects of hosts that did not change, so that views and
 * connections holding them stay valid. PREFERRED wins over the old item.
 */
static TetherHost *
pick_host (TetherHostStore *self,
           TetherHost      *fresh,
           GHashTable      *old_by_id,
           TetherHost      *preferred)
{
  TetherHost *old;

  if (preferred != NULL &&
      g_strcmp0 (tether_host_get_id (preferred), tether_host_get_id (fresh)) == 0 &&
      host_equal (preferred, fresh))
    return preferred;
  old = g_hash_table_lookup (old_by_id, tether_host_get_id (fresh));
  if (old != NULL && host_equal (old, fresh))
    return old;
  return fresh;
}

void
adopt_chunks (TetherHostStore *self,
              GPtrArray       *chunks,
              TetherHost      *preferred)
{
  g_autoptr(GHashTable) old_by_id = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < self->chunks->len; i++) {
    Chunk *chunk = g_ptr_array_index (self->chunks, i);

    if (chunk->host != NULL)
      g_hash_table_insert (old_by_id, (gpointer) tether_host_get_id (chunk->host),
                           chunk->host);
  }
  for (guint i = 0; i < chunks->len; i++) {
    Chunk *chunk = g_ptr_array_index (chunks, i);

    if (chunk->host != NULL)
      g_set_object (&chunk->host, pick_host (self, chunk->host, old_by_id, preferred));
  }
  g_ptr_array_unref (self->chunks);
  self->chunks = g_ptr_array_ref (chunks);
}

static void
adopt_ro_hosts (TetherHostStore *self,
                GPtrArray       *hosts)
{
  g_autoptr(GHashTable) old_by_id = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < self->ro_hosts->len; i++) {
    TetherHost *host = g_ptr_array_index (self->ro_hosts, i);

    g_hash_table_insert (old_by_id, (gpointer) tether_host_get_id (host), host);
  }
  for (guint i = 0; i < hosts->len; i++) {
    TetherHost *picked = pick_host (self, g_ptr_array_index (hosts, i), old_by_id, NULL);

    g_set_object ((TetherHost **) &hosts->pdata[i], picked);
  }
  g_ptr_array_unref (self->ro_hosts);
  self->ro_hosts = g_ptr_array_ref (hosts);
}

static gboolean
errors_equal (const GError *a,
              const GError *b)
{
  if (a == NULL || b == NULL)
    return a == b;
  return a->domain == b->domain && a->code == b->code && strcmp (a->message, b->message) == 0;
}

static void
set_load_error (TetherHostStore *self,
                const GError    *error)
{
  if (errors_equal (self->load_error, error))
    return;
  g_clear_error (&self->load_error);
  if (error != NULL) {
    self->load_error = g_error_copy (error);
    /* The user needs to see this, so it is not only a debug message. */
    g_message ("%s", error->message);
  }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOAD_ERROR]);
}

static void on_file_changed (GFileMonitor      *monitor,
                             GFile             *file,
                             GFile             *other_file,
                             GFileMonitorEvent  event,
                             gpointer           user_data);

static void
monitor_free (GFileMonitor *monitor)
{
  g_signal_handlers_disconnect_matched (monitor, G_SIGNAL_MATCH_FUNC, 0, 0, NULL,
                                        on_file_changed, NULL);
  g_file_monitor_cancel (monitor);
  g_object_unref (monitor);
}

static void
on_file_changed (GFileMonitor      *monitor,
                 GFile             *file,
                 GFile             *other_file,
                 GFileMonitorEvent  event,
                 gpointer           user_data)
{
  TetherHostStore *self = user_data;

  /* CHANGED comes many times per write: wait for the done hint. */
  if (event == G_FILE_MONITOR_EVENT_CHANGED ||
      event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED ||
      event == G_FILE_MONITOR_EVENT_PRE_UNMOUNT)
    return;
  schedule_reload (self);
}

static void
watch_paths (TetherHostStore *self,
             GPtrArray       *paths)
{
  g_autoptr(GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter iter;
  gpointer key;

  for (guint i = 0; i < paths->len; i++) {
    const char *path = g_ptr_array_index (paths, i);
    g_autoptr(GFile) file = NULL;
    g_autoptr(GError) error = NULL;
    GFileMonitor *monitor;

    g_hash_table_add (wanted, (gpointer) path);
    if (g_hash_table_contains (self->monitors, path))
      continue;
    file = g_file_new_for_path (path);
    monitor = g_file_monitor_file (file, G_FILE_MONITOR_NONE, NULL, &error);
    if (monitor == NULL) {
      g_debug ("Cannot follow changes of %s: %s", path, error->message);
      continue;
    }
    g_signal_connect (monitor, "changed", G_CALLBACK (on_file_changed), self);
    g_hash_table_insert (self->monitors, g_strdup (path), monitor);
  }

  g_hash_table_iter_init (&iter, self->monitors);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (wanted, key))
      g_hash_table_iter_remove (&iter);
}

static void
apply_snapshot (TetherHostStore *self,
                Snapshot        *snap)
{
  /* Same text as ours: keep the chunks, which were adopted with care. */
  if (g_strcmp0 (snap->hosts_text, self->hosts_text) != 0 || snap->hosts_error != NULL ||
      self->load_error != NULL) {
    set_str (&self->hosts_text, snap->hosts_text);
    adopt_chunks (self, snap->chunks, NULL);
  }
  set_load_error (self, snap->hosts_error);
  g_ptr_array_unref (self->config_errors);
  self->config_errors = g_ptr_array_ref (snap->config_errors);
  adopt_ro_hosts (self, snap->ro_hosts);
  g_set_object (&self->lookup_config, snap->lookup_config);
  self->includes_hosts = snap->includes_hosts;
  update_items (self);
}

LoadRequest *
make_request (TetherHostStore *self)
{
  LoadRequest *req = g_new0 (LoadRequest, 1);

  /* Until asked to, the store reads only the files given to load_file (). */
  if (self->use_defaults) {
    req->ssh_config_path = g_strdup (self->ssh_config_path);
    req->hosts_path = g_strdup (self->hosts_path);
  }
  g_ptr_array_add (self->extra_paths, NULL);
  req->extra_paths = g_strdupv ((char **) self->extra_paths->pdata);
  g_ptr_array_remove_index (self->extra_paths, self->extra_paths->len - 1);
  req->serial = self->serial;
  return req;
}

static void
reload_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  g_task_return_pointer (task, load_snapshot (task_data), (GDestroyNotify) snapshot_free);
}

static void start_reload (TetherHostStore *self);

static void
reload_done (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  TetherHostStore *self = TETHER_HOST_STORE (object);
  g_autoptr(Snapshot) snap = g_task_propagate_pointer (G_TASK (result), NULL);
  g_autoptr(GPtrArray) pending = NULL;

  self->reloading = FALSE;
  /* The store changed while the thread read: what it read may be stale. */
  if (snap->serial != self->serial || self->reload_again) {
    self->reload_again = FALSE;
    start_reload (self);
    return;
  }

  apply_snapshot (self, snap);
  watch_paths (self, snap->watch_paths);
  if (!self->loaded) {
    self->loaded = TRUE;
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
  }

  pending = g_steal_pointer (&self->pending_loads);
  self->pending_loads = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < pending->len; i++) {
    GTask *task = g_ptr_array_index (pending, i);

    if (!g_task_return_error_if_cancelled (task))
      g_task_return_boolean (task, TRUE);
  }
}

static void
start_reload (TetherHostStore *self)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, reload_done, NULL);

  g_task_set_source_tag (task, start_reload);
  g_task_set_name (task, "[tether] reload hosts");
  g_task_set_task_data (task, make_request (self), (GDestroyNotify) load_request_free);
  self->reloading = TRUE;
  self->reload_again = FALSE;
  g_task_run_in_thread (task, reload_thread);
}

void
schedule_reload (TetherHostStore *self)
{
  if (self->reloading)
    self->reload_again = TRUE;
  else
    start_reload (self);
}

/* ------------------------------------------------------------------------ */
/* GObject and GListModel                                                    */

static GType
tether_host_store_get_item_type (GListModel *model)
{
  return TETHER_TYPE_HOST;
}

static guint
tether_host_store_get_n_items (GListModel *model)
{
  return TETHER_HOST_STORE (model)->items->len;
}

static gpointer
tether_host_store_get_item (GListModel *model,
                            guint       position)
{
  TetherHostStore *self = TETHER_HOST_STORE (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
tether_host_store_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = tether_host_store_get_item_type;
  iface->get_n_items = tether_host_store_get_n_items;
  iface->get_item = tether_host_store_get_item;
}

static void
tether_host_store_dispose (GObject *object)
{
  TetherHostStore *self = TETHER_HOST_STORE (object);

  g_hash_table_remove_all (self->monitors);

  G_OBJECT_CLASS (tether_host_store_parent_class)->dispose (object);
}

static void
tether_host_store_finalize (GObject *object)
{
  TetherHostStore *self = TETHER_HOST_STORE (object);

  g_free (self->ssh_config_path);
  g_free (self->hosts_path);
  g_ptr_array_unref (self->extra_paths);
  g_ptr_array_unref (self->items);
  g_ptr_array_unref (self->chunks);
  g_free (self->hosts_text);
  g_ptr_array_unref (self->ro_hosts);
  g_ptr_array_unref (self->config_errors);
  g_clear_object (&self->lookup_config);
  g_clear_error (&self->load_error);
  g_hash_table_unref (self->monitors);
  g_ptr_array_unref (self->pending_loads);
  g_hash_table_unref (self->removed);
  /* Each queued change holds the store: none can be left. */
  g_assert (g_queue_is_empty (&self->mutations) && self->writing == NULL);

  G_OBJECT_CLASS (tether_host_store_parent_class)->finalize (object);
}

static void
tether_host_store_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  TetherHostStore *self = TETHER_HOST_STORE (object);

  switch (prop_id) {
  case PROP_SSH_CONFIG_PATH: g_value_set_string (value, self->ssh_config_path); break;
  case PROP_HOSTS_PATH: g_value_set_string (value, self->hosts_path); break;
  case PROP_LOAD_ERROR: g_value_set_boxed (value, self->load_error); break;
  case PROP_LOADED: g_value_set_boolean (value, self->loaded); break;
  case PROP_N_ITEMS: g_value_set_uint (value, self->items->len); break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_host_store_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  TetherHostStore *self = TETHER_HOST_STORE (object);

  switch (prop_id) {
  case PROP_SSH_CONFIG_PATH: self->ssh_config_path = g_value_dup_string (value); break;
  case PROP_HOSTS_PATH: self->hosts_path = g_value_dup_string (value); break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_host_store_class_init (TetherHostStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                                G_PARAM_STATIC_STRINGS;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = tether_host_store_dispose;
  object_class->finalize = tether_host_store_finalize;
  object_class->get_property = tether_host_store_get_property;
  object_class->set_property = tether_host_store_set_property;

  /**
   * TetherHostStore:ssh-config-path:
   *
   * The user's ssh_config file, read-only; %NULL for none.
   */
  properties[PROP_SSH_CONFIG_PATH] =
    g_param_spec_string ("ssh-config-path", NULL, NULL, NULL, construct);
  /**
   * TetherHostStore:hosts-path:
   *
   * Tether's own hosts file, where added hosts are saved; %NULL for none.
   */
  properties[PROP_HOSTS_PATH] = g_param_spec_string ("hosts-path", NULL, NULL, NULL, construct);
  /**
   * TetherHostStore:load-error:
   *
   * Why the hosts file cannot be changed (%TETHER_ERROR_CONFIG, the message
   * starting with `file:line:`), or %NULL. While it is set the store never
   * writes the file: add, update and remove fail until the user fixes it.
   */
  properties[PROP_LOAD_ERROR] =
    g_param_spec_boxed ("load-error", NULL, NULL, G_TYPE_ERROR, ro);
  /**
   * TetherHostStore:loaded:
   *
   * Whether load_default_async() has read the files once.
   */
  properties[PROP_LOADED] = g_param_spec_boolean ("loaded", NULL, NULL, FALSE, ro);
  /**
   * TetherHostStore:n-items:
   *
   * The number of hosts.
   */
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tether_host_store_init (TetherHostStore *self)
{
  self->extra_paths = g_ptr_array_new_with_free_func (g_free);
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
  self->chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) chunk_free);
  self->ro_hosts = g_ptr_array_new_with_free_func (g_object_unref);
  self->config_errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  self->monitors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) monitor_free);
  self->pending_loads = g_ptr_array_new_with_free_func (g_object_unref);
  self->removed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) removed_chunk_free);
}

/**
 * tether_host_store_new:
 *
 * Makes an empty store of the user's hosts: `~/.ssh/config` and
 * `$XDG_CONFIG_HOME/tether/hosts.conf`. It reads them when
 * tether_host_store_load_default_async() is called; until then it holds
 * only the files given to tether_host_store_load_file().
 *
 * Returns: (transfer full): a new, empty store
 */
TetherHostStore *
tether_host_store_new (void)
{
  return tether_host_store_new_for_paths (NULL, NULL);
}

/**
 * tether_host_store_new_for_paths:
 * @ssh_config_path: (nullable) (type filename): the user's ssh_config, %NULL
 *   for `~/.ssh/config`
 * @hosts_path: (nullable) (type filename): Tether's hosts file, %NULL for
 *   `$XDG_CONFIG_HOME/tether/hosts.conf`
 *
 * Makes a store of the user's hosts; tests give other paths. Nothing is read
 * until tether_host_store_load_default_async().
 *
 * Returns: (transfer full): a new store
 */
TetherHostStore *
tether_host_store_new_for_paths (const char *ssh_config_path,
                                 const char *hosts_path)
{
  g_autofree char *default_ssh = NULL;
  g_autofree char *default_hosts = NULL;

  if (ssh_config_path == NULL)
    ssh_config_path = default_ssh = g_build_filename (g_get_home_dir (), ".ssh", "config", NULL);
  if (hosts_path == NULL)
    hosts_path = default_hosts = g_build_filename (g_get_user_config_dir (), "tether",
                                                   "hosts.conf", NULL);
  return g_object_new (TETHER_TYPE_HOST_STORE,
                       "ssh-config-path", ssh_config_path,
                       "hosts-path", hosts_path,
                       NULL);
}

/**
 * tether_host_store_get_ssh_config_path:
 * @self: a #TetherHostStore
 *
 * Gets the user's ssh_config file.
 *
 * Returns: (nullable) (type filename): the user's ssh_config file
 */
const char *
tether_host_store_get_ssh_config_path (TetherHostStore *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), NULL);
  return self->ssh_config_path;
}

/**
 * tether_host_store_get_hosts_path:
 * @self: a #TetherHostStore
 *
 * Gets Tether's hosts file.
 *
 * Returns: (nullable) (type filename): Tether's hosts file
 */
const char *
tether_host_store_get_hosts_path (TetherHostStore *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), NULL);
  return self->hosts_path;
}

/**
 * tether_host_store_get_load_error:
 * @self: a #TetherHostStore
 *
 * Gets why the hosts file cannot be changed, if it cannot.
 *
 * Returns: (nullable) (transfer none): why the hosts file cannot be changed
 */
const GError *
tether_host_store_get_load_error (TetherHostStore *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), NULL);
  return self->load_error;
}

/**
 * tether_host_store_get_config_errors:
 * @self: a #TetherHostStore
 *
 * The problems of the ssh_config files (the user's and those given to
 * tether_host_store_load_file ()) found by the last read, each as
 * `file:line: message`: lines that cannot be used and Include lines whose
 * files cannot be read. The hosts around them are listed all the same.
 *
 * Returns: (transfer none) (element-type GLib.Error): the problems, in file order
 */
GPtrArray *
tether_host_store_get_config_errors (TetherHostStore *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), NULL);
  return self->config_errors;
}

/**
 * tether_host_store_get_loaded:
 * @self: a #TetherHostStore
 *
 * Gets whether the default files were read once.
 *
 * Returns: whether the default files were read once
 */
gboolean
tether_host_store_get_loaded (TetherHostStore *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), FALSE);
  return self->loaded;
}

/**
 * tether_host_store_load_file:
 * @self: a #TetherHostStore
 * @file: an ssh_config-syntax file
 * @error: return location for a #GError
 *
 * Adds the hosts @file names in `Host` lines (one concrete name each, no
 * patterns), with its `Include`s followed, as read-only hosts
 * (%TETHER_HOST_SOURCE_SSH_CONFIG). They resolve as `ssh -F file` would,
 * after the files loaded before. This blocks on disk I/O.
 *
 * Returns: %TRUE on success; %FALSE with @error set: %G_IO_ERROR when the
 *   file cannot be read, %TETHER_ERROR_CONFIG (`file:line: message`) when
 *   it is malformed
 */
gboolean
tether_host_store_load_file (TetherHostStore  *self,
                             GFile            *file,
                             GError          **error)
{
  g_autoptr(TetherSshConfig) check = tether_ssh_config_new ();
  g_autoptr(Snapshot) snap = NULL;
  g_autoptr(LoadRequest) req = NULL;
  char *path;

  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!tether_ssh_config_load_file (check, file, error))
    return FALSE;
  path = g_file_get_path (file);
  g_ptr_array_add (self->extra_paths, path);
  self->serial++;

  req = make_request (self);
  snap = load_snapshot (req);
  /* Without default files nothing else is read and nothing can be stale. */
  if (!self->use_defaults)
    apply_snapshot (self, snap);
  else {
    g_set_object (&self->lookup_config, snap->lookup_config);
    g_ptr_array_unref (self->config_errors);
    self->config_errors = g_ptr_array_ref (snap->config_errors);
    adopt_ro_hosts (self, snap->ro_hosts);
    update_items (self);
  }
  return TRUE;
}

/**
 * tether_host_store_load_default_async:
 * @self: a #TetherHostStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the files are read
 * @user_data: data for @callback
 *
 * Reads the user's ssh_config and Tether's hosts file on a worker thread,
 * then follows both for changes. A malformed hosts file does not fail the
 * load: it sets #TetherHostStore:load-error.
 */
void
tether_host_store_load_default_async (TetherHostStore     *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();

  g_return_if_fail (TETHER_IS_HOST_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tether_host_store_load_default_async);
  g_task_set_name (task, "[tether] load hosts");
  g_ptr_array_add (self->pending_loads, g_steal_pointer (&task));
  self->use_defaults = TRUE;
  self->serial++;

  /* Follow before reading, so that no change falls between the two. */
  if (self->ssh_config_path != NULL)
    g_ptr_array_add (paths, self->ssh_config_path);
  if (self->hosts_path != NULL)
    g_ptr_array_add (paths, self->hosts_path);
  if (!self->loaded)
    watch_paths (self, paths);
  schedule_reload (self);
}

/**
 * tether_host_store_load_default_finish:
 * @self: a #TetherHostStore
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes tether_host_store_load_default_async().
 *
 * Returns: %TRUE once the files were read
 */
gboolean
tether_host_store_load_default_finish (TetherHostStore  *self,
                                       GAsyncResult     *result,
                                       GError          **error)
{
  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * tether_host_store_lookup:
 * @self: a #TetherHostStore
 * @name: a host name or alias, as typed after `ssh`
 *
 * Resolves @name as `ssh -G name` would with the store's files (Tether's
 * hosts file as if included at the top of `~/.ssh/config`): defaults
 * filled in, `%` tokens and `~` expanded. A saved host keeps its id, so its
 * keyring secrets are found. Any name resolves, saved or not. It uses the
 * configuration the last read or save parsed on a worker thread, so it does
 * not touch the disk, except for a store that only load_file() filled.
 *
 * Returns: (transfer full) (nullable): a new host, or %NULL when a value of
 *   the configuration cannot be expanded
 */
TetherHost *
tether_host_store_lookup (TetherHostStore *self,
                          const char      *name)
{
  g_autoptr(GError) error = NULL;
  TetherHost *host;

  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), NULL);
  g_return_val_if_fail (name != NULL && *name != '\0', NULL);

  if (self->lookup_config == NULL) {
    self->n_lookup_reads++;
    g_ptr_array_add (self->extra_paths, NULL);
    self->lookup_config = build_lookup_config (self->use_defaults ? self->ssh_config_path : NULL,
                                               self->use_defaults ? self->hosts_path : NULL,
                                               (const char * const *) self->extra_paths->pdata,
                                               self->includes_hosts);
    g_ptr_array_remove_index (self->extra_paths, self->extra_paths->len - 1);
  }

  host = resolve_host (self->lookup_config, name, &error);
  if (host == NULL) {
    g_debug ("Cannot resolve %s: %s", name, error->message);
    return NULL;
  }
  for (guint i = 0; i < self->items->len; i++) {
    TetherHost *item = g_ptr_array_index (self->items, i);

    if (g_strcmp0 (tether_host_get_alias (item), name) == 0) {
      tether_host_set_id (host, tether_host_get_id (item));
      tether_host_set_source (host, tether_host_get_source (item));
      break;
    }
  }
  return host;
}

/* Test hook: how often lookup () had to read the files on the caller's thread. */
guint
_tether_host_store_get_n_lookup_reads (TetherHostStore *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), 0);
  return self->n_lookup_reads;
}

/**
 * tether_host_store_find_by_id:
 * @self: a #TetherHostStore
 * @id: a host id
 *
 * Finds the host of the store with the stable identifier @id.
 *
 * Returns: (transfer none) (nullable): the host of the store with that id
 */
TetherHost *
tether_host_store_find_by_id (TetherHostStore *self,
                              const char      *id)
{
  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  for (guint i = 0; i < self->items->len; i++) {
    TetherHost *item = g_ptr_array_index (self->items, i);

    if (g_strcmp0 (tether_host_get_id (item), id) == 0)
      return item;
  }
  return NULL;
}
