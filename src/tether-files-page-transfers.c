/* tether-files-page-transfers.c: the files page's uploads and downloads: the Upload and
 * Download buttons' file choosers, the transfers popover's rows (name, progress, speed,
 * Cancel) and the calls behind them, which tests make with a GFile. */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-files-page-private.h"

/* ------------------------------------------------------------------------- */
/* Transfers                                                                 */

static void
update_transfer_row (TetherTransfer *transfer,
                     GParamSpec     *pspec,
                     GtkWidget      *row)
{
  GtkProgressBar *bar = g_object_get_data (G_OBJECT (row), "tether-bar");
  GtkLabel *detail = g_object_get_data (G_OBJECT (row), "tether-detail");
  GtkWidget *cancel = g_object_get_data (G_OBJECT (row), "tether-cancel");
  guint64 done = tether_transfer_get_bytes_done (transfer);
  guint64 total = tether_transfer_get_bytes_total (transfer);
  g_autofree char *done_text = g_format_size (done);
  g_autofree char *total_text = g_format_size (total);
  g_autofree char *speed_text = NULL;
  g_autofree char *text = NULL;

  gtk_progress_bar_set_fraction (bar, total > 0 ? (double) done / (double) total : 0.0);
  switch (tether_transfer_get_state (transfer)) {
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
  gtk_widget_set_visible (cancel, tether_transfer_get_state (transfer) <=
                                  TETHER_TRANSFER_STATE_RUNNING);
}

static void
on_cancel_clicked (GtkButton      *button,
                   TetherTransfer *transfer)
{
  g_cancellable_cancel (g_object_get_data (G_OBJECT (transfer), "tether-cancellable"));
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
  GtkWidget *cancel = gtk_button_new_from_icon_name ("process-stop-symbolic");

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
  gtk_widget_set_tooltip_text (cancel, _("Cancel Transfer"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (cancel), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Cancel Transfer"), -1);
  gtk_widget_set_valign (cancel, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (cancel, "flat");
  gtk_box_append (GTK_BOX (texts), name);
  gtk_box_append (GTK_BOX (texts), bar);
  gtk_box_append (GTK_BOX (texts), detail);
  gtk_box_append (GTK_BOX (row), texts);
  gtk_box_append (GTK_BOX (row), cancel);

  g_object_set_data (G_OBJECT (row), "tether-bar", bar);
  g_object_set_data (G_OBJECT (row), "tether-detail", detail);
  g_object_set_data (G_OBJECT (row), "tether-cancel", cancel);
  g_signal_connect_object (cancel, "clicked", G_CALLBACK (on_cancel_clicked), transfer,
                           G_CONNECT_DEFAULT);
  g_signal_connect_object (transfer, "notify", G_CALLBACK (update_transfer_row), row,
                           G_CONNECT_DEFAULT);
  update_transfer_row (transfer, NULL, row);
  return row;
}

static TetherTransfer *
add_transfer (TetherFilesPage *self,
              const char      *name)
{
  TetherTransfer *transfer = tether_transfer_new ();

  g_object_set_data_full (G_OBJECT (transfer), "tether-name", g_strdup (name), g_free);
  g_object_set_data_full (G_OBJECT (transfer), "tether-cancellable", g_cancellable_new (),
                          g_object_unref);
  g_list_store_insert (self->transfers, 0, transfer);
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
  TetherTransfer *transfer;
  TransferDone *done;

  g_return_val_if_fail (TETHER_IS_FILES_PAGE (self), NULL);
  g_return_val_if_fail (G_IS_FILE (local), NULL);

  if (self->client == NULL || self->path == NULL)
    return NULL;

  name = g_file_get_basename (local);
  remote = _tether_files_page_child_path (self->path, name);
  transfer = add_transfer (self, name);
  done = g_new0 (TransferDone, 1);
  g_weak_ref_init (&done->page, self);
  done->folder = g_strdup (self->path);
  tether_sftp_client_upload_async (self->client, local, remote, transfer,
                                   g_object_get_data (G_OBJECT (transfer), "tether-cancellable"),
                                   on_upload_done, done);
  return transfer;
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
  TransferDone *done;

  g_return_val_if_fail (TETHER_IS_FILES_PAGE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (G_IS_FILE (local), NULL);

  if (self->client == NULL || self->path == NULL)
    return NULL;

  remote = _tether_files_page_child_path (self->path, name);
  transfer = add_transfer (self, name);
  done = g_new0 (TransferDone, 1);
  g_weak_ref_init (&done->page, self);
  tether_sftp_client_download_async (self->client, remote, local, transfer,
                                     g_object_get_data (G_OBJECT (transfer),
                                                        "tether-cancellable"),
                                     on_download_done, done);
  return transfer;
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

static void
download_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  TetherFilesPage *self = TETHER_FILES_PAGE (widget);
  GFileInfo *info = gtk_single_selection_get_selected_item (self->selection);
  GtkFileChooserNative *chooser;

  if (info == NULL)
    return;
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
