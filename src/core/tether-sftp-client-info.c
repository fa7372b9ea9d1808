/* tether-sftp-client-info.c: what the SFTP client says about files: GFileInfo from SFTP
 * attributes (names that are not UTF-8 shown escaped, their bytes kept), stat and list. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include <string.h>
#include <sys/stat.h>

#include "tether-error.h"
#include "tether-sftp-client-private.h"

/* ------------------------------------------------------------------------- */
/* File information                                                          */

/* Shows bytes that are not UTF-8 as \xNN, so that every name has a readable form. */
static char *
escape_name (const char *raw,
             gsize       len)
{
  GString *out = g_string_sized_new (len);
  const char *p = raw;
  const char *end = raw + len;

  while (p < end) {
    gunichar c = g_utf8_get_char_validated (p, end - p);

    if (c == (gunichar) -1 || c == (gunichar) -2 || c == 0) {
      g_string_append_printf (out, "\\x%02X", (guint8) *p);
      p++;
    } else {
      const char *next = g_utf8_next_char (p);

      g_string_append_len (out, p, next - p);
      p = next;
    }
  }
  return g_string_free (out, FALSE);
}

GFileInfo *
_tether_sftp_file_info_new (const TetherSftpSpan  *name,
                            const TetherSftpAttrs *attrs)
{
  g_autoptr(GFileInfo) info = g_file_info_new ();
  g_autofree char *raw = g_strndup ((const char *) name->data, name->len);
  g_autofree char *display = escape_name (raw, strlen (raw));

  g_file_info_set_name (info, raw);
  g_file_info_set_attribute_byte_string (info, TETHER_SFTP_ATTRIBUTE_RAW_NAME, raw);
  g_file_info_set_display_name (info, display);
  g_file_info_set_edit_name (info, display);
  g_file_info_set_is_hidden (info, raw[0] == '.');

  if (attrs->flags & TETHER_SFTP_ATTR_PERMISSIONS) {
    guint32 mode = attrs->permissions;
    GFileType type;

    switch (mode & S_IFMT) {
    case S_IFREG:
      type = G_FILE_TYPE_REGULAR;
      break;
    case S_IFDIR:
      type = G_FILE_TYPE_DIRECTORY;
      break;
    case S_IFLNK:
      type = G_FILE_TYPE_SYMBOLIC_LINK;
      break;
    case 0:
      type = G_FILE_TYPE_UNKNOWN;
      break;
    default:
      type = G_FILE_TYPE_SPECIAL;
      break;
    }
    g_file_info_set_file_type (info, type);
    g_file_info_set_is_symlink (info, type == G_FILE_TYPE_SYMBOLIC_LINK);
    g_file_info_set_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_MODE, mode);
  }
  if (attrs->flags & TETHER_SFTP_ATTR_SIZE)
    g_file_info_set_size (info, (goffset) attrs->size);
  if (attrs->flags & TETHER_SFTP_ATTR_UIDGID) {
    g_file_info_set_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_UID, attrs->uid);
    g_file_info_set_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_GID, attrs->gid);
  }
  if (attrs->flags & TETHER_SFTP_ATTR_ACMODTIME) {
    g_file_info_set_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED, attrs->mtime);
    g_file_info_set_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_ACCESS, attrs->atime);
  }
  return g_steal_pointer (&info);
}

/* ------------------------------------------------------------------------- */
/* Operations                                                                */

/* stat ---------------------------------------------------------------------*/

static void
stat_readlink_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GFileInfo *info = g_task_get_task_data (task);
  g_autofree char *target = tether_sftp_client_path_finish (TETHER_SFTP_CLIENT (source),
                                                            result, NULL);

  if (target != NULL)
    g_file_info_set_symlink_target (info, target);
  g_task_return_pointer (task, g_object_ref (info), g_object_unref);
}

static void
stat_reply_cb (TetherSftpClient      *self,
               const TetherSftpReply *reply,
               const GError          *error,
               gpointer               data)
{
  g_autoptr(GTask) task = data;
  const char *path = g_object_get_data (G_OBJECT (task), "path");
  g_autofree char *base = NULL;
  TetherSftpSpan name;
  GFileInfo *info;

  if (_tether_sftp_return_if_failed (task, reply, error, TETHER_SFTP_ATTRS))
    return;
  base = g_path_get_basename (path);
  name.data = (const guint8 *) base;
  name.len = strlen (base);
  info = _tether_sftp_file_info_new (&name, &reply->attrs);
  g_task_set_task_data (task, info, g_object_unref);
  if (g_file_info_get_is_symlink (info)) {
    tether_sftp_client_readlink_async (self, path, NULL, stat_readlink_cb,
                                       g_steal_pointer (&task));
    return;
  }
  g_task_return_pointer (task, g_object_ref (info), g_object_unref);
}

