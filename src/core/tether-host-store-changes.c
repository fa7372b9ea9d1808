/* tether-host-store-changes.c: add, update, remove, restore, duplicate, and the Include line.
 *
 * Changes queue and run one at a time; the file is written on a worker and
 * the model changes on the owner's thread once the file holds the change.
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
#include "tether-host-private.h"
#include "tether-host-store.h"
#include "tether-host-store-private.h"
#include "tether-ssh-config.h"

/* ------------------------------------------------------------------------ */
/* Changes: one at a time, the file written on a worker                      */

typedef enum {
  MUTATION_ADD,
  MUTATION_UPDATE,
  MUTATION_REMOVE,
  MUTATION_RESTORE,
  MUTATION_DUPLICATE,
} MutationKind;

/* One queued change, the task data of its GTask. The store's model changes
 * only on the owner's thread, when the file holds the new text. */
typedef struct {
  MutationKind kind;
  TetherHost *host;
  /* Made on the owner's thread when its turn comes (earlier changes first): */
  char *text;                   /* the new hosts.conf */
  char *expected;               /* what the file must still hold; NULL: absent */
  TetherHost *preferred;        /* the object to show for the saved host */
  char *removed_text;           /* remove: the block, kept for restore () */
  guint removed_index;
  char *result_id;              /* duplicate: the copy's id */
  LoadRequest *request;         /* the files lookups read */
  gboolean includes_hosts;
  /* Made on the worker: */
  GPtrArray *chunks;
  TetherSshConfig *lookup_config;
  gboolean stale;               /* someone else changed the file */
} Mutation;

static void
mutation_free (Mutation *m)
{
  g_clear_object (&m->host);
  g_free (m->text);
  g_free (m->expected);
  g_clear_object (&m->preferred);
  g_free (m->removed_text);
  g_free (m->result_id);
  g_clear_pointer (&m->request, load_request_free);
  g_clear_pointer (&m->chunks, g_ptr_array_unref);
  g_clear_object (&m->lookup_config);
  g_free (m);
}

/* What is written once the earlier changes are: TEXTS joined. */
static void
mutation_set_texts (TetherHostStore *self,
                    Mutation        *m,
                    GPtrArray       *texts,
                    TetherHost      *preferred)
{
  m->text = join_texts (texts);
  m->expected = g_strdup (self->hosts_text);
  g_set_object (&m->preferred, preferred);
  m->request = make_request (self);
  m->includes_hosts = self->includes_hosts;
}

static gboolean
prepare_add (TetherHostStore  *self,
             Mutation         *m,
             GError          **error)
{
  TetherHost *host = m->host;
  g_autoptr(GPtrArray) texts = NULL;
  g_autofree char *block = NULL;

  if (!check_writable (self, error) || !check_host (self, host, NULL, error))
    return FALSE;
  if (tether_host_get_id (host) == NULL || find_chunk (self, tether_host_get_id (host)) >= 0 ||
      tether_host_store_find_by_id (self, tether_host_get_id (host)) != NULL) {
    g_autofree char *id = g_uuid_string_random ();

    tether_host_set_id (host, id);
  }
  tether_host_set_source (host, TETHER_HOST_SOURCE_TETHER);

  texts = chunk_texts (self);
  if (self->hosts_text == NULL || is_blank (self->hosts_text, strlen (self->hosts_text))) {
    g_ptr_array_set_size (texts, 0);
    g_ptr_array_add (texts, g_strdup (HOSTS_FILE_HEADER));
  }
  block = serialize_host (host, NULL);
  g_ptr_array_add (texts, new_chunk_text (texts, texts->len, block));
  mutation_set_texts (self, m, texts, host);
  return TRUE;
}

static gboolean
prepare_update (TetherHostStore  *self,
                Mutation         *m,
                GError          **error)
{
  TetherHost *host = m->host;
  g_autoptr(GPtrArray) texts = NULL;
  Chunk *chunk;
  gint index;

  if (refuse_read_only (host, error))
    return FALSE;
  index = find_chunk (self, tether_host_get_id (host));
  if (index < 0)
    return not_saved (host, error);
  chunk = g_ptr_array_index (self->chunks, index);
  if (!check_writable (self, error) || !check_host (self, host, chunk->host, error))
    return FALSE;
  tether_host_set_source (host, TETHER_HOST_SOURCE_TETHER);

  texts = chunk_texts (self);
  g_free (texts->pdata[index]);
  texts->pdata[index] = _tether_hosts_rewrite_chunk (chunk, host);
  mutation_set_texts (self, m, texts, host);
  return TRUE;
}

