/* tether-sftp-client-tree.c: the SFTP client's operations of several requests: rename
 * (with overwrite where the server has no posix-rename) and recursive removal. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "tether-error.h"
#include "tether-sftp-client-private.h"

#define EXT_POSIX_RENAME "posix-rename@openssh.com"
/* How many random characters name the file set aside during an overwriting rename. */
#define ASIDE_SUFFIX_LEN 8

/* rename -------------------------------------------------------------------*/

typedef enum {
  RENAME_DIRECT,        /* the one request that decides */
  RENAME_ASIDE,         /* target -> aside */
  RENAME_MAIN,          /* from -> to, with the old target aside */
  RENAME_DROP_ASIDE,    /* remove aside */
  RENAME_RESTORE,       /* aside -> target, after the main rename failed */
} RenameStep;

typedef struct
{
  char *from;
  char *to;
  char *aside;
  gboolean overwrite;
  gboolean posix;
  RenameStep step;
  GError *error;        /* the main rename's failure, returned after restoring */
} RenameData;

static void
rename_data_free (RenameData *data)
{
  g_free (data->from);
  g_free (data->to);
  g_free (data->aside);
  g_clear_error (&data->error);
  g_free (data);
}

static void rename_send (TetherSftpClient *self, GTask *task, guint8 type, const char *a,
                         const char *b, gboolean extended);

static GError *
reply_error (const TetherSftpReply *reply,
             const GError          *error)
{
  if (error != NULL)
    return g_error_copy (error);
  if (reply->type != TETHER_SFTP_STATUS)
    return g_error_new (TETHER_ERROR, TETHER_ERROR_PROTOCOL,
                        _("The SFTP server sent an unexpected reply (type %u)."), reply->type);
  if (reply->status != TETHER_SFTP_FX_OK)
    return _tether_sftp_status_to_error (reply->status, &reply->message);
  return NULL;
}

static void
rename_reply_cb (TetherSftpClient      *self,
                 const TetherSftpReply *reply,
                 const GError          *client_error,
                 gpointer               user_data)
{
  g_autoptr(GTask) task = user_data;
  RenameData *data = g_task_get_task_data (task);
  GError *error = reply_error (reply, client_error);

  switch (data->step) {
  case RENAME_DIRECT:
    /* Without posix-rename, RENAME fails when the target exists: set the target aside,
     * rename, then drop it, so that a failure leaves the target as it was. */
    if (error != NULL && data->overwrite && !data->posix && client_error == NULL &&
        g_error_matches (error, G_IO_ERROR, G_IO_ERROR_FAILED)) {
      g_autofree char *suffix = g_strdup_printf ("%08x", g_random_int ());

      g_clear_error (&error);
      data->aside = g_strconcat (data->to, ".tether-aside-", suffix, NULL);
      data->step = RENAME_ASIDE;
      rename_send (self, g_steal_pointer (&task), TETHER_SFTP_RENAME, data->to, data->aside,
                   FALSE);
      return;
    }
    break;
  case RENAME_ASIDE:
    if (error == NULL) {
      data->step = RENAME_MAIN;
      rename_send (self, g_steal_pointer (&task), TETHER_SFTP_RENAME, data->from, data->to,
                   FALSE);
      return;
    }
    break;
  case RENAME_MAIN:
    if (error == NULL) {
      data->step = RENAME_DROP_ASIDE;
      rename_send (self, g_steal_pointer (&task), TETHER_SFTP_REMOVE, data->aside, NULL,
                   FALSE);
      return;
    }
    if (client_error == NULL) {
      data->error = g_steal_pointer (&error);
      data->step = RENAME_RESTORE;
      rename_send (self, g_steal_pointer (&task), TETHER_SFTP_RENAME, data->aside, data->to,
                   FALSE);
      return;
    }
    break;
  case RENAME_DROP_ASIDE:
    /* The rename is done; a leftover aside file is not worth failing it for. */
    if (error != NULL)
      g_debug ("Could not remove %s: %s", data->aside, error->message);
    g_clear_error (&error);
    break;
  case RENAME_RESTORE:
    if (error != NULL)
      g_warning ("Could not restore %s from %s: %s", data->to, data->aside, error->message);
    g_clear_error (&error);
    error = g_steal_pointer (&data->error);
    break;
  default:
    g_assert_not_reached ();
  }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
rename_send (TetherSftpClient *self,
             GTask            *task,
             guint8            type,
             const char       *a,
             const char       *b,
             gboolean          extended)
{
  guint32 id = _tether_sftp_client_next_id (self);
  GError *error = NULL;
  g_autoptr(GBytes) msg = NULL;

  if (extended)
    msg = _tether_sftp_encode_extended (id, EXT_POSIX_RENAME, a, -1, b, &error);
  else if (b != NULL)
    msg = _tether_sftp_encode_two_paths (type, id, a, b, &error);
  else
    msg = _tether_sftp_encode_path (type, id, a, -1, &error);
  if (msg == NULL) {
    g_task_return_error (task, error);
    g_object_unref (task);
    return;
  }
  _tether_sftp_client_send (self, id, msg, rename_reply_cb, task);
}

void
_tether_sftp_client_rename (TetherSftpClient *self,
                            const char       *from,
                            const char       *to,
                            gboolean          overwrite,
                            GTask            *task)
{
  RenameData *data = g_new0 (RenameData, 1);
  gboolean posix = overwrite && tether_sftp_client_has_extension (self, EXT_POSIX_RENAME);

  data->from = g_strdup (from);
  data->to = g_strdup (to);
  data->overwrite = overwrite;
  data->posix = posix;
  data->step = RENAME_DIRECT;
  g_task_set_task_data (task, data, (GDestroyNotify) rename_data_free);
  rename_send (self, task, TETHER_SFTP_RENAME, from, to, posix);
}

/**
 * tether_sftp_client_rename_async:
 * @self: a #TetherSftpClient
 * @from: the path to rename
 * @to: its new path
 * @overwrite: whether to replace an existing @to
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result; finish with tether_sftp_client_op_finish()
 * @user_data: data for @callback
 *
 * Renames @from to @to. With @overwrite, an existing @to is replaced atomically where the
 * server offers "posix-rename@openssh.com"; elsewhere it is renamed aside first and put
 * back if the rename fails. Without @overwrite an existing @to makes it fail.
 */
void
tether_sftp_client_rename_async (TetherSftpClient    *self,
                                 const char          *from,
                                 const char          *to,
                                 gboolean             overwrite,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TETHER_IS_SFTP_CLIENT (self));
  g_return_if_fail (from != NULL);
  g_return_if_fail (to != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tether_sftp_client_rename_async);
  g_task_set_name (task, "[tether] sftp rename");
  _tether_sftp_client_rename (self, from, to, overwrite, task);
}