/**
 * tether_sftp_client_stat_async:
 * @self: a #TetherSftpClient
 * @path: a path on the server (bytes, as the server spells it)
 * @follow_links: %TRUE to describe what a symbolic link points to, %FALSE for the link
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: data for @callback
 *
 * Describes @path as a #GFileInfo with the standard attributes (name, display name, type,
 * size), unix::mode, unix::uid/gid, time::modified and, for a link, its target.
 */
void
tether_sftp_client_stat_async (TetherSftpClient    *self,
                               const char          *path,
                               gboolean             follow_links,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (TETHER_IS_SFTP_CLIENT (self));
  g_return_if_fail (path != NULL);

  task = _tether_sftp_op_task_new (self, tether_sftp_client_stat_async, "[tether] sftp stat",
                      cancellable, callback, user_data);
  g_object_set_data_full (G_OBJECT (task), "path", g_strdup (path), g_free);
  _tether_sftp_path_op (self, follow_links ? TETHER_SFTP_STAT : TETHER_SFTP_LSTAT, path, task,
           stat_reply_cb);
}

/**
 * tether_sftp_client_stat_finish:
 * @self: a #TetherSftpClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): the file's information, or %NULL with @error set
 */
GFileInfo *
tether_sftp_client_stat_finish (TetherSftpClient  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* list ---------------------------------------------------------------------*/

typedef struct
{
  char *path;
  GBytes *handle;
  GListStore *store;
  guint n_readlinks;
  gboolean listed;
  gboolean returned;
  GError *error;
} ListData;

static void
list_data_free (ListData *data)
{
  g_free (data->path);
  g_clear_pointer (&data->handle, g_bytes_unref);
  g_clear_object (&data->store);
  g_clear_error (&data->error);
  g_free (data);
}

static char *
child_path (const char *dir,
            const char *name)
{
  if (g_str_has_suffix (dir, "/"))
    return g_strconcat (dir, name, NULL);
  return g_strconcat (dir, "/", name, NULL);
}

static void
list_maybe_done (GTask *task)
{
  ListData *data = g_task_get_task_data (task);

  if (!data->listed || data->n_readlinks > 0 || data->returned)
    return;
  data->returned = TRUE;
  if (data->error != NULL)
    g_task_return_error (task, g_steal_pointer (&data->error));
  else
    g_task_return_pointer (task, g_object_ref (data->store), g_object_unref);
}

static void
list_close_cb (TetherSftpClient      *self,
               const TetherSftpReply *reply,
               const GError          *error,
               gpointer               user_data)
{
  g_autoptr(GTask) task = user_data;
  ListData *data = g_task_get_task_data (task);

  data->listed = TRUE;
  list_maybe_done (task);
}

static void
list_close (TetherSftpClient *self,
            GTask            *task)
{
  ListData *data = g_task_get_task_data (task);
  guint32 id = _tether_sftp_client_next_id (self);
  TetherSftpSpan handle = { g_bytes_get_data (data->handle, NULL),
                            g_bytes_get_size (data->handle) };
  g_autoptr(GBytes) msg = _tether_sftp_encode_handle (TETHER_SFTP_CLOSE, id, &handle, NULL);

  _tether_sftp_client_send (self, id, msg, list_close_cb, task);
}

typedef struct
{
  GTask *task;
  GFileInfo *info;
} LinkData;

static void
list_readlink_cb (TetherSftpClient      *self,
                  const TetherSftpReply *reply,
                  const GError          *error,
                  gpointer               user_data)
{
  LinkData *link = user_data;
  g_autoptr(GTask) task = link->task;
  ListData *data = g_task_get_task_data (task);

  if (error == NULL && reply->type == TETHER_SFTP_NAME && reply->names->len == 1) {
    const TetherSftpName *n = &g_array_index (reply->names, TetherSftpName, 0);
    g_autofree char *target = g_strndup ((const char *) n->filename.data, n->filename.len);

    g_file_info_set_symlink_target (link->info, target);
  }
  g_object_unref (link->info);
  g_free (link);
  data->n_readlinks--;
  list_maybe_done (task);
}

static void list_readdir (TetherSftpClient *self, GTask *task);

static void
list_readdir_cb (TetherSftpClient      *self,
                 const TetherSftpReply *reply,
                 const GError          *error,
                 gpointer               user_data)
{
  g_autoptr(GTask) task = user_data;
  ListData *data = g_task_get_task_data (task);

  if (error != NULL) {
    data->returned = TRUE;
    g_task_return_error (task, g_error_copy (error));
    return;
  }
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task))) {
    data->error = g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The listing was cancelled."));
    list_close (self, g_steal_pointer (&task));
    return;
  }
  if (reply->type == TETHER_SFTP_STATUS) {
    if (reply->status != TETHER_SFTP_FX_EOF)
      data->error = _tether_sftp_status_to_error (reply->status, &reply->message);
    list_close (self, g_steal_pointer (&task));
    return;
  }
  if (reply->type != TETHER_SFTP_NAME) {
    data->error = g_error_new (TETHER_ERROR, TETHER_ERROR_PROTOCOL,
                               _("The SFTP server sent an unexpected reply (type %u)."),
                               reply->type);
    list_close (self, g_steal_pointer (&task));
    return;
  }
  for (guint i = 0; i < reply->names->len; i++) {
    const TetherSftpName *n = &g_array_index (reply->names, TetherSftpName, i);
    g_autoptr(GFileInfo) info = NULL;

    if ((n->filename.len == 1 && n->filename.data[0] == '.') ||
        (n->filename.len == 2 && memcmp (n->filename.data, "..", 2) == 0))
      continue;
    info = _tether_sftp_file_info_new (&n->filename, &n->attrs);
    g_list_store_append (data->store, info);
    if (g_file_info_get_is_symlink (info)) {
      g_autofree char *path = child_path (data->path, g_file_info_get_name (info));
      guint32 id = _tether_sftp_client_next_id (self);
      g_autoptr(GBytes) msg = _tether_sftp_encode_path (TETHER_SFTP_READLINK, id, path, -1,
                                                        NULL);
      LinkData *link;

      /* A path too long to send keeps its entry without a target. */
      if (msg == NULL)
        continue;
      link = g_new0 (LinkData, 1);
      link->task = g_object_ref (task);
      link->info = g_object_ref (info);
      data->n_readlinks++;
      _tether_sftp_client_send (self, id, msg, list_readlink_cb, link);
    }
  }
  list_readdir (self, g_steal_pointer (&task));
}

