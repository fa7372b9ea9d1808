/* tether-remote-edit.c: edit a file of the server in place, through a private local copy.
 *
 * The server's file is copied into a folder of its own under the user's cache (0700, so
 * that other local users cannot read it), and the copy is watched. Editors save by writing
 * the file or by writing another one and renaming it over the copy; either way the monitor
 * reports a burst of events, which are let settle before the copy is looked at. A save is
 * recognised by the copy's size, mtime or inode differing from what was last synchronised,
 * so that our own downloads (and events that change nothing) upload nothing.
 *
 * Before each upload the server's file is stat'ed: when its size or mtime is no longer what
 * was copied or last uploaded, somebody else changed it, and nothing is uploaded until the
 * user says which version wins. Uploads are the client's (temporary name, then a rename over
 * the file), so a failure leaves the server's file as it was.
 *
 * An edit that ends removes its folder; one of a process that crashed or was killed cannot.
 * The first edit of each process removes, in a thread, such folders that nothing in has
 * changed for a week. A live edit holds a shared flock on its folder, which the removal
 * asks for exclusively without waiting: the folder of an edit that another running Tether
 * still has open (an editor left open for a week) stays, and a dead process's lock is
 * gone with it. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tether-enums.h"
#include "tether-file-util.h"
#include "tether-remote-edit.h"

/* The events of one save come within milliseconds of each other. */
#define SETTLE_MS 100
/* A CHANGED without CHANGES_DONE_HINT: a writer that holds the file open may write more. */
#define WRITING_SETTLE_MS 1500
/* What the transfers add to a name for their temporary file. */
#define PART_SUFFIX ".part"
/* Under g_get_user_cache_dir (); one folder per edit below it. */
#define CACHE_SUBDIR "tether", "edit"
#define PRIVATE_DIR_MODE 0700
/* A copy that nobody changed for this long has no save waiting that could still be lost:
 * whatever was saved in it was uploaded, or given up with its edit, long ago. */
#define STALE_COPY_AGE_SECONDS (7 * 24 * 60 * 60)

/* What a save changes in the local copy. */
typedef struct
{
  gboolean exists;
  guint64 size;
  gint64 mtime_ns;
  guint64 inode;
} LocalStamp;

/* What another writer changes in the server's file (SFTP v3 has whole-second mtimes). */
typedef struct
{
  gboolean known;
  gboolean has_size;
  guint64 size;
  gboolean has_mtime;
  guint64 mtime;
  gboolean has_mode;
  guint32 mode;
} RemoteStamp;

struct _TetherRemoteEdit
{
  GObject parent_instance;

  TetherSftpClient *client;
  char *remote_path;             /* as given */
  char *target;                  /* the server's real path: what is copied and replaced */
  char *dir;                     /* the private folder */
  int dir_lock;                  /* an fd of it with a shared flock while the edit lives */
  GFile *local;
  TetherRemoteEditState state;
  GError *error;
  guint n_uploads;

  GMainContext *context;
  GCancellable *cancellable;     /* everything in flight; stop () cancels it */
  GTask *start_task;
  gulong start_cancel_id;
  gboolean started;

  RemoteStamp remote;            /* the server's file as last copied or uploaded */
  RemoteStamp pending_remote;    /* ... as stat'ed before a copy that is not done yet */
  LocalStamp synced;             /* the copy as last downloaded or uploaded */
  LocalStamp uploading;          /* the copy as it was when the upload began */

  GFileMonitor *monitor;
  GSource *settle;
  gboolean recheck;              /* the copy changed while busy: look again when done */
};

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_REMOTE_PATH,
  PROP_LOCAL_FILE,
  PROP_STATE,
  PROP_ERROR,
  PROP_N_UPLOADS,
  N_PROPS
};

enum {
  SIGNAL_CONFLICT,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (TetherRemoteEdit, tether_remote_edit, G_TYPE_OBJECT)

static void check_copy (TetherRemoteEdit *self);
static void copy_from_server (TetherRemoteEdit *self);
static void upload (TetherRemoteEdit *self);

/* ------------------------------------------------------------------------- */
/* Stamps                                                                    */

static LocalStamp
local_stamp_read (TetherRemoteEdit *self)
{
  LocalStamp stamp = { FALSE, 0, 0, 0 };
  g_autofree char *path = g_file_get_path (self->local);
  struct stat st;

  /* A stat of a file in the user's cache folder: no waiting on the network. */
  if (stat (path, &st) != 0 || !S_ISREG (st.st_mode))
    return stamp;
  stamp.exists = TRUE;
  stamp.size = st.st_size;
  stamp.mtime_ns = (gint64) st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) +
                   st.st_mtim.tv_nsec;
  stamp.inode = st.st_ino;
  return stamp;
}

