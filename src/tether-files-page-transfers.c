/* tether-files-page-transfers.c: the files page's uploads and downloads: the Upload and
 * Download buttons' file choosers, the transfers popover's rows (name, progress, speed,
 * Cancel, Retry) and the calls behind them, which tests make with a GFile.
 *
 * A transfer keeps what it copies where (as object data), so that Retry can start it again:
 * the core resumes a download from NAME.part and an upload from the remote NAME.part. A long
 * transfer that ends while the window is in the background says so in a notification. */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-files-page-private.h"
#include "tether-message-dialog.h"

/* A transfer that took longer than this is worth a notification when it ends unseen. */
#define NOTIFY_AFTER_USEC (10 * G_USEC_PER_SEC)

/* ------------------------------------------------------------------------- */
/* Transfers                                                                 */

/* The core drops a job's reference to a transfer on this (the owner's) thread, but the
 * handlers hold weak references anyway rather than g_signal_connect_object ()'s: a row
 * may go long before its transfer, which a Retry button keeps. */
static void
weak_ref_free (gpointer  data,
               GClosure *closure)
{
  g_weak_ref_clear (data);
  g_free (data);
}

static GWeakRef *
weak_ref_new (gpointer object)
{
  GWeakRef *weak = g_new0 (GWeakRef, 1);

  g_weak_ref_init (weak, object);
  return weak;
}

static void
update_transfer_row (TetherTransfer *transfer,
                     GParamSpec     *pspec,
                     GtkWidget      *row)
{
  GtkProgressBar *bar = g_object_get_data (G_OBJECT (row), "tether-bar");
  GtkLabel *detail = g_object_get_data (G_OBJECT (row), "tether-detail");
  GtkWidget *cancel = g_object_get_data (G_OBJECT (row), "tether-cancel");
  GtkWidget *retry = g_object_get_data (G_OBJECT (row), "tether-retry");
  TetherTransferState state = tether_transfer_get_state (transfer);
  guint64 done = tether_transfer_get_bytes_done (transfer);
  guint64 total = tether_transfer_get_bytes_total (transfer);
  g_autofree char *done_text = g_format_size (done);
  g_autofree char *total_text = g_format_size (total);
  g_autofree char *speed_text = NULL;
  g_autofree char *text = NULL;

  gtk_progress_bar_set_fraction (bar, total > 0 ? (double) done / (double) total : 0.0);
  switch (state) {
  case TETHER_TRANSFER_STATE_PENDING:
    text = g_strdup (_("Waiting"));
    break;
  case TETHER_TRANSFER_STATE_RUNNING:
    speed_text = g_format_size (tether_transfer_get_bytes_per_second (transfer));
    /* Translators: bytes done of bytes in all, speed */
    text = g_strdup_printf (_("%s of %s, %s/s"), done_text, total_text, speed_text);
    break;
  case TETHER_TRANSFER_STATE_DONE:
    /* Translators: the size of a finished transfer */
    text = g_strdup_printf (_("Done, %s"), total_text);
    break;
  case TETHER_TRANSFER_STATE_FAILED:
    text = g_strdup (tether_transfer_get_error (transfer) != NULL ?
                     tether_transfer_get_error (transfer)->message : _("Failed"));
    break;
  case TETHER_TRANSFER_STATE_CANCELLED:
    text = g_strdup (_("Cancelled"));
    break;
  default:
    g_assert_not_reached ();
  }
  gtk_label_set_text (detail, text);
  gtk_widget_set_visible (cancel, state <= TETHER_TRANSFER_STATE_RUNNING);
  gtk_widget_set_visible (retry, state == TETHER_TRANSFER_STATE_FAILED ||
                                 state == TETHER_TRANSFER_STATE_CANCELLED);
}

static void
on_transfer_notify (TetherTransfer *transfer,
                    GParamSpec     *pspec,
                    GWeakRef       *weak_row)
{
  g_autoptr(GtkWidget) row = g_weak_ref_get (weak_row);

  if (row != NULL)
    update_transfer_row (transfer, pspec, row);
}

