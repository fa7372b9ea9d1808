/* tether-close-dialog.c: asks before closing a tab or a window whose shells still run, since
 * closing ends them and whatever runs in them. Cancel is the default and the close response:
 * Enter or Escape keep the shells. */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-close-dialog.h"
#include "tether-message-dialog.h"

#define RESPONSE_CLOSE "close"

struct _TetherCloseDialog
{
  AdwMessageDialog parent_instance;
};

G_DEFINE_FINAL_TYPE (TetherCloseDialog, tether_close_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
tether_close_dialog_class_init (TetherCloseDialogClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tetherssh/Tether/"
                                               "tether-close-dialog.ui");
}

static void
tether_close_dialog_init (TetherCloseDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * tether_close_dialog_new_for_tab:
 * @parent: the window of the tab
 * @destination: where the tab's shell runs (user@host)
 *
 * Returns: (transfer none): a dialog asking whether to close one terminal tab
 */
TetherCloseDialog *
tether_close_dialog_new_for_tab (GtkWindow  *parent,
                                 const char *destination)
{
  TetherCloseDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (destination != NULL, NULL);

  self = g_object_new (TETHER_TYPE_CLOSE_DIALOG,
                       "transient-for", parent,
                       "heading", _("Close Terminal?"),
                       NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (self),
                                  _("The shell on %s is still running. Closing the tab ends "
                                    "it and any program running in it."),
                                  destination);

  return self;
}

/**
 * tether_close_dialog_new_for_window:
 * @parent: the window to close
 * @n_connected: how many of its terminals are connected
 *
 * Returns: (transfer none): a dialog asking whether to close a whole window
 */
TetherCloseDialog *
tether_close_dialog_new_for_window (GtkWindow *parent,
                                    guint      n_connected)
{
  TetherCloseDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  self = g_object_new (TETHER_TYPE_CLOSE_DIALOG,
                       "transient-for", parent,
                       "heading", _("Close Window?"),
                       NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (self),
                                  ngettext ("%u terminal in this window is still connected. "
                                            "Closing the window ends its shell and any program "
                                            "running in it.",
                                            "%u terminals in this window are still connected. "
                                            "Closing the window ends their shells and any "
                                            "programs running in them.", n_connected),
                                  n_connected);
  adw_message_dialog_set_response_label (ADW_MESSAGE_DIALOG (self), RESPONSE_CLOSE,
                                         _("C_lose Window"));

  return self;
}

/**
 * tether_close_dialog_run_async:
 * @self: a dialog
 * @cancellable: (nullable): withdraws the question
 * @callback: called with the decision
 * @user_data: data for @callback
 *
 * Presents the dialog; it goes once answered.
 */
void
tether_close_dialog_run_async (TetherCloseDialog   *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (TETHER_IS_CLOSE_DIALOG (self));

  tether_message_dialog_choose_async (ADW_MESSAGE_DIALOG (self), cancellable, callback,
                                      user_data);
}

/**
 * tether_close_dialog_run_finish:
 * @self: a dialog
 * @result: the result
 * @error: G_IO_ERROR_CANCELLED when the question was withdrawn
 *
 * Returns: %TRUE to close, %FALSE to keep the shells (or on error)
 */
gboolean
tether_close_dialog_run_finish (TetherCloseDialog  *self,
                                GAsyncResult       *result,
                                GError            **error)
{
  g_autofree char *response = NULL;

  g_return_val_if_fail (TETHER_IS_CLOSE_DIALOG (self), FALSE);

  response = tether_message_dialog_choose_finish (ADW_MESSAGE_DIALOG (self), result, error);

  return g_strcmp0 (response, RESPONSE_CLOSE) == 0;
}