static gboolean
local_stamp_equal (const LocalStamp *a,
                   const LocalStamp *b)
{
  return a->exists == b->exists && a->size == b->size && a->mtime_ns == b->mtime_ns &&
         a->inode == b->inode;
}

static RemoteStamp
remote_stamp_from_info (GFileInfo *info)
{
  RemoteStamp stamp = { TRUE, FALSE, 0, FALSE, 0, FALSE, 0 };

  stamp.has_size = g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_STANDARD_SIZE);
  if (stamp.has_size)
    stamp.size = g_file_info_get_size (info);
  stamp.has_mtime = g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_TIME_MODIFIED);
  if (stamp.has_mtime)
    stamp.mtime = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED);
  stamp.has_mode = g_file_info_has_attribute (info, G_FILE_ATTRIBUTE_UNIX_MODE);
  if (stamp.has_mode)
    stamp.mode = g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_UNIX_MODE) & 07777;
  return stamp;
}

/* Whether the server's file is still the one we copied or uploaded last. */
static gboolean
remote_stamp_unchanged (const RemoteStamp *was,
                        const RemoteStamp *now)
{
  return was->known && now->known &&
         was->has_size == now->has_size && was->size == now->size &&
         was->has_mtime == now->has_mtime && was->mtime == now->mtime;
}

/* ------------------------------------------------------------------------- */
/* State                                                                     */

