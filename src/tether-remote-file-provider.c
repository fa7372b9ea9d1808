/* tether-remote-file-provider.c: what rows dragged out of the files page offer.
 *
 * A file manager that takes a drop wants local files, and it asks for them only once the
 * drop happens. So the provider offers text/uri-list, and when it is asked for it, it first
 * downloads the remote files (folders with everything in them) into a folder of its own in
 * the user's cache (0700: other users must not read them) and then writes their file://
 * URIs. Every request waits for the same downloads, which run once.
 *
 * A GdkFileList value is offered too, but only once the files are here: get_value () cannot
 * wait. Until then it says "not supported", and a drop in this process reads the uri-list
 * instead, which waits.
 *
 * Nothing says when a file manager is done with the files, so they stay; folders older than
 * a day are removed (in a thread) when the next drag downloads. */
#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <sys/stat.h>

#include "tether-file-util.h"
#include "tether-remote-file-provider.h"

#define URI_LIST_MIME_TYPE "text/uri-list"
/* Only the user may read what was downloaded, the folders above it included. */
#define CACHE_FOLDER_MODE 0700
/* A drop's files are the receiver's to copy; after a day they are surely copied or lost. */
#define CACHE_MAX_AGE_SECONDS (24 * 60 * 60)

struct _TetherRemoteFileProvider
{
  GdkContentProvider parent_instance;

  TetherSftpClient *client;
  GStrv remote_paths;
  GCancellable *cancellable;   /* the downloads; they stop when the provider goes */
  GFile *folder;               /* where they go */
  GPtrArray *locals;           /* GFile of each download, in the order of remote_paths */
  GPtrArray *waiting;          /* GTask of the requests that wait for the downloads */
  guint n_pending;
  gboolean started;
  gboolean fetched;
  GError *error;               /* why a download failed */
};

G_DEFINE_FINAL_TYPE (TetherRemoteFileProvider, tether_remote_file_provider,
                     GDK_TYPE_CONTENT_PROVIDER)

typedef struct {
  GOutputStream *stream;
  char *text;
} WriteData;

static void
write_data_free (WriteData *data)
{
  g_clear_object (&data->stream);
  g_free (data->text);
  g_free (data);
}

/* ------------------------------------------------------------------------- */
/* Downloading                                                               */

static char *
dup_cache_base (void)
{
  return g_build_filename (g_get_user_cache_dir (), "tether", "dragged", NULL);
}

/* Removes the files of earlier drags (one folder each, dragged folders in it) that are old. */
static void
clean_cache_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  g_autofree char *base = dup_cache_base ();
  g_autoptr(GDir) dir = g_dir_open (base, 0, NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL) {
    g_autofree char *folder = g_build_filename (base, name, NULL);
    GStatBuf st;

    if (g_lstat (folder, &st) != 0 || !S_ISDIR (st.st_mode) ||
        now - st.st_mtime < CACHE_MAX_AGE_SECONDS)
      continue;
    tether_file_remove_tree (folder);
  }
  g_task_return_boolean (task, TRUE);
}

static void
clean_cache (void)
{
  static gboolean cleaned;
  g_autoptr(GTask) task = NULL;

  if (cleaned)
    return;
  cleaned = TRUE;
  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_source_tag (task, clean_cache);
  g_task_set_name (task, "[tether] clean dragged files");
  g_task_run_in_thread (task, clean_cache_thread);
}

static GFile *
make_cache_folder (GError **error)
{
  g_autofree char *base = dup_cache_base ();
  g_autofree char *template = NULL;
  int errsv;

  if (g_mkdir_with_parents (base, CACHE_FOLDER_MODE) != 0) {
    errsv = errno;
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 _("Could not make the folder “%s”: %s"), base, g_strerror (errsv));
    return NULL;
  }
  template = g_build_filename (base, "XXXXXX", NULL);
  if (g_mkdtemp_full (template, CACHE_FOLDER_MODE) == NULL) {
    errsv = errno;
    g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                 _("Could not make a folder in “%s”: %s"), base, g_strerror (errsv));
    return NULL;
  }
  return g_file_new_for_path (template);
}

static void write_uris (TetherRemoteFileProvider *self,
                        GTask                    *task);