static gboolean
prepare_remove (TetherHostStore  *self,
                Mutation         *m,
                GError          **error)
{
  TetherHost *host = m->host;
  g_autoptr(GPtrArray) texts = NULL;
  gint index;

  if (refuse_read_only (host, error))
    return FALSE;
  index = find_chunk (self, tether_host_get_id (host));
  if (index < 0)
    return not_saved (host, error);
  if (!check_writable (self, error))
    return FALSE;

  texts = chunk_texts (self);
  m->removed_text = g_ptr_array_steal_index (texts, index);
  m->removed_index = (guint) index;
  mutation_set_texts (self, m, texts, NULL);
  return TRUE;
}

static gboolean
prepare_restore (TetherHostStore  *self,
                 Mutation         *m,
                 GError          **error)
{
  TetherHost *host = m->host;
  g_autoptr(GPtrArray) texts = NULL;
  RemovedChunk *removed;
  guint index;

  removed = tether_host_get_id (host) ? g_hash_table_lookup (self->removed,
                                                             tether_host_get_id (host)) : NULL;
  if (removed == NULL)
    return prepare_add (self, m, error);
  if (!check_writable (self, error) || !check_host (self, host, NULL, error))
    return FALSE;

  texts = chunk_texts (self);
  index = MIN (removed->index, texts->len);
  g_ptr_array_insert (texts, (gint) index, new_chunk_text (texts, index, removed->text));
  mutation_set_texts (self, m, texts, host);
  return TRUE;
}

static gboolean
prepare_duplicate (TetherHostStore  *self,
                   Mutation         *m,
                   GError          **error)
{
  TetherHost *host = m->host;
  g_autoptr(TetherHost) copy = NULL;
  g_autoptr(GPtrArray) texts = NULL;
  g_autofree char *alias = NULL;
  g_autofree char *label = NULL;
  g_autofree char *block = NULL;
  Chunk *chunk;
  gint index;

  if (refuse_read_only (host, error))
    return FALSE;
  index = find_chunk (self, tether_host_get_id (host));
  if (index < 0)
    return not_saved (host, error);
  if (!check_writable (self, error))
    return FALSE;
  chunk = g_ptr_array_index (self->chunks, index);

  for (guint n = 1; alias == NULL; n++) {
    g_autofree char *candidate = n == 1
      ? g_strdup_printf ("%s-copy", tether_host_get_alias (host))
      : g_strdup_printf ("%s-copy-%u", tether_host_get_alias (host), n);
    gboolean taken = FALSE;

    for (guint i = 0; i < self->chunks->len && !taken; i++) {
      Chunk *other = g_ptr_array_index (self->chunks, i);

      taken = other->host != NULL &&
              strcmp (tether_host_get_alias (other->host), candidate) == 0;
    }
    if (!taken)
      alias = g_steal_pointer (&candidate);
  }

  copy = _tether_host_copy_with_alias (chunk->host, alias);
  m->result_id = g_uuid_string_random ();
  tether_host_set_id (copy, m->result_id);
  /* Translators: the label of a duplicated host; %s is the original's name. */
  label = g_strdup_printf (_("%s (copy)"), tether_host_get_display_name (chunk->host));
  tether_host_set_label (copy, label);

  texts = chunk_texts (self);
  block = serialize_host (copy, chunk->block);
  g_ptr_array_insert (texts, index + 1, new_chunk_text (texts, index + 1, block));
  mutation_set_texts (self, m, texts, copy);
  return TRUE;
}

/* Checks that the file still holds what the store showed, parses the new
 * text back (what cannot be read back is not written), writes it and reads
 * it into chunks and the lookup configuration. */