static void
set_state (TetherRemoteEdit      *self,
           TetherRemoteEditState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
set_error (TetherRemoteEdit *self,
           const GError     *error)
{
  if (self->error == NULL && error == NULL)
    return;
  g_clear_error (&self->error);
  if (error != NULL)
    self->error = g_error_copy (error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static gboolean
is_stopped (TetherRemoteEdit *self)
{
  return g_cancellable_is_cancelled (self->cancellable) ||
         self->state == TETHER_REMOTE_EDIT_STATE_STOPPED;
}

static void
unlock_private_dir (TetherRemoteEdit *self)
{
  if (self->dir_lock >= 0)
    close (self->dir_lock);
  self->dir_lock = -1;
}

/* The private folder and everything an editor left in it. */
static void
remove_private_dir (TetherRemoteEdit *self)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (self->dir == NULL)
    return;
  dir = g_dir_open (self->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *path = g_build_filename (self->dir, name, NULL);

    g_unlink (path);
  }
  g_rmdir (self->dir);
  unlock_private_dir (self);
}

static void
disconnect_start_cancellable (TetherRemoteEdit *self)
{
  if (self->start_cancel_id != 0 && self->start_task != NULL)
    g_cancellable_disconnect (g_task_get_cancellable (self->start_task),
                              self->start_cancel_id);
  self->start_cancel_id = 0;
}

/* A copy from the server (the first one or a conflict's KEEP_THEIRS) or an upload failed. */
static void
fail (TetherRemoteEdit *self,
      const GError     *error)
{
  if (self->start_task != NULL) {
    g_autoptr(GTask) task = g_steal_pointer (&self->start_task);

    /* Without a first copy there is nothing to edit: the edit is over. */
    if (self->monitor == NULL)
      remove_private_dir (self);
    if (self->state != TETHER_REMOTE_EDIT_STATE_STOPPED) {
      set_error (self, error);
      set_state (self, TETHER_REMOTE_EDIT_STATE_FAILED);
    }
    disconnect_start_cancellable (self);
    g_task_return_error (task, g_error_copy (error));
    return;
  }
  if (is_stopped (self))
    return;
  set_error (self, error);
  set_state (self, TETHER_REMOTE_EDIT_STATE_FAILED);
}

/* ------------------------------------------------------------------------- */
/* Watching the copy                                                         */

static gboolean
on_settled (gpointer user_data)
{
  TetherRemoteEdit *self = user_data;

  g_clear_pointer (&self->settle, g_source_unref);
  check_copy (self);
  return G_SOURCE_REMOVE;
}

static void
on_copy_changed (GFileMonitor      *monitor,
                 GFile             *file,
                 GFile             *other,
                 GFileMonitorEvent  event,
                 TetherRemoteEdit  *self)
{
  guint delay = event == G_FILE_MONITOR_EVENT_CHANGED ? WRITING_SETTLE_MS : SETTLE_MS;

  if (event == G_FILE_MONITOR_EVENT_ATTRIBUTE_CHANGED)
    return;
  if (self->settle != NULL) {
    g_source_destroy (self->settle);
    g_clear_pointer (&self->settle, g_source_unref);
  }
  self->settle = g_timeout_source_new (delay);
  g_source_set_static_name (self->settle, "[tether] remote edit settle");
  g_source_set_callback (self->settle, on_settled, self, NULL);
  g_source_attach (self->settle, self->context);
}

static gboolean
watch_copy (TetherRemoteEdit  *self,
            GError           **error)
{
  if (self->monitor != NULL)
    return TRUE;
  self->monitor = g_file_monitor_file (self->local, G_FILE_MONITOR_WATCH_MOVES, NULL, error);
  if (self->monitor == NULL)
    return FALSE;
  g_signal_connect (self->monitor, "changed", G_CALLBACK (on_copy_changed), self);
  return TRUE;
}

/* ------------------------------------------------------------------------- */
/* Copying the server's file                                                 */

static void
on_downloaded (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TetherRemoteEdit) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_file_get_path (self->local);

  if (!tether_sftp_client_download_finish (TETHER_SFTP_CLIENT (source), result, &error)) {
    fail (self, error);
    return;
  }
  if (is_stopped (self)) {
    g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The edit was stopped."));
    fail (self, error);
    return;
  }
  /* The copy's mode is what the uploads give the server's file; keep the user's access. */
  if (self->pending_remote.has_mode)
    g_chmod (path, (self->pending_remote.mode & 0777) | S_IRUSR | S_IWUSR);
  if (!watch_copy (self, &error)) {
    fail (self, error);
    return;
  }
  self->remote = self->pending_remote;
  self->synced = local_stamp_read (self);
  set_error (self, NULL);
  set_state (self, TETHER_REMOTE_EDIT_STATE_WATCHING);
  if (self->start_task != NULL) {
    g_autoptr(GTask) task = g_steal_pointer (&self->start_task);

    disconnect_start_cancellable (self);
    g_task_return_boolean (task, TRUE);
  }
  if (self->recheck)
    check_copy (self);
}

static void
on_copy_stat (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(TetherRemoteEdit) self = user_data;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *part = NULL;

  info = tether_sftp_client_stat_finish (TETHER_SFTP_CLIENT (source), result, &error);
  if (info == NULL) {
    g_prefix_error (&error, _("“%s”: "), self->remote_path);
    fail (self, error);
    return;
  }
  if (g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY) {
    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY, _("“%s” is a folder."),
                 self->remote_path);
    fail (self, error);
    return;
  }
  /* Kept aside until the copy is complete: a failed copy must not make the server's newer
   * file look like the one the user edited. */
  self->pending_remote = remote_stamp_from_info (info);
  /* A leftover partial download would be resumed; it is of an older file. */
  part = g_strconcat (g_file_peek_path (self->local), PART_SUFFIX, NULL);
  g_unlink (part);
  tether_sftp_client_download_async (self->client, self->target, self->local, NULL,
                                     self->cancellable, on_downloaded, g_object_ref (self));
}

static void
copy_from_server (TetherRemoteEdit *self)
{
  set_state (self, TETHER_REMOTE_EDIT_STATE_DOWNLOADING);
  tether_sftp_client_stat_async (self->client, self->target, TRUE, self->cancellable,
                                 on_copy_stat, g_object_ref (self));
}

static void
on_realpath (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TetherRemoteEdit) self = user_data;
  g_autoptr(GError) error = NULL;
  char *target;

  target = tether_sftp_client_path_finish (TETHER_SFTP_CLIENT (source), result, &error);
  if (target == NULL) {
    /* Translators: a file on the server, then why it cannot be edited */
    g_prefix_error (&error, _("“%s”: "), self->remote_path);
    fail (self, error);
    return;
  }
  /* Replacing a link by the edited file would break the link: edit what it points to. */
  g_free (self->target);
  self->target = target;
  copy_from_server (self);
}

/* ------------------------------------------------------------------------- */
/* Uploading a save                                                          */