static void
fetched (TetherRemoteFileProvider *self)
{
  g_autoptr(GPtrArray) waiting = g_steal_pointer (&self->waiting);

  self->fetched = TRUE;
  self->waiting = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < waiting->len; i++) {
    GTask *task = g_ptr_array_index (waiting, i);

    if (self->error != NULL)
      g_task_return_error (task, g_error_copy (self->error));
    else
      write_uris (self, g_object_ref (task));
  }
}

static void
on_downloaded (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(TetherRemoteFileProvider) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!tether_sftp_client_download_finish (TETHER_SFTP_CLIENT (source), result, &error) &&
      self->error == NULL)
    self->error = g_steal_pointer (&error);
  if (--self->n_pending == 0)
    fetched (self);
}

static void
start_downloads (TetherRemoteFileProvider *self)
{
  self->started = TRUE;
  clean_cache ();
  self->folder = make_cache_folder (&self->error);
  if (self->folder == NULL) {
    fetched (self);
    return;
  }
  if (tether_sftp_client_is_closed (self->client)) {
    self->error = g_error_new (TETHER_ERROR, TETHER_ERROR_DISCONNECTED,
                               _("The connection to the server was closed."));
    fetched (self);
    return;
  }

  self->n_pending = g_strv_length (self->remote_paths);
  for (guint i = 0; self->remote_paths[i] != NULL; i++) {
    g_autofree char *name = g_path_get_basename (self->remote_paths[i]);
    GFile *local = g_file_get_child (self->folder, name);

    g_ptr_array_add (self->locals, local);
    tether_sftp_client_download_async (self->client, self->remote_paths[i], local, NULL,
                                       self->cancellable, on_downloaded, g_object_ref (self));
  }
  if (self->n_pending == 0)
    fetched (self);
}

/* ------------------------------------------------------------------------- */
/* Writing the URIs                                                          */

static void
on_written (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Takes @task. */
static void
write_uris (TetherRemoteFileProvider *self,
            GTask                    *task)
{
  WriteData *data = g_task_get_task_data (task);
  g_autoptr(GString) text = g_string_new (NULL);

  /* RFC 2483: one URI a line, CRLF after each. */
  for (guint i = 0; i < self->locals->len; i++) {
    g_autofree char *uri = g_file_get_uri (g_ptr_array_index (self->locals, i));

    g_string_append_printf (text, "%s\r\n", uri);
  }
  data->text = g_string_free (g_steal_pointer (&text), FALSE);
  g_output_stream_write_all_async (data->stream, data->text, strlen (data->text),
                                   g_task_get_priority (task), g_task_get_cancellable (task),
                                   on_written, task);
}

/* ------------------------------------------------------------------------- */
/* GdkContentProvider                                                        */

static GdkContentFormats *
tether_remote_file_provider_ref_formats (GdkContentProvider *provider)
{
  return gdk_content_formats_new ((const char *[]) { URI_LIST_MIME_TYPE }, 1);
}

static void
tether_remote_file_provider_write_mime_type_async (GdkContentProvider  *provider,
                                                   const char          *mime_type,
                                                   GOutputStream       *stream,
                                                   int                  io_priority,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data)
{
  TetherRemoteFileProvider *self = TETHER_REMOTE_FILE_PROVIDER (provider);
  g_autoptr(GTask) task = NULL;
  WriteData *data;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, tether_remote_file_provider_write_mime_type_async);
  g_task_set_name (task, "[tether] write dragged files");
  g_task_set_priority (task, io_priority);
  if (!g_str_equal (mime_type, URI_LIST_MIME_TYPE)) {
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                             _("Cannot provide the files as “%s”."), mime_type);
    return;
  }
  data = g_new0 (WriteData, 1);
  data->stream = g_object_ref (stream);
  g_task_set_task_data (task, data, (GDestroyNotify) write_data_free);

  if (self->fetched && self->error != NULL) {
    g_task_return_error (task, g_error_copy (self->error));
  } else if (self->fetched) {
    write_uris (self, g_steal_pointer (&task));
  } else {
    g_ptr_array_add (self->waiting, g_steal_pointer (&task));
    if (!self->started)
      start_downloads (self);
  }
}