static void
write_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Mutation *m = task_data;
  const char *path = m->request->hosts_path;
  g_autofree char *shown = display_path (path);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *on_disk = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherSshConfig) config = tether_ssh_config_new ();

  /* Someone else's edit that the monitor has not reported yet must not be
   * overwritten with our older copy. */
  if (!g_file_get_contents (path, &on_disk, NULL, &error) &&
      !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
    m->stale = TRUE;
    g_task_return_new_error (task, TETHER_ERROR, TETHER_ERROR_CONFIG,
                             _("%s cannot be read: %s"), shown, error->message);
    return;
  }
  if (g_strcmp0 (on_disk, m->expected) != 0) {
    m->stale = TRUE;
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_WOULD_MERGE,
                             _("%s was changed by another program; Tether is reading it "
                               "again. Try again in a moment."), shown);
    return;
  }
  g_clear_error (&error);

  if (!tether_ssh_config_parse_data (config, m->text, -1, shown, &error)) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  if (g_mkdir_with_parents (dir, HOSTS_DIR_MODE) != 0) {
    int saved_errno = errno;

    g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                             _("The folder %s cannot be made: %s"), dir,
                             g_strerror (saved_errno));
    return;
  }
  /* A full disk or a crash leaves the old file or the new one, never less. */
  if (!tether_file_write_safely (path, m->text, strlen (m->text), TETHER_FILE_MODE_PRIVATE,
                                 cancellable, &error)) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }

  m->chunks = build_chunks (m->text, config);
  /* Here rather than in the next lookup (on the UI thread). */
  m->lookup_config = build_lookup_config (m->request->ssh_config_path, path,
                                          (const char * const *) m->request->extra_paths,
                                          m->includes_hosts);
  g_task_return_boolean (task, TRUE);
}

static void process_mutations (TetherHostStore *self);

/* Shows what was written, and only that: a failed write changes nothing. */
static void
mutation_written (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  TetherHostStore *self = TETHER_HOST_STORE (object);
  g_autoptr(GTask) task = user_data;
  Mutation *m = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherHost) duplicate = NULL;

  g_assert (self->writing == task);
  self->writing = NULL;
  if (!g_task_propagate_boolean (G_TASK (result), &error)) {
    if (m->stale)
      schedule_reload (self);
    g_task_return_error (task, g_steal_pointer (&error));
    process_mutations (self);
    return;
  }

  self->serial++;
  set_str (&self->hosts_text, m->text);
  adopt_chunks (self, m->chunks, m->preferred);
  g_set_object (&self->lookup_config, m->lookup_config);
  update_items (self);

  switch (m->kind) {
  case MUTATION_REMOVE: {
    RemovedChunk *removed = g_new0 (RemovedChunk, 1);

    removed->text = g_steal_pointer (&m->removed_text);
    removed->index = m->removed_index;
    g_hash_table_replace (self->removed, g_strdup (tether_host_get_id (m->host)), removed);
  }
    break;
  case MUTATION_RESTORE:
    g_hash_table_remove (self->removed, tether_host_get_id (m->host));
    break;
  case MUTATION_DUPLICATE:
    /* The store may hold a host read back from the file instead of the copy. */
    duplicate = g_object_ref (tether_host_store_find_by_id (self, m->result_id));
    break;
  case MUTATION_ADD:
  case MUTATION_UPDATE:
  default:
    break;
  }

  if (m->kind == MUTATION_DUPLICATE)
    g_task_return_pointer (task, g_steal_pointer (&duplicate), g_object_unref);
  else
    g_task_return_boolean (task, TRUE);
  process_mutations (self);
}

/* Starts the next queued change once the one before is written: each is
 * made from what the one before left. */
static void
process_mutations (TetherHostStore *self)
{
  while (self->writing == NULL && !g_queue_is_empty (&self->mutations)) {
    g_autoptr(GTask) task = g_queue_pop_head (&self->mutations);
    Mutation *m = g_task_get_task_data (task);
    g_autoptr(GTask) inner = NULL;
    g_autoptr(GError) error = NULL;
    GCancellable *cancellable;
    gboolean ready = FALSE;

    if (g_task_return_error_if_cancelled (task))
      continue;
    switch (m->kind) {
    case MUTATION_ADD: ready = prepare_add (self, m, &error); break;
    case MUTATION_UPDATE: ready = prepare_update (self, m, &error); break;
    case MUTATION_REMOVE: ready = prepare_remove (self, m, &error); break;
    case MUTATION_RESTORE: ready = prepare_restore (self, m, &error); break;
    case MUTATION_DUPLICATE: ready = prepare_duplicate (self, m, &error); break;
    default: g_assert_not_reached ();
    }
    if (!ready) {
      g_task_return_error (task, g_steal_pointer (&error));
      continue;
    }

    self->writing = task;
    cancellable = g_task_get_cancellable (task);
    inner = g_task_new (self, cancellable, mutation_written, g_steal_pointer (&task));
    g_task_set_source_tag (inner, write_thread);
    g_task_set_name (inner, "[tether] write hosts");
    /* The outer task owns M; the inner one only borrows it. */
    g_task_set_task_data (inner, m, NULL);
    g_task_run_in_thread (inner, write_thread);
  }
}