static void
on_cancel_clicked (GtkButton      *button,
                   TetherTransfer *transfer)
{
  g_cancellable_cancel (g_object_get_data (G_OBJECT (transfer), "tether-cancellable"));
}

static void
on_retry_clicked (GtkButton      *button,
                  TetherTransfer *transfer)
{
  GtkWidget *page = gtk_widget_get_ancestor (GTK_WIDGET (button), TETHER_TYPE_FILES_PAGE);

  if (page != NULL)
    tether_files_page_retry_transfer (TETHER_FILES_PAGE (page), transfer);
}

static void
unref_transfer (gpointer  data,
                GClosure *closure)
{
  g_object_unref (data);
}

static GtkWidget *
row_button_new (const char *icon_name,
                const char *label)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_tooltip_text (button, label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  label, -1);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  return button;
}

GtkWidget *
_tether_files_page_create_transfer_row (gpointer item,
                     gpointer user_data)
{
  TetherTransfer *transfer = item;
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *name = gtk_label_new (g_object_get_data (G_OBJECT (transfer), "tether-name"));
  GtkWidget *bar = gtk_progress_bar_new ();
  GtkWidget *detail = gtk_label_new (NULL);
  GtkWidget *cancel = row_button_new ("process-stop-symbolic", _("Cancel Transfer"));
  GtkWidget *retry = row_button_new ("view-refresh-symbolic", _("Retry Transfer"));

  gtk_widget_set_margin_start (row, 6);
  gtk_widget_set_margin_end (row, 6);
  gtk_widget_set_margin_top (row, 6);
  gtk_widget_set_margin_bottom (row, 6);
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_xalign (GTK_LABEL (detail), 0);
  gtk_label_set_wrap (GTK_LABEL (detail), TRUE);
  gtk_widget_add_css_class (detail, "caption");
  gtk_widget_add_css_class (detail, "dim-label");
  gtk_box_append (GTK_BOX (texts), name);
  gtk_box_append (GTK_BOX (texts), bar);
  gtk_box_append (GTK_BOX (texts), detail);
  gtk_box_append (GTK_BOX (row), texts);
  gtk_box_append (GTK_BOX (row), cancel);
  gtk_box_append (GTK_BOX (row), retry);

  g_object_set_data (G_OBJECT (row), "tether-bar", bar);
  g_object_set_data (G_OBJECT (row), "tether-detail", detail);
  g_object_set_data (G_OBJECT (row), "tether-cancel", cancel);
  g_object_set_data (G_OBJECT (row), "tether-retry", retry);
  /* The buttons hold the transfer rather than watch it (see weak_ref_free ()). */
  g_signal_connect_data (cancel, "clicked", G_CALLBACK (on_cancel_clicked),
                         g_object_ref (transfer), unref_transfer,
                         G_CONNECT_DEFAULT);
  g_signal_connect_data (retry, "clicked", G_CALLBACK (on_retry_clicked),
                         g_object_ref (transfer), unref_transfer,
                         G_CONNECT_DEFAULT);
  g_signal_connect_data (transfer, "notify", G_CALLBACK (on_transfer_notify),
                         weak_ref_new (row), weak_ref_free, G_CONNECT_DEFAULT);
  update_transfer_row (transfer, NULL, row);
  return row;
}

/* A long transfer that ends while the user looks elsewhere: tell them. A cancelled one
 * was their own doing. */