static gboolean
tether_remote_file_provider_write_mime_type_finish (GdkContentProvider  *provider,
                                                    GAsyncResult        *result,
                                                    GError             **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
tether_remote_file_provider_get_value (GdkContentProvider  *provider,
                                       GValue              *value,
                                       GError             **error)
{
  TetherRemoteFileProvider *self = TETHER_REMOTE_FILE_PROVIDER (provider);

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST) && self->fetched && self->error == NULL) {
    GSList *files = NULL;

    for (guint i = self->locals->len; i > 0; i--)
      files = g_slist_prepend (files, g_ptr_array_index (self->locals, i - 1));
    g_value_take_boxed (value, gdk_file_list_new_from_list (files));
    g_slist_free (files);
    return TRUE;
  }
  return GDK_CONTENT_PROVIDER_CLASS (tether_remote_file_provider_parent_class)->get_value (
    provider, value, error);
}

static void
tether_remote_file_provider_dispose (GObject *object)
{
  TetherRemoteFileProvider *self = TETHER_REMOTE_FILE_PROVIDER (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (tether_remote_file_provider_parent_class)->dispose (object);
}

static void
tether_remote_file_provider_finalize (GObject *object)
{
  TetherRemoteFileProvider *self = TETHER_REMOTE_FILE_PROVIDER (object);

  g_strfreev (self->remote_paths);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->folder);
  g_clear_pointer (&self->locals, g_ptr_array_unref);
  g_clear_pointer (&self->waiting, g_ptr_array_unref);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (tether_remote_file_provider_parent_class)->finalize (object);
}

static void
tether_remote_file_provider_class_init (TetherRemoteFileProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GdkContentProviderClass *provider_class = GDK_CONTENT_PROVIDER_CLASS (klass);

  object_class->dispose = tether_remote_file_provider_dispose;
  object_class->finalize = tether_remote_file_provider_finalize;
  provider_class->ref_formats = tether_remote_file_provider_ref_formats;
  provider_class->write_mime_type_async = tether_remote_file_provider_write_mime_type_async;
  provider_class->write_mime_type_finish = tether_remote_file_provider_write_mime_type_finish;
  provider_class->get_value = tether_remote_file_provider_get_value;
}

static void
tether_remote_file_provider_init (TetherRemoteFileProvider *self)
{
  self->cancellable = g_cancellable_new ();
  self->locals = g_ptr_array_new_with_free_func (g_object_unref);
  self->waiting = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * tether_remote_file_provider_new:
 * @client: the SFTP client to download with
 * @remote_paths: the files on the server
 *
 * Returns: (transfer full): a provider of @remote_paths as local files
 */
GdkContentProvider *
tether_remote_file_provider_new (TetherSftpClient   *client,
                                 const char * const *remote_paths)
{
  TetherRemoteFileProvider *self;

  g_return_val_if_fail (TETHER_IS_SFTP_CLIENT (client), NULL);
  g_return_val_if_fail (remote_paths != NULL, NULL);

  self = g_object_new (TETHER_TYPE_REMOTE_FILE_PROVIDER, NULL);
  self->client = g_object_ref (client);
  self->remote_paths = g_strdupv ((char **) remote_paths);
  return GDK_CONTENT_PROVIDER (self);
}

/**
 * tether_remote_file_provider_get_client:
 * @self: a remote file provider
 *
 * Returns: (transfer none) (nullable): the client it downloads with
 */
TetherSftpClient *
tether_remote_file_provider_get_client (TetherRemoteFileProvider *self)
{
  g_return_val_if_fail (TETHER_IS_REMOTE_FILE_PROVIDER (self), NULL);

  return self->client;
}

/**
 * tether_remote_file_provider_get_folder:
 * @self: a remote file provider
 *
 * Returns: (transfer none) (nullable): the private folder the files are downloaded to,
 *   %NULL until they are asked for
 */
GFile *
tether_remote_file_provider_get_folder (TetherRemoteFileProvider *self)
{
  g_return_val_if_fail (TETHER_IS_REMOTE_FILE_PROVIDER (self), NULL);

  return self->folder;
}