static void
mutate_async (TetherHostStore     *self,
              MutationKind         kind,
              TetherHost          *host,
              gpointer             source_tag,
              const char          *name,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  GTask *task;
  Mutation *m;

  /* Every public change checks its arguments here, once. */
  g_return_if_fail (TETHER_IS_HOST_STORE (self));
  g_return_if_fail (TETHER_IS_HOST (host));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  m = g_new0 (Mutation, 1);
  m->kind = kind;
  m->host = g_object_ref (host);
  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, name);
  g_task_set_task_data (task, m, (GDestroyNotify) mutation_free);
  g_queue_push_tail (&self->mutations, task);
  process_mutations (self);
}

static gboolean
mutate_finish (TetherHostStore  *self,
               GAsyncResult     *result,
               gpointer          source_tag,
               GError          **error)
{
  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * tether_host_store_add_async:
 * @self: a #TetherHostStore
 * @host: a new host
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the host is saved or not
 * @user_data: data for @callback
 *
 * Saves @host at the end of Tether's hosts file, giving it an id when it has
 * none, and makes it a %TETHER_HOST_SOURCE_TETHER host. The file is written
 * on a worker thread; changes are made one after the other, in the order
 * they were asked for, and the store shows a change once the file holds it.
 */
void
tether_host_store_add_async (TetherHostStore     *self,
                             TetherHost          *host,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  mutate_async (self, MUTATION_ADD, host, tether_host_store_add_async, "[tether] add host",
                cancellable, callback, user_data);
}

/**
 * tether_host_store_add_finish:
 * @self: a #TetherHostStore
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes tether_host_store_add_async().
 *
 * Returns: %TRUE when the host is saved; %FALSE with @error set:
 *   %G_IO_ERROR_EXISTS for a taken alias, %TETHER_ERROR_CONFIG for a value
 *   that cannot be written or while the file is malformed,
 *   %G_IO_ERROR_NO_SPACE, %G_IO_ERROR_READ_ONLY and other %G_IO_ERROR codes
 *   from the disk (the file is then left as it was)
 */
gboolean
tether_host_store_add_finish (TetherHostStore  *self,
                              GAsyncResult     *result,
                              GError          **error)
{
  return mutate_finish (self, result, tether_host_store_add_async, error);
}

/**
 * tether_host_store_update_async:
 * @self: a #TetherHostStore
 * @host: a saved host, or an edited copy of one (same #TetherHost:id)
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the host is saved or not
 * @user_data: data for @callback
 *
 * Saves the values of @host over the saved host with its id. Keywords and
 * metadata of the block that a #TetherHost does not hold are kept. Editing
 * a copy (tether_host_copy()) and updating with it is the way to rename:
 * the alias is set when a host is made.
 */
void
tether_host_store_update_async (TetherHostStore     *self,
                                TetherHost          *host,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  mutate_async (self, MUTATION_UPDATE, host, tether_host_store_update_async,
                "[tether] update host", cancellable, callback, user_data);
}

/**
 * tether_host_store_update_finish:
 * @self: a #TetherHostStore
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes tether_host_store_update_async().
 *
 * Returns: %TRUE when the host is saved; %FALSE with @error set,
 *   %G_IO_ERROR_READ_ONLY for a host of `~/.ssh/config`
 */
gboolean
tether_host_store_update_finish (TetherHostStore  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  return mutate_finish (self, result, tether_host_store_update_async, error);
}

/**
 * tether_host_store_remove_async:
 * @self: a #TetherHostStore
 * @host: a saved host
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the host is removed or not
 * @user_data: data for @callback
 *
 * Removes @host from Tether's hosts file. Keep @host to undo with
 * tether_host_store_restore_async(); when the undo is no longer offered,
 * forget its secrets with tether_secrets_clear_async() and its id.
 */
void
tether_host_store_remove_async (TetherHostStore     *self,
                                TetherHost          *host,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  mutate_async (self, MUTATION_REMOVE, host, tether_host_store_remove_async,
                "[tether] remove host", cancellable, callback, user_data);
}

/**
 * tether_host_store_remove_finish:
 * @self: a #TetherHostStore
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes tether_host_store_remove_async().
 *
 * Returns: %TRUE when the host is removed; %FALSE with @error set,
 *   %G_IO_ERROR_READ_ONLY for a host of `~/.ssh/config`
 */
gboolean
tether_host_store_remove_finish (TetherHostStore  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  return mutate_finish (self, result, tether_host_store_remove_async, error);
}

/**
 * tether_host_store_restore_async:
 * @self: a #TetherHostStore
 * @host: a host removed with tether_host_store_remove_async()
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the host is back or not
 * @user_data: data for @callback
 *
 * Undoes tether_host_store_remove_async(): puts the host's block back where
 * it was, as it was (with its unknown keywords and comments), with the same
 * id.
 */
void
tether_host_store_restore_async (TetherHostStore     *self,
                                 TetherHost          *host,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  mutate_async (self, MUTATION_RESTORE, host, tether_host_store_restore_async,
                "[tether] restore host", cancellable, callback, user_data);
}

/**
 * tether_host_store_restore_finish:
 * @self: a #TetherHostStore
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes tether_host_store_restore_async().
 *
 * Returns: %TRUE when the host is saved again; %FALSE with @error set
 */
gboolean
tether_host_store_restore_finish (TetherHostStore  *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  return mutate_finish (self, result, tether_host_store_restore_async, error);
}

/**
 * tether_host_store_duplicate_async:
 * @self: a #TetherHostStore
 * @host: a saved host of Tether's hosts file
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the copy is saved or not
 * @user_data: data for @callback
 *
 * Saves a copy of @host right after it, with a fresh id, a free alias
 * (`alias-copy`, `alias-copy-2`...) and the label "Label (copy)".
 */
void
tether_host_store_duplicate_async (TetherHostStore     *self,
                                   TetherHost          *host,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  mutate_async (self, MUTATION_DUPLICATE, host, tether_host_store_duplicate_async,
                "[tether] duplicate host", cancellable, callback, user_data);
}

/**
 * tether_host_store_duplicate_finish:
 * @self: a #TetherHostStore
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes tether_host_store_duplicate_async().
 *
 * Returns: (transfer full) (nullable): the new host, or %NULL with @error set
 */
TetherHost *
tether_host_store_duplicate_finish (TetherHostStore  *self,
                                    GAsyncResult     *result,
                                    GError          **error)
{
  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        tether_host_store_duplicate_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* The Include line                                                          */

/**
 * tether_host_store_dup_include_line:
 * @self: a #TetherHostStore
 *
 * Makes the `Include` line that lets `ssh` read Tether's hosts file.
 *
 * Returns: (transfer full) (nullable): the line that makes `ssh` read
 *   Tether's hosts file, such as `Include ~/.config/tether/hosts.conf`
 */
char *
tether_host_store_dup_include_line (TetherHostStore *self)
{
  g_autofree char *shown = NULL;
  GString *line;

  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), NULL);

  if (self->hosts_path == NULL)
    return NULL;
  shown = display_path (self->hosts_path);
  line = g_string_new ("Include ");
  append_word (line, shown);
  return g_string_free (line, FALSE);
}