static void
upload_done (TetherRemoteEdit *self)
{
  self->synced = self->uploading;
  self->n_uploads++;
  set_error (self, NULL);
  set_state (self, TETHER_REMOTE_EDIT_STATE_WATCHING);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_UPLOADS]);
  /* A save that came during the upload is uploaded now. */
  check_copy (self);
}

static void
on_mode_restored (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TetherRemoteEdit) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!tether_sftp_client_op_finish (TETHER_SFTP_CLIENT (source), result, &error)) {
    fail (self, error);
    return;
  }
  if (!is_stopped (self))
    upload_done (self);
}

static void
on_uploaded_stat (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(TetherRemoteEdit) self = user_data;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  RemoteStamp now;

  info = tether_sftp_client_stat_finish (TETHER_SFTP_CLIENT (source), result, &error);
  if (info == NULL) {
    fail (self, error);
    return;
  }
  if (is_stopped (self))
    return;
  now = remote_stamp_from_info (info);
  /* Not what was uploaded: somebody wrote it between our rename and this stat (or the copy
   * changed during the upload). Unsure, the next save asks rather than overwrites. */
  if (now.has_size && now.size != self->uploading.size)
    now.known = FALSE;
  /* The upload gives the file the copy's mode: give it back the server's file's own. */
  if (self->remote.has_mode && now.has_mode && now.mode != self->remote.mode) {
    guint32 mode = self->remote.mode;

    self->remote = now;
    self->remote.mode = mode;
    tether_sftp_client_chmod_async (self->client, self->target, mode, self->cancellable,
                                    on_mode_restored, g_object_ref (self));
    return;
  }
  if (!now.has_mode) {
    now.has_mode = self->remote.has_mode;
    now.mode = self->remote.mode;
  }
  self->remote = now;
  upload_done (self);
}

static void
on_uploaded (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(TetherRemoteEdit) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!tether_sftp_client_upload_finish (TETHER_SFTP_CLIENT (source), result, &error)) {
    fail (self, error);
    return;
  }
  if (is_stopped (self))
    return;
  tether_sftp_client_stat_async (self->client, self->target, TRUE, self->cancellable,
                                 on_uploaded_stat, g_object_ref (self));
}

static void
on_part_removed (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(TetherRemoteEdit) self = user_data;

  /* Usually there is none; what matters is that no older save's part is resumed. */
  tether_sftp_client_op_finish (TETHER_SFTP_CLIENT (source), result, NULL);
  if (is_stopped (self))
    return;
  tether_sftp_client_upload_async (self->client, self->local, self->target, NULL,
                                   self->cancellable, on_uploaded, g_object_ref (self));
}

static void
upload (TetherRemoteEdit *self)
{
  g_autofree char *part = g_strconcat (self->target, PART_SUFFIX, NULL);

  set_state (self, TETHER_REMOTE_EDIT_STATE_UPLOADING);
  tether_sftp_client_remove_async (self->client, part, self->cancellable, on_part_removed,
                                   g_object_ref (self));
}

static void
on_check_stat (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TetherRemoteEdit) self = user_data;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  RemoteStamp now = { FALSE, FALSE, 0, FALSE, 0, FALSE, 0 };

  info = tether_sftp_client_stat_finish (TETHER_SFTP_CLIENT (source), result, &error);
  if (info == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND)) {
    fail (self, error);
    return;
  }
  if (is_stopped (self))
    return;
  if (info != NULL)
    now = remote_stamp_from_info (info);
  /* Changed or deleted on the server since: the user decides, nothing is overwritten. */
  if (!remote_stamp_unchanged (&self->remote, &now)) {
    set_state (self, TETHER_REMOTE_EDIT_STATE_CONFLICT);
    g_signal_emit (self, signals[SIGNAL_CONFLICT], 0);
    return;
  }
  upload (self);
}