static void
on_transfer_state (TetherTransfer *transfer,
                   GParamSpec     *pspec,
                   GWeakRef       *page)
{
  g_autoptr(TetherFilesPage) self = g_weak_ref_get (page);
  TetherTransferState state = tether_transfer_get_state (transfer);
  gint64 started = *(gint64 *) g_object_get_data (G_OBJECT (transfer), "tether-started");
  GtkRoot *root;
  gboolean upload = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (transfer), "tether-upload"));
  const char *name = g_object_get_data (G_OBJECT (transfer), "tether-name");
  GtkApplication *app;
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *id = NULL;

  /* The state may be notified twice as DONE (when it runs and ends before either
   * notification is dispatched): the end is news once. */
  if ((state != TETHER_TRANSFER_STATE_DONE && state != TETHER_TRANSFER_STATE_FAILED) ||
      g_object_get_data (G_OBJECT (transfer), "tether-ended") != NULL)
    return;
  g_object_set_data (G_OBJECT (transfer), "tether-ended", GINT_TO_POINTER (TRUE));
  if (self == NULL)
    return;
  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (g_get_monotonic_time () - started < NOTIFY_AFTER_USEC || !GTK_IS_WINDOW (root) ||
      gtk_window_is_active (GTK_WINDOW (root)))
    return;
  app = gtk_window_get_application (GTK_WINDOW (root));
  if (app == NULL)
    return;

  if (state == TETHER_TRANSFER_STATE_DONE)
    notification = g_notification_new (upload ? _("Upload Finished") : _("Download Finished"));
  else
    notification = g_notification_new (upload ? _("Upload Failed") : _("Download Failed"));
  if (state == TETHER_TRANSFER_STATE_FAILED && tether_transfer_get_error (transfer) != NULL) {
    g_autofree char *body = g_strdup_printf ("%s: %s", name,
                                             tether_transfer_get_error (transfer)->message);

    g_notification_set_body (notification, body);
  } else {
    g_notification_set_body (notification, name);
  }
  id = g_strdup_printf ("transfer-%p", (void *) transfer);
  g_application_send_notification (G_APPLICATION (app), id, notification);
}

/* A transfer of @local to or from @remote; @folder is the folder to list again after an
 * upload. It takes @position in the list: 0 for a new one, the old one's for a retry. */
static TetherTransfer *
add_transfer (TetherFilesPage *self,
              gboolean         upload,
              GFile           *local,
              const char      *remote,
              const char      *folder,
              guint            position,
              guint            n_replaced)
{
  TetherTransfer *transfer = tether_transfer_new ();
  g_autofree char *name = upload ? g_file_get_basename (local) : g_path_get_basename (remote);

  g_object_set_data_full (G_OBJECT (transfer), "tether-name", g_steal_pointer (&name), g_free);
  g_object_set_data_full (G_OBJECT (transfer), "tether-cancellable", g_cancellable_new (),
                          g_object_unref);
  g_object_set_data (G_OBJECT (transfer), "tether-upload", GINT_TO_POINTER (upload));
  g_object_set_data_full (G_OBJECT (transfer), "tether-local", g_object_ref (local),
                          g_object_unref);
  g_object_set_data_full (G_OBJECT (transfer), "tether-remote", g_strdup (remote), g_free);
  g_object_set_data_full (G_OBJECT (transfer), "tether-folder", g_strdup (folder), g_free);
  g_object_set_data_full (G_OBJECT (transfer), "tether-started",
                          g_memdup2 (&(gint64) { g_get_monotonic_time () }, sizeof (gint64)),
                          g_free);
  g_signal_connect_data (transfer, "notify::state", G_CALLBACK (on_transfer_state),
                         weak_ref_new (self), weak_ref_free, G_CONNECT_DEFAULT);
  g_list_store_splice (self->transfers, position, n_replaced, (gpointer *) &transfer, 1);
  gtk_widget_set_visible (GTK_WIDGET (self->transfers_button), TRUE);
  g_object_unref (transfer);  /* the list holds it */
  return transfer;
}

typedef struct {
  GWeakRef page;
  char *folder;        /* where the upload went, to refresh it if it is still shown */
} TransferDone;

static void
transfer_done_free (TransferDone *done)
{
  g_weak_ref_clear (&done->page);
  g_free (done->folder);
  g_free (done);
}

static void
on_upload_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  TransferDone *done = user_data;
  g_autoptr(TetherFilesPage) self = g_weak_ref_get (&done->page);

  /* The transfer's own state and row tell how it went. */
  tether_sftp_client_upload_finish (TETHER_SFTP_CLIENT (source), result, NULL);
  if (self != NULL && g_strcmp0 (self->path, done->folder) == 0)
    _tether_files_page_start_listing (self);
  transfer_done_free (done);
}

