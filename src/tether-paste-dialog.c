/* tether-paste-dialog.c: asks before pasting several lines into a terminal, since each line
 * may run as a command on the server. It shows the first lines of what would be pasted;
 * Cancel is the default, so that Enter pressed out of habit pastes nothing. */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-message-dialog.h"
#include "tether-paste-dialog.h"

#define RESPONSE_PASTE "paste"

/* How many lines of a multi-line paste the confirmation shows. */
#define PASTE_PREVIEW_LINES 5

struct _TetherPasteDialog
{
  AdwMessageDialog parent_instance;
};

G_DEFINE_FINAL_TYPE (TetherPasteDialog, tether_paste_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
tether_paste_dialog_class_init (TetherPasteDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tetherssh/Tether/"
                                               "tether-paste-dialog.ui");
}

static void
tether_paste_dialog_init (TetherPasteDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

static char *
paste_preview (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", PASTE_PREVIEW_LINES + 1);
  GString *preview = g_string_new (NULL);

  for (guint i = 0; lines[i] != NULL && i < PASTE_PREVIEW_LINES; i++) {
    if (i > 0)
      g_string_append_c (preview, '\n');
    g_string_append (preview, lines[i]);
  }
  if (g_strv_length (lines) > PASTE_PREVIEW_LINES)
    g_string_append (preview, "\n…");

  return g_string_free (preview, FALSE);
}

/**
 * tether_paste_dialog_new:
 * @parent: (nullable): the window of the terminal
 * @text: what would be pasted
 *
 * Returns: (transfer none): a dialog asking whether to paste @text
 */
TetherPasteDialog *
tether_paste_dialog_new (GtkWindow  *parent,
                         const char *text)
{
  g_autofree char *preview = NULL;
  g_autofree char *markup_preview = NULL;
  g_autofree char *body = NULL;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (text != NULL, NULL);

  preview = paste_preview (text);
  markup_preview = g_markup_escape_text (preview, -1);
  body = g_strdup_printf ("%s\n\n<tt>%s</tt>",
                          _("Each line may run as a command on the server."),
                          markup_preview);

  return g_object_new (TETHER_TYPE_PASTE_DIALOG,
                       "transient-for", parent,
                       "body", body,
                       NULL);
}

/**
 * tether_paste_dialog_run_async:
 * @self: a dialog
 * @cancellable: (nullable): withdraws the question
 * @callback: called with the decision
 * @user_data: data for @callback
 *
 * Presents the dialog; it goes once answered.
 */
void
tether_paste_dialog_run_async (TetherPasteDialog   *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (TETHER_IS_PASTE_DIALOG (self));

  tether_message_dialog_choose_async (ADW_MESSAGE_DIALOG (self), cancellable, callback,
                                      user_data);
}

/**
 * tether_paste_dialog_run_finish:
 * @self: a dialog
 * @result: the result
 * @error: G_IO_ERROR_CANCELLED when the question was withdrawn
 *
 * Returns: %TRUE to paste, %FALSE not to (or on error)
 */
gboolean
tether_paste_dialog_run_finish (TetherPasteDialog  *self,
                                GAsyncResult       *result,
                                GError            **error)
{
  g_autofree char *response = NULL;

  g_return_val_if_fail (TETHER_IS_PASTE_DIALOG (self), FALSE);

  response = tether_message_dialog_choose_finish (ADW_MESSAGE_DIALOG (self), result, error);

  return g_strcmp0 (response, RESPONSE_PASTE) == 0;
}