/* After a save settled (or a busy spell ended): uploads the copy if it changed. */
static void
check_copy (TetherRemoteEdit *self)
{
  const LocalStamp *since;
  LocalStamp now;

  switch (self->state) {
  case TETHER_REMOTE_EDIT_STATE_WATCHING:
  case TETHER_REMOTE_EDIT_STATE_FAILED:
    since = &self->synced;
    break;
  case TETHER_REMOTE_EDIT_STATE_CONFLICT:
    /* Saved again before the user decided: look again, so that they are asked again
     * (or, should the server's file be back as it was, the save is uploaded). */
    since = &self->uploading;
    break;
  case TETHER_REMOTE_EDIT_STATE_DOWNLOADING:
  case TETHER_REMOTE_EDIT_STATE_UPLOADING:
    self->recheck = TRUE;
    return;
  case TETHER_REMOTE_EDIT_STATE_STOPPED:
  default:
    return;
  }
  self->recheck = FALSE;
  if (self->monitor == NULL || is_stopped (self))
    return;
  now = local_stamp_read (self);
  /* Gone: an editor between moving the old file away and writing the new one. */
  if (!now.exists || local_stamp_equal (&now, since))
    return;
  self->uploading = now;
  set_state (self, TETHER_REMOTE_EDIT_STATE_UPLOADING);
  tether_sftp_client_stat_async (self->client, self->target, TRUE, self->cancellable,
                                 on_check_stat, g_object_ref (self));
}

/* ------------------------------------------------------------------------- */
/* GObject                                                                   */

static void
tether_remote_edit_dispose (GObject *object)
{
  TetherRemoteEdit *self = TETHER_REMOTE_EDIT (object);

  tether_remote_edit_stop (self);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (tether_remote_edit_parent_class)->dispose (object);
}

static void
tether_remote_edit_finalize (GObject *object)
{
  TetherRemoteEdit *self = TETHER_REMOTE_EDIT (object);

  g_assert (self->start_task == NULL);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->local);
  g_clear_error (&self->error);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->remote_path);
  g_free (self->target);
  g_free (self->dir);
  unlock_private_dir (self);

  G_OBJECT_CLASS (tether_remote_edit_parent_class)->finalize (object);
}