static void
on_download_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  TransferDone *done = user_data;

  tether_sftp_client_download_finish (TETHER_SFTP_CLIENT (source), result, NULL);
  transfer_done_free (done);
}

static void
start_transfer (TetherFilesPage *self,
                TetherTransfer  *transfer)
{
  GObject *object = G_OBJECT (transfer);
  GFile *local = g_object_get_data (object, "tether-local");
  const char *remote = g_object_get_data (object, "tether-remote");
  GCancellable *cancellable = g_object_get_data (object, "tether-cancellable");
  TransferDone *done = g_new0 (TransferDone, 1);

  g_weak_ref_init (&done->page, self);
  done->folder = g_strdup (g_object_get_data (object, "tether-folder"));
  if (GPOINTER_TO_INT (g_object_get_data (object, "tether-upload")))
    tether_sftp_client_upload_async (self->client, local, remote, transfer, cancellable,
                                     on_upload_done, done);
  else
    tether_sftp_client_download_async (self->client, remote, local, transfer, cancellable,
                                       on_download_done, done);
}

/* Uploads @local to @remote and lists @folder again when done, if it is still shown. */
TetherTransfer *
_tether_files_page_upload_to (TetherFilesPage *self,
                              GFile           *local,
                              const char      *remote,
                              const char      *folder)
{
  TetherTransfer *transfer;

  if (self->client == NULL)
    return NULL;
  transfer = add_transfer (self, TRUE, local, remote, folder, 0, 0);
  start_transfer (self, transfer);
  return transfer;
}

/**
 * tether_files_page_upload_file:
 * @self: a files page
 * @local: the file to send
 *
 * Uploads @local into the folder shown, under its own name, and lists the folder again
 * when it is done.
 *
 * Returns: (transfer none) (nullable): the transfer, or %NULL while not connected
 */
TetherTransfer *
tether_files_page_upload_file (TetherFilesPage *self,
                               GFile           *local)
{
  g_autofree char *name = NULL;
  g_autofree char *remote = NULL;

  g_return_val_if_fail (TETHER_IS_FILES_PAGE (self), NULL);
  g_return_val_if_fail (G_IS_FILE (local), NULL);

  if (self->client == NULL || self->path == NULL)
    return NULL;

  name = g_file_get_basename (local);
  remote = _tether_files_page_child_path (self->path, name);
  return _tether_files_page_upload_to (self, local, remote, self->path);
}

/**
 * tether_files_page_download_file:
 * @self: a files page
 * @name: the name of a file in the folder shown
 * @local: where to save it
 *
 * Returns: (transfer none) (nullable): the transfer, or %NULL while not connected
 */