/**
 * tether_host_store_offer_include_line:
 * @self: a #TetherHostStore
 *
 * Whether to offer adding tether_host_store_dup_include_line() to the
 * user's ssh_config, so that plain `ssh` knows Tether's hosts: it is not
 * there yet (as written or through a glob).
 *
 * Returns: %TRUE when the files were read and the line is missing
 */
gboolean
tether_host_store_offer_include_line (TetherHostStore *self)
{
  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), FALSE);

  return self->loaded && self->ssh_config_path != NULL && self->hosts_path != NULL &&
         !self->includes_hosts;
}

typedef struct {
  char *ssh_config_path;
  char *hosts_path;
  char *line;
  LoadRequest *request;         /* the files lookups read */
  TetherSshConfig *lookup_config;  /* made on the worker */
} IncludeData;

static void
include_data_free (IncludeData *data)
{
  g_free (data->ssh_config_path);
  g_free (data->hosts_path);
  g_free (data->line);
  g_clear_pointer (&data->request, load_request_free);
  g_clear_object (&data->lookup_config);
  g_free (data);
}

static void
add_include_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  IncludeData *data = task_data;
  g_autofree char *dir = g_path_get_dirname (data->ssh_config_path);
  g_autofree char *contents = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(TetherSshConfig) config = tether_ssh_config_new ();

  if (!g_file_get_contents (data->ssh_config_path, &contents, NULL, &error)) {
    if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_file_error (error->code),
                               "%s", error->message);
      return;
    }
    g_clear_error (&error);
    contents = g_strdup ("");
  }

  /* Someone may have added it since the offer: add it once only. */
  tether_ssh_config_set_lenient (config, TRUE);
  tether_ssh_config_parse_data (config, contents, -1, data->ssh_config_path, NULL);
  if (!config_includes (config, data->hosts_path)) {
    if (g_mkdir_with_parents (dir, SSH_DIR_MODE) != 0) {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("The folder %s cannot be made: %s"), dir,
                               g_strerror (saved_errno));
      return;
    }
    /* At the top, so that Tether's hosts come before any `Host *` defaults,
     * as Tether resolves them. Through a symbolic link (dotfiles) the file
     * it names is written and the link kept; a full disk leaves the old
     * file as it was, so that plain ssh keeps working. */
    text = g_strconcat (data->line, "\n", contents, NULL);
    if (!tether_file_write_safely (data->ssh_config_path, text, strlen (text),
                                   TETHER_FILE_MODE_PRIVATE, cancellable, &error)) {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  }
  /* Here rather than in the next lookup (on the UI thread). */
  data->lookup_config = build_lookup_config (data->request->ssh_config_path,
                                             data->request->hosts_path,
                                             (const char * const *) data->request->extra_paths,
                                             TRUE);
  g_task_return_boolean (task, TRUE);
}