static void
tether_remote_edit_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  TetherRemoteEdit *self = TETHER_REMOTE_EDIT (object);

  switch (prop_id) {
  case PROP_CLIENT:
    g_value_set_object (value, self->client);
    break;
  case PROP_REMOTE_PATH:
    g_value_set_string (value, self->remote_path);
    break;
  case PROP_LOCAL_FILE:
    g_value_set_object (value, self->local);
    break;
  case PROP_STATE:
    g_value_set_enum (value, self->state);
    break;
  case PROP_ERROR:
    g_value_set_boxed (value, self->error);
    break;
  case PROP_N_UPLOADS:
    g_value_set_uint (value, self->n_uploads);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_remote_edit_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  TetherRemoteEdit *self = TETHER_REMOTE_EDIT (object);

  switch (prop_id) {
  case PROP_CLIENT:
    if (g_value_get_object (value) != NULL)
      tether_remote_edit_set_client (self, g_value_get_object (value));
    break;
  case PROP_REMOTE_PATH:
    self->remote_path = g_value_dup_string (value);
    self->target = g_value_dup_string (value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_remote_edit_class_init (TetherRemoteEditClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = tether_remote_edit_dispose;
  object_class->finalize = tether_remote_edit_finalize;
  object_class->get_property = tether_remote_edit_get_property;
  object_class->set_property = tether_remote_edit_set_property;

  /**
   * TetherRemoteEdit:client:
   *
   * The SFTP client that copies and uploads the file. It may be replaced (after a
   * reconnect, by the new client of the same server); what is in flight finishes on the
   * old one.
   */
  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, TETHER_TYPE_SFTP_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS |
                         G_PARAM_EXPLICIT_NOTIFY);
  /**
   * TetherRemoteEdit:remote-path:
   *
   * The file on the server, as given. A link is followed: the file it points to is the one
   * edited.
   */
  properties[PROP_REMOTE_PATH] =
    g_param_spec_string ("remote-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * TetherRemoteEdit:local-file:
   *
   * The local copy to open in an editor, in a private folder of the user's cache, named
   * like the server's file; %NULL until tether_remote_edit_start_async() is called.
   */
  properties[PROP_LOCAL_FILE] = g_param_spec_object ("local-file", NULL, NULL, G_TYPE_FILE, ro);
  /**
   * TetherRemoteEdit:state:
   *
   * Where the edit is.
   */
  properties[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, TETHER_TYPE_REMOTE_EDIT_STATE,
                       TETHER_REMOTE_EDIT_STATE_STOPPED, ro);
  /**
   * TetherRemoteEdit:error:
   *
   * Why the last copy or upload failed, or %NULL.
   */
  properties[PROP_ERROR] = g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR, ro);
  /**
   * TetherRemoteEdit:n-uploads:
   *
   * How many saves have been uploaded.
   */
  properties[PROP_N_UPLOADS] =
    g_param_spec_uint ("n-uploads", NULL, NULL, 0, G_MAXUINT, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * TetherRemoteEdit::conflict:
   * @self: the edit
   *
   * The local copy was saved, but the file on the server changed (or went away) since it
   * was copied or last uploaded. Nothing is uploaded until tether_remote_edit_resolve()
   * is called.
   */
  signals[SIGNAL_CONFLICT] =
    g_signal_new ("conflict", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
tether_remote_edit_init (TetherRemoteEdit *self)
{
  self->state = TETHER_REMOTE_EDIT_STATE_STOPPED;
  self->dir_lock = -1;
  self->cancellable = g_cancellable_new ();
  self->context = g_main_context_ref_thread_default ();
}

/* ------------------------------------------------------------------------- */
/* Public API                                                                */

/**
 * tether_remote_edit_new:
 * @client: the SFTP client of the server
 * @remote_path: the file on the server to edit
 *
 * Nothing happens until tether_remote_edit_start_async(). Signals and results come on the
 * thread-default main context of the caller.
 *
 * Returns: (transfer full): a new edit in place
 */
TetherRemoteEdit *
tether_remote_edit_new (TetherSftpClient *client,
                        const char       *remote_path)
{
  g_return_val_if_fail (TETHER_IS_SFTP_CLIENT (client), NULL);
  g_return_val_if_fail (remote_path != NULL, NULL);

  return g_object_new (TETHER_TYPE_REMOTE_EDIT, "client", client, "remote-path", remote_path,
                       NULL);
}

/**
 * tether_remote_edit_get_client:
 * @self: a #TetherRemoteEdit
 *
 * Returns: (transfer none): the SFTP client the edit uses
 */
TetherSftpClient *
tether_remote_edit_get_client (TetherRemoteEdit *self)
{
  g_return_val_if_fail (TETHER_IS_REMOTE_EDIT (self), NULL);

  return self->client;
}

/**
 * tether_remote_edit_set_client:
 * @self: a #TetherRemoteEdit
 * @client: an SFTP client of the same server
 *
 * Uses @client from now on, for instance the new client after a reconnect.
 */
void
tether_remote_edit_set_client (TetherRemoteEdit *self,
                               TetherSftpClient *client)
{
  g_return_if_fail (TETHER_IS_REMOTE_EDIT (self));
  g_return_if_fail (TETHER_IS_SFTP_CLIENT (client));

  if (g_set_object (&self->client, client))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);
}

/**
 * tether_remote_edit_get_remote_path:
 * @self: a #TetherRemoteEdit
 *
 * Returns: the file on the server, as given to tether_remote_edit_new()
 */
const char *
tether_remote_edit_get_remote_path (TetherRemoteEdit *self)
{
  g_return_val_if_fail (TETHER_IS_REMOTE_EDIT (self), NULL);

  return self->remote_path;
}

/**
 * tether_remote_edit_get_local_file:
 * @self: a #TetherRemoteEdit
 *
 * Returns: (transfer none) (nullable): the local copy to open, once started
 */
GFile *
tether_remote_edit_get_local_file (TetherRemoteEdit *self)
{
  g_return_val_if_fail (TETHER_IS_REMOTE_EDIT (self), NULL);

  return self->local;
}

/**
 * tether_remote_edit_get_state:
 * @self: a #TetherRemoteEdit
 *
 * Returns: where the edit is
 */
TetherRemoteEditState
tether_remote_edit_get_state (TetherRemoteEdit *self)
{
  g_return_val_if_fail (TETHER_IS_REMOTE_EDIT (self), TETHER_REMOTE_EDIT_STATE_STOPPED);

  return self->state;
}

/**
 * tether_remote_edit_get_error:
 * @self: a #TetherRemoteEdit
 *
 * Returns: (transfer none) (nullable): why the last copy or upload failed
 */
const GError *
tether_remote_edit_get_error (TetherRemoteEdit *self)
{
  g_return_val_if_fail (TETHER_IS_REMOTE_EDIT (self), NULL);

  return self->error;
}

/**
 * tether_remote_edit_get_n_uploads:
 * @self: a #TetherRemoteEdit
 *
 * Returns: how many saves have been uploaded
 */
guint
tether_remote_edit_get_n_uploads (TetherRemoteEdit *self)
{
  g_return_val_if_fail (TETHER_IS_REMOTE_EDIT (self), 0);

  return self->n_uploads;
}

static gboolean
make_private_dir (TetherRemoteEdit  *self,
                  GError           **error)
{
  g_autofree char *base = g_build_filename (g_get_user_cache_dir (), CACHE_SUBDIR, NULL);
  g_autofree char *template = NULL;
  g_autofree char *name = g_path_get_basename (self->remote_path);
  g_autofree char *path = NULL;
  int errsv;

  if (g_str_equal (name, "/") || g_str_equal (name, ".") || g_str_equal (name, "..")) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_FILENAME,
                 _("“%s” does not name a file."), self->remote_path);
    return FALSE;
  }
  if (g_mkdir_with_parents (base, PRIVATE_DIR_MODE) != 0) {
    errsv = errno;
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 _("Could not make the folder “%s”: %s"), base, g_strerror (errsv));
    return FALSE;
  }
  template = g_build_filename (base, "XXXXXX", NULL);
  if (g_mkdtemp_full (template, PRIVATE_DIR_MODE) == NULL) {
    errsv = errno;
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 _("Could not make a folder in “%s”: %s"), base, g_strerror (errsv));
    return FALSE;
  }
  self->dir = g_steal_pointer (&template);
  /* Without the lock (a file system without flock) the edit works; only the removal of
   * stale copies cannot tell that it lives. */
  self->dir_lock = g_open (self->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (self->dir_lock >= 0 && flock (self->dir_lock, LOCK_SH | LOCK_NB) != 0)
    unlock_private_dir (self);
  path = g_build_filename (self->dir, name, NULL);
  self->local = g_file_new_for_path (path);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOCAL_FILE]);
  return TRUE;
}