TetherTransfer *
tether_files_page_download_file (TetherFilesPage *self,
                                 const char      *name,
                                 GFile           *local)
{
  g_autofree char *remote = NULL;
  TetherTransfer *transfer;

  g_return_val_if_fail (TETHER_IS_FILES_PAGE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (G_IS_FILE (local), NULL);

  if (self->client == NULL || self->path == NULL)
    return NULL;

  remote = _tether_files_page_child_path (self->path, name);
  transfer = add_transfer (self, FALSE, local, remote, NULL, 0, 0);
  start_transfer (self, transfer);
  return transfer;
}

/**
 * tether_files_page_retry_transfer:
 * @self: a files page
 * @transfer: a failed or cancelled transfer of the page's
 *
 * Starts @transfer again, in its place in the list. It resumes after what the first
 * attempt copied.
 *
 * Returns: (transfer none) (nullable): the new transfer, or %NULL while not connected or
 *   when @transfer has not stopped
 */
TetherTransfer *
tether_files_page_retry_transfer (TetherFilesPage *self,
                                  TetherTransfer  *transfer)
{
  TetherTransferState state;
  TetherTransfer *retry;
  GObject *object;
  guint position;

  g_return_val_if_fail (TETHER_IS_FILES_PAGE (self), NULL);
  g_return_val_if_fail (TETHER_IS_TRANSFER (transfer), NULL);

  state = tether_transfer_get_state (transfer);
  if (self->client == NULL ||
      (state != TETHER_TRANSFER_STATE_FAILED && state != TETHER_TRANSFER_STATE_CANCELLED) ||
      !g_list_store_find (self->transfers, transfer, &position))
    return NULL;

  object = G_OBJECT (transfer);
  retry = add_transfer (self, GPOINTER_TO_INT (g_object_get_data (object, "tether-upload")),
                        g_object_get_data (object, "tether-local"),
                        g_object_get_data (object, "tether-remote"),
                        g_object_get_data (object, "tether-folder"), position, 1);
  start_transfer (self, retry);
  return retry;
}

static void
on_upload_chosen (GtkNativeDialog *chooser,
                  int              response,
                  TetherFilesPage *self)
{
  if (response == GTK_RESPONSE_ACCEPT) {
    g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

    if (file != NULL)
      tether_files_page_upload_file (self, file);
  }
  g_object_unref (chooser);
  g_object_unref (self);
}

static void
upload_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  TetherFilesPage *self = TETHER_FILES_PAGE (widget);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Upload File"),
                                         GTK_WINDOW (gtk_widget_get_root (widget)),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Upload"), NULL);
  g_signal_connect (chooser, "response", G_CALLBACK (on_upload_chosen), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_download_chosen (GtkNativeDialog *chooser,
                    int              response,
                    TetherFilesPage *self)
{
  if (response == GTK_RESPONSE_ACCEPT) {
    g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
    const char *name = g_object_get_data (G_OBJECT (chooser), "tether-name");

    if (file != NULL)
      tether_files_page_download_file (self, name, file);
  }
  g_object_unref (chooser);
  g_object_unref (self);
}

/* Downloads the items called @names of the folder shown into @folder, each under its own
 * name; returns how many started. */
static guint
download_names_into (TetherFilesPage    *self,
                     const char * const *names,
                     GFile              *folder)
{
  guint started = 0;

  for (guint i = 0; names[i] != NULL; i++) {
    g_autoptr(GFile) local = g_file_get_child (folder, names[i]);

    if (tether_files_page_download_file (self, names[i], local) != NULL)
      started++;
  }
  return started;
}

static GStrv
selected_names (TetherFilesPage *self)
{
  g_autoptr(GPtrArray) items = _tether_files_page_dup_selected (self);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < items->len; i++)
    g_strv_builder_add (builder, g_file_info_get_name (g_ptr_array_index (items, i)));
  return g_strv_builder_end (builder);
}

/* Several items into a folder: what of them exists there already is asked about first,
 * never replaced silently. The checks run asynchronously (no disk on the UI thread). */
typedef struct {
  GWeakRef page;               /* weakly, as the listing (see _tether_files_page_hold ()) */
  GStrv names;
  GFile *folder;
  guint pending;
  guint existing;
} FolderDownload;

static void
folder_download_free (FolderDownload *download)
{
  g_weak_ref_clear (&download->page);
  g_strfreev (download->names);
  g_object_unref (download->folder);
  g_free (download);
}

static void
on_replace_chosen (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  FolderDownload *download = user_data;
  g_autoptr(TetherFilesPage) self = g_weak_ref_get (&download->page);
  g_autofree char *response = NULL;

  response = tether_message_dialog_choose_finish (ADW_MESSAGE_DIALOG (source), result, NULL);
  if (g_strcmp0 (response, "replace") == 0 && self != NULL)
    download_names_into (self, (const char * const *) download->names, download->folder);
  folder_download_free (download);
}

static void
on_target_checked (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  FolderDownload *download = user_data;
  g_autoptr(GFileInfo) info = g_file_query_info_finish (G_FILE (source), result, NULL);
  g_autoptr(TetherFilesPage) self = NULL;
  GtkRoot *root;
  AdwMessageDialog *dialog;
  g_autofree char *folder_name = NULL;

  if (info != NULL)
    download->existing++;
  if (--download->pending > 0)
    return;
  self = g_weak_ref_get (&download->page);
  if (self == NULL) {
    folder_download_free (download);
    return;
  }
  if (download->existing == 0) {
    download_names_into (self, (const char * const *) download->names, download->folder);
    folder_download_free (download);
    return;
  }
  root = gtk_widget_get_root (GTK_WIDGET (self));
  folder_name = g_file_get_parse_name (download->folder);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ?
                                                       GTK_WINDOW (root) : NULL,
                                                       _("Replace Existing Files?"), NULL));
  adw_message_dialog_format_body (dialog,
                                  ngettext ("%u of the items is already in “%s”. Downloading "
                                            "replaces it; a folder's files are replaced one "
                                            "by one.",
                                            "%u of the items are already in “%s”. Downloading "
                                            "replaces them; a folder's files are replaced one "
                                            "by one.", download->existing),
                                  download->existing, folder_name);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "replace", _("_Replace"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "replace", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  tether_message_dialog_choose_async (dialog, NULL, on_replace_chosen, download);
}