/* remove_recursive ---------------------------------------------------------*/

typedef struct
{
  TetherTransfer *progress;
  GQueue to_list;       /* folders still to list (char *) */
  GPtrArray *folders;   /* every folder found, parents first */
  guint n_busy;         /* requests in flight */
  guint64 n_found;
  guint64 n_removed;
  GError *error;
} RemoveData;

static void
remove_data_free (RemoveData *data)
{
  g_clear_object (&data->progress);
  g_queue_clear_full (&data->to_list, g_free);
  g_clear_pointer (&data->folders, g_ptr_array_unref);
  g_clear_error (&data->error);
  g_free (data);
}

static void remove_step (TetherSftpClient *self, GTask *task);

static void
remove_fail (RemoveData *data,
             GError     *error)
{
  if (data->error == NULL)
    data->error = error;
  else
    g_error_free (error);
}

static void
remove_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RemoveData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->n_busy--;
  if (!tether_sftp_client_op_finish (TETHER_SFTP_CLIENT (source), result, &error)) {
    remove_fail (data, error);
  } else {
    data->n_removed++;
    if (data->progress != NULL)
      _tether_transfer_add (data->progress, 1);
  }
  remove_step (TETHER_SFTP_CLIENT (source), task);
}

static void
remove_listed_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  TetherSftpClient *self = TETHER_SFTP_CLIENT (source);
  g_autoptr(GTask) task = user_data;
  RemoveData *data = g_task_get_task_data (task);
  const char *dir = g_object_get_data (G_OBJECT (task), "listing");
  GError *error = NULL;
  g_autoptr(GListModel) list = tether_sftp_client_list_finish (self, result, &error);

  data->n_busy--;
  if (list == NULL) {
    remove_fail (data, error);
    remove_step (self, task);
    return;
  }
  for (guint i = 0; i < g_list_model_get_n_items (list) && data->error == NULL; i++) {
    g_autoptr(GFileInfo) info = g_list_model_get_item (list, i);
    g_autofree char *path = g_build_path ("/", dir, g_file_info_get_name (info), NULL);

    data->n_found++;
    if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY) {
      g_ptr_array_add (data->folders, g_strdup (path));
      g_queue_push_tail (&data->to_list, g_steal_pointer (&path));
    } else {
      data->n_busy++;
      tether_sftp_client_remove_async (self, path, g_task_get_cancellable (task),
                                       remove_done_cb, g_object_ref (task));
    }
  }
  if (data->progress != NULL)
    _tether_transfer_start (data->progress, data->n_removed, data->n_found);
  remove_step (self, task);
}