/* Whether @path, and everything in it when it is a folder, last changed before @cutoff (in
 * seconds since the epoch). Links count as themselves, not what they point to. */
static gboolean
tree_is_older (const char *path,
               gint64      cutoff)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;
  GStatBuf st;

  if (g_lstat (path, &st) != 0 || st.st_mtime >= cutoff)
    return FALSE;
  if (!S_ISDIR (st.st_mode))
    return TRUE;
  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *child = g_build_filename (path, name, NULL);

    if (!tree_is_older (child, cutoff))
      return FALSE;
  }
  return TRUE;
}

/* Removes the folders of edits that did not end (a crash, a kill) once all in them is old.
 * The task data is the folder of the edit that runs it, which stays whatever its age. */
static void
remove_stale_copies_thread (GTask        *task,
                            gpointer      source,
                            gpointer      task_data,
                            GCancellable *cancellable)
{
  const char *own = task_data;
  g_autofree char *base = g_build_filename (g_get_user_cache_dir (), CACHE_SUBDIR, NULL);
  g_autoptr(GDir) dir = g_dir_open (base, 0, NULL);
  gint64 cutoff = g_get_real_time () / G_USEC_PER_SEC - STALE_COPY_AGE_SECONDS;
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *folder = g_build_filename (base, name, NULL);
    GStatBuf st;

    int lock;

    if (g_strcmp0 (folder, own) == 0 || g_lstat (folder, &st) != 0 || !S_ISDIR (st.st_mode))
      continue;
    /* An edit of a running process holds its folder's lock, however old its files. */
    lock = g_open (folder, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
    if (lock < 0)
      continue;
    if (flock (lock, LOCK_EX | LOCK_NB) == 0 && tree_is_older (folder, cutoff))
      tether_file_remove_tree (folder);
    close (lock);
  }
  g_task_return_boolean (task, TRUE);
}

/* Once a process: its other edits are younger than this one, so only those of earlier
 * processes can be stale. */
static void
remove_stale_copies (TetherRemoteEdit *self)
{
  static gsize started = 0;
  g_autoptr(GTask) task = NULL;

  if (!g_once_init_enter (&started))
    return;
  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_source_tag (task, remove_stale_copies);
  g_task_set_name (task, "[tether] remove stale edit copies");
  g_task_set_task_data (task, g_strdup (self->dir), g_free);
  g_task_run_in_thread (task, remove_stale_copies_thread);
  g_once_init_leave (&started, 1);
}

static void
on_start_cancelled (GCancellable *cancellable,
                    GCancellable *own)
{
  g_cancellable_cancel (own);
}