static void
download_into_folder (TetherFilesPage *self,
                      GStrv            names,
                      GFile           *folder)
{
  FolderDownload *download;

  if (names == NULL || names[0] == NULL) {
    g_strfreev (names);
    return;
  }
  download = g_new0 (FolderDownload, 1);
  g_weak_ref_init (&download->page, self);
  download->names = names;
  download->folder = g_object_ref (folder);
  download->pending = g_strv_length (names);
  for (guint i = 0; names[i] != NULL; i++) {
    g_autoptr(GFile) target = g_file_get_child (folder, names[i]);

    g_file_query_info_async (target, G_FILE_ATTRIBUTE_STANDARD_TYPE,
                             G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, G_PRIORITY_DEFAULT, NULL,
                             on_target_checked, download);
  }
}

/**
 * tether_files_page_download_selected:
 * @self: a files page
 * @folder: a local folder
 *
 * Downloads the selected files and folders into @folder, each under its own name (what
 * Download does when several rows or a folder are selected). When some of them exist
 * there already, a dialog asks before they are replaced.
 */
void
tether_files_page_download_selected (TetherFilesPage *self,
                                     GFile           *folder)
{
  g_return_if_fail (TETHER_IS_FILES_PAGE (self));
  g_return_if_fail (G_IS_FILE (folder));

  download_into_folder (self, selected_names (self), folder);
}

static void
on_download_folder_chosen (GtkNativeDialog *chooser,
                           int              response,
                           TetherFilesPage *self)
{
  if (response == GTK_RESPONSE_ACCEPT) {
    g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
    GStrv names = g_object_steal_data (G_OBJECT (chooser), "tether-names");

    if (folder != NULL)
      download_into_folder (self, names, folder);
    else
      g_strfreev (names);
  }
  g_object_unref (chooser);
  g_object_unref (self);
}

static void
download_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TetherFilesPage *self = TETHER_FILES_PAGE (widget);
  GFileInfo *info = _tether_files_page_get_single_selected (self);
  GtkFileChooserNative *chooser;

  /* Several rows, or a folder: they keep their names, in a folder chosen for them. */
  if (info == NULL || g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY) {
    g_auto(GStrv) names = selected_names (self);

    if (names[0] == NULL)
      return;
    chooser = gtk_file_chooser_native_new (_("Download Into Folder"),
                                           GTK_WINDOW (gtk_widget_get_root (widget)),
                                           GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                           _("_Download"), NULL);
    g_object_set_data_full (G_OBJECT (chooser), "tether-names", g_steal_pointer (&names),
                            (GDestroyNotify) g_strfreev);
    g_signal_connect (chooser, "response", G_CALLBACK (on_download_folder_chosen),
                      g_object_ref (self));
    gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
    return;
  }
  chooser = gtk_file_chooser_native_new (_("Download File"),
                                         GTK_WINDOW (gtk_widget_get_root (widget)),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Download"), NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser),
                                     g_file_info_get_display_name (info));
  g_object_set_data_full (G_OBJECT (chooser), "tether-name",
                          g_strdup (g_file_info_get_name (info)), g_free);
  g_signal_connect (chooser, "response", G_CALLBACK (on_download_chosen), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
_tether_files_page_class_transfers_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "files.upload", NULL, upload_activated);
  gtk_widget_class_install_action (widget_class, "files.download", NULL, download_activated);
}