/* Lists the next folder, or once all are listed and emptied, removes the folders
 * deepest first. */
static void
remove_step (TetherSftpClient *self,
             GTask            *task)
{
  RemoveData *data = g_task_get_task_data (task);

  if (data->n_busy > 0)
    return;
  if (data->error == NULL && g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    data->error = g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The removal was cancelled."));
  if (data->error != NULL) {
    if (data->progress != NULL)
      _tether_transfer_finish (data->progress, data->error);
    g_task_return_error (task, g_steal_pointer (&data->error));
    return;
  }
  if (!g_queue_is_empty (&data->to_list)) {
    char *dir = g_queue_pop_head (&data->to_list);

    g_object_set_data_full (G_OBJECT (task), "listing", dir, g_free);
    data->n_busy++;
    tether_sftp_client_list_async (self, dir, g_task_get_cancellable (task), remove_listed_cb,
                                   g_object_ref (task));
    return;
  }
  if (data->folders->len > 0) {
    g_autofree char *dir = g_ptr_array_steal_index (data->folders, data->folders->len - 1);

    data->n_busy++;
    tether_sftp_client_rmdir_async (self, dir, g_task_get_cancellable (task), remove_done_cb,
                                    g_object_ref (task));
    return;
  }
  if (data->progress != NULL)
    _tether_transfer_finish (data->progress, NULL);
  g_task_return_boolean (task, TRUE);
}

static void
remove_stat_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  TetherSftpClient *self = TETHER_SFTP_CLIENT (source);
  g_autoptr(GTask) task = user_data;
  RemoveData *data = g_task_get_task_data (task);
  const char *path = g_object_get_data (G_OBJECT (task), "path");
  GError *error = NULL;
  g_autoptr(GFileInfo) info = tether_sftp_client_stat_finish (self, result, &error);

  if (info == NULL) {
    if (data->progress != NULL)
      _tether_transfer_finish (data->progress, error);
    g_task_return_error (task, error);
    return;
  }
  data->n_found = 1;
  if (data->progress != NULL)
    _tether_transfer_start (data->progress, 0, 1);
  if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY) {
    g_ptr_array_add (data->folders, g_strdup (path));
    g_queue_push_tail (&data->to_list, g_strdup (path));
    remove_step (self, task);
    return;
  }
  data->n_busy++;
  tether_sftp_client_remove_async (self, path, g_task_get_cancellable (task), remove_done_cb,
                                   g_object_ref (task));
}

/**
 * tether_sftp_client_remove_recursive_async:
 * @self: a #TetherSftpClient
 * @path: a file or folder on the server
 * @progress: (nullable): a #TetherTransfer counting entries (not bytes): found in
 *   #TetherTransfer:bytes-total, removed in #TetherTransfer:bytes-done
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result; finish with tether_sftp_client_op_finish()
 * @user_data: data for @callback
 *
 * Removes @path and, for a folder, everything in it. Symbolic links are removed, not
 * followed. It stops at the first failure, leaving what was not removed yet.
 */
void
tether_sftp_client_remove_recursive_async (TetherSftpClient    *self,
                                           const char          *path,
                                           TetherTransfer      *progress,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  GTask *task;
  RemoveData *data;

  g_return_if_fail (TETHER_IS_SFTP_CLIENT (self));
  g_return_if_fail (path != NULL);
  g_return_if_fail (progress == NULL || TETHER_IS_TRANSFER (progress));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tether_sftp_client_remove_recursive_async);
  g_task_set_name (task, "[tether] sftp remove recursive");
  data = g_new0 (RemoveData, 1);
  data->progress = progress != NULL ? g_object_ref (progress) : NULL;
  data->folders = g_ptr_array_new_with_free_func (g_free);
  g_task_set_task_data (task, data, (GDestroyNotify) remove_data_free);
  g_object_set_data_full (G_OBJECT (task), "path", g_strdup (path), g_free);
  tether_sftp_client_stat_async (self, path, FALSE, cancellable, remove_stat_cb, task);
}