/**
 * tether_remote_edit_start_async:
 * @self: a #TetherRemoteEdit
 * @cancellable: (nullable): cancels the start, which ends the edit
 * @callback: called once the local copy is there and watched, or the copy failed
 * @user_data: data for @callback
 *
 * Copies the server's file to #TetherRemoteEdit:local-file, in a new private folder
 * (mode 0700) of the user's cache, and watches it: from then on each save is uploaded,
 * unless the server's file changed meanwhile (see #TetherRemoteEdit::conflict). When the
 * copy fails, the edit is over: the state is %TETHER_REMOTE_EDIT_STATE_FAILED and the
 * private folder is removed. An edit is started once.
 */
void
tether_remote_edit_start_async (TetherRemoteEdit    *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (TETHER_IS_REMOTE_EDIT (self));
  g_return_if_fail (self->client != NULL && self->remote_path != NULL);
  g_return_if_fail (!self->started);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  self->started = TRUE;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tether_remote_edit_start_async);
  g_task_set_name (task, "[tether] remote edit start");
  if (!make_private_dir (self, &error)) {
    set_error (self, error);
    set_state (self, TETHER_REMOTE_EDIT_STATE_FAILED);
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  remove_stale_copies (self);
  self->start_task = g_steal_pointer (&task);
  if (cancellable != NULL)
    self->start_cancel_id = g_cancellable_connect (cancellable,
                                                   G_CALLBACK (on_start_cancelled),
                                                   g_object_ref (self->cancellable),
                                                   g_object_unref);
  set_state (self, TETHER_REMOTE_EDIT_STATE_DOWNLOADING);
  tether_sftp_client_realpath_async (self->client, self->remote_path, self->cancellable,
                                     on_realpath, g_object_ref (self));
}

/**
 * tether_remote_edit_start_finish:
 * @self: a #TetherRemoteEdit
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Returns: %TRUE when the local copy is there and watched
 */
gboolean
tether_remote_edit_start_finish (TetherRemoteEdit  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * tether_remote_edit_resolve:
 * @self: a #TetherRemoteEdit in %TETHER_REMOTE_EDIT_STATE_CONFLICT
 * @resolution: which version wins
 *
 * Ends a conflict: %TETHER_REMOTE_EDIT_KEEP_MINE uploads the local copy over the server's
 * file; %TETHER_REMOTE_EDIT_KEEP_THEIRS copies the server's file over the local copy (an
 * editor that has it open sees it change on disk). Either way the edit goes on watching.
 */
void
tether_remote_edit_resolve (TetherRemoteEdit           *self,
                            TetherRemoteEditResolution  resolution)
{
  g_return_if_fail (TETHER_IS_REMOTE_EDIT (self));
  g_return_if_fail (resolution == TETHER_REMOTE_EDIT_KEEP_MINE ||
                    resolution == TETHER_REMOTE_EDIT_KEEP_THEIRS);

  if (self->state != TETHER_REMOTE_EDIT_STATE_CONFLICT)
    return;
  if (resolution == TETHER_REMOTE_EDIT_KEEP_THEIRS) {
    copy_from_server (self);
    return;
  }
  self->uploading = local_stamp_read (self);
  if (!self->uploading.exists) {
    g_autoptr(GError) error = NULL;

    g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("The local copy “%s” is gone."),
                 g_file_peek_path (self->local));
    fail (self, error);
    return;
  }
  upload (self);
}

/**
 * tether_remote_edit_stop:
 * @self: a #TetherRemoteEdit
 *
 * Stops watching, cancels what is in flight (an upload cut short leaves the server's file
 * as it was) and removes the local copy and its private folder. Saves made after this are
 * not uploaded.
 */
void
tether_remote_edit_stop (TetherRemoteEdit *self)
{
  g_return_if_fail (TETHER_IS_REMOTE_EDIT (self));

  g_cancellable_cancel (self->cancellable);
  if (self->settle != NULL) {
    g_source_destroy (self->settle);
    g_clear_pointer (&self->settle, g_source_unref);
  }
  if (self->monitor != NULL) {
    g_signal_handlers_disconnect_by_data (self->monitor, self);
    g_file_monitor_cancel (self->monitor);
    g_clear_object (&self->monitor);
  }
  remove_private_dir (self);
  set_state (self, TETHER_REMOTE_EDIT_STATE_STOPPED);
}