static void
add_include_done (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  TetherHostStore *self = TETHER_HOST_STORE (object);
  IncludeData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error)) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  self->includes_hosts = TRUE;
  self->serial++;
  g_set_object (&self->lookup_config, data->lookup_config);
  schedule_reload (self);
  g_task_return_boolean (task, TRUE);
}

/**
 * tether_host_store_add_include_async:
 * @self: a #TetherHostStore
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when done
 * @user_data: data for @callback
 *
 * Puts tether_host_store_dup_include_line() at the top of the user's
 * ssh_config (creating it if needed), atomically. Call it only when the
 * user asked for it: Tether changes that file for nothing else.
 */
void
tether_host_store_add_include_async (TetherHostStore     *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) inner = NULL;
  IncludeData *data;

  g_return_if_fail (TETHER_IS_HOST_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tether_host_store_add_include_async);
  g_task_set_name (task, "[tether] add Include line");
  if (self->ssh_config_path == NULL || self->hosts_path == NULL) {
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                             _("This host list has no ssh_config file to change."));
    return;
  }

  data = g_new0 (IncludeData, 1);
  data->ssh_config_path = g_strdup (self->ssh_config_path);
  data->hosts_path = g_strdup (self->hosts_path);
  data->line = tether_host_store_dup_include_line (self);
  data->request = make_request (self);
  inner = g_task_new (self, cancellable, add_include_done, g_steal_pointer (&task));
  g_task_set_source_tag (inner, add_include_thread);
  g_task_set_task_data (inner, data, (GDestroyNotify) include_data_free);
  g_task_run_in_thread (inner, add_include_thread);
}

/**
 * tether_host_store_add_include_finish:
 * @self: a #TetherHostStore
 * @result: the #GAsyncResult
 * @error: return location for a #GError
 *
 * Finishes tether_host_store_add_include_async().
 *
 * Returns: %TRUE when the user's ssh_config includes Tether's hosts file
 */
gboolean
tether_host_store_add_include_finish (TetherHostStore  *self,
                                      GAsyncResult     *result,
                                      GError          **error)
{
  g_return_val_if_fail (TETHER_IS_HOST_STORE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