static void
list_readdir (TetherSftpClient *self,
              GTask            *task)
{
  ListData *data = g_task_get_task_data (task);
  guint32 id = _tether_sftp_client_next_id (self);
  TetherSftpSpan handle = { g_bytes_get_data (data->handle, NULL),
                            g_bytes_get_size (data->handle) };
  g_autoptr(GBytes) msg = _tether_sftp_encode_handle (TETHER_SFTP_READDIR, id, &handle, NULL);

  _tether_sftp_client_send (self, id, msg, list_readdir_cb, task);
}

static void
list_opendir_cb (TetherSftpClient      *self,
                 const TetherSftpReply *reply,
                 const GError          *error,
                 gpointer               user_data)
{
  g_autoptr(GTask) task = user_data;
  ListData *data = g_task_get_task_data (task);

  if (_tether_sftp_return_if_failed (task, reply, error, TETHER_SFTP_HANDLE))
    return;
  data->handle = g_bytes_new (reply->handle.data, reply->handle.len);
  list_readdir (self, g_steal_pointer (&task));
}

/**
 * tether_sftp_client_list_async:
 * @self: a #TetherSftpClient
 * @path: a folder on the server
 * @cancellable: (nullable): a #GCancellable
 * @callback: called with the result
 * @user_data: data for @callback
 *
 * Lists the folder @path (without "." and ".."), in the server's order. Each entry is a
 * #GFileInfo as from tether_sftp_client_stat_async() without following links, with
 * %TETHER_SFTP_ATTRIBUTE_RAW_NAME holding the name's bytes.
 */
void
tether_sftp_client_list_async (TetherSftpClient    *self,
                               const char          *path,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  GTask *task;
  ListData *data;

  g_return_if_fail (TETHER_IS_SFTP_CLIENT (self));
  g_return_if_fail (path != NULL);

  task = _tether_sftp_op_task_new (self, tether_sftp_client_list_async, "[tether] sftp list",
                      cancellable, callback, user_data);
  data = g_new0 (ListData, 1);
  data->path = g_strdup (path);
  data->store = g_list_store_new (G_TYPE_FILE_INFO);
  g_task_set_task_data (task, data, (GDestroyNotify) list_data_free);
  _tether_sftp_path_op (self, TETHER_SFTP_OPENDIR, path, task, list_opendir_cb);
}

/**
 * tether_sftp_client_list_finish:
 * @self: a #TetherSftpClient
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: (transfer full): a #GListModel of #GFileInfo, or %NULL with @error set
 */
GListModel *
tether_sftp_client_list_finish (TetherSftpClient  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

