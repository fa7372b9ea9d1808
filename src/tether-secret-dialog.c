/* tether-secret-dialog.c: a login question with one entry row per answer (hidden as typed
 * unless the server allows otherwise) and, for a saved host, a "Remember" check button. Log In
 * is the default: Enter in any entry answers.
 *
 * The answers are read when the user responds, before the entries go with the dialog. Cancel
 * and Escape are an answer too: no answers (%NULL), and no error. */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-message-dialog.h"
#include "tether-secret-dialog.h"

#define RESPONSE_LOG_IN "log-in"

struct _TetherSecretDialog
{
  AdwMessageDialog parent_instance;

  GPtrArray *entries;           /* GtkEditable, one per answer */
  char **answers;               /* their texts, read on Log In */
  gboolean remember_active;

  GtkWidget *extra_box;
  GtkListBox *entry_list;
  GtkCheckButton *remember_button;  /* only where remembering is offered */
};

G_DEFINE_FINAL_TYPE (TetherSecretDialog, tether_secret_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
tether_secret_dialog_response (AdwMessageDialog *dialog,
                               const char       *response)
{
  TetherSecretDialog *self = TETHER_SECRET_DIALOG (dialog);

  /* Once: a dialog being destroyed may still answer its close response. */
  if (self->answers != NULL || !g_str_equal (response, RESPONSE_LOG_IN))
    return;

  self->answers = g_new0 (char *, self->entries->len + 1);
  for (guint i = 0; i < self->entries->len; i++)
    self->answers[i] = g_strdup (gtk_editable_get_text (g_ptr_array_index (self->entries, i)));
  self->remember_active = self->remember_button != NULL &&
                          gtk_check_button_get_active (self->remember_button);
}

static void
tether_secret_dialog_dispose (GObject *object)
{
  TetherSecretDialog *self = TETHER_SECRET_DIALOG (object);

  /* The widgets go with the dialog; what they held was read on Log In. */
  g_ptr_array_set_size (self->entries, 0);
  self->remember_button = NULL;

  G_OBJECT_CLASS (tether_secret_dialog_parent_class)->dispose (object);
}

static void
tether_secret_dialog_finalize (GObject *object)
{
  TetherSecretDialog *self = TETHER_SECRET_DIALOG (object);

  g_clear_pointer (&self->entries, g_ptr_array_unref);
  g_clear_pointer (&self->answers, g_strfreev);

  G_OBJECT_CLASS (tether_secret_dialog_parent_class)->finalize (object);
}

static void
tether_secret_dialog_class_init (TetherSecretDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  AdwMessageDialogClass *dialog_class = ADW_MESSAGE_DIALOG_CLASS (klass);

  object_class->dispose = tether_secret_dialog_dispose;
  object_class->finalize = tether_secret_dialog_finalize;
  dialog_class->response = tether_secret_dialog_response;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tetherssh/Tether/"
                                               "tether-secret-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TetherSecretDialog, extra_box);
  gtk_widget_class_bind_template_child (widget_class, TetherSecretDialog, entry_list);
}

static void
tether_secret_dialog_init (TetherSecretDialog *self)
{
  self->entries = g_ptr_array_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * tether_secret_dialog_new:
 * @parent: (nullable): the window to ask in front of
 * @heading: what is asked for
 * @body: (nullable): why, and for what
 *
 * Returns: (transfer none): a dialog without entries yet
 */
TetherSecretDialog *
tether_secret_dialog_new (GtkWindow  *parent,
                          const char *heading,
                          const char *body)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (heading != NULL, NULL);

  return g_object_new (TETHER_TYPE_SECRET_DIALOG,
                       "transient-for", parent,
                       "heading", heading,
                       "body", body != NULL ? body : "",
                       NULL);
}

static void
on_entry_activated (TetherSecretDialog *self)
{
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (self), RESPONSE_LOG_IN);
}

/**
 * tether_secret_dialog_add_entry:
 * @self: a dialog
 * @title: the entry row's title
 * @visible: whether what is typed shows
 *
 * Adds an entry for one more answer; answers come back in the order of their entries.
 *
 * Returns: (transfer none): the entry row
 */
GtkWidget *
tether_secret_dialog_add_entry (TetherSecretDialog *self,
                                const char         *title,
                                gboolean            visible)
{
  GtkWidget *row;

  g_return_val_if_fail (TETHER_IS_SECRET_DIALOG (self), NULL);
  g_return_val_if_fail (title != NULL, NULL);

  row = visible ? adw_entry_row_new () : adw_password_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_list_box_append (self->entry_list, row);
  g_ptr_array_add (self->entries, row);
  g_signal_connect_object (row, "entry-activated", G_CALLBACK (on_entry_activated), self,
                           G_CONNECT_SWAPPED);

  gtk_widget_set_visible (GTK_WIDGET (self->entry_list), TRUE);
  gtk_widget_set_visible (self->extra_box, TRUE);

  return row;
}

/**
 * tether_secret_dialog_set_remember_label:
 * @self: a dialog
 * @label: the check button's label, with a mnemonic
 *
 * Offers to remember the answer.
 */
void
tether_secret_dialog_set_remember_label (TetherSecretDialog *self,
                                         const char         *label)
{
  g_return_if_fail (TETHER_IS_SECRET_DIALOG (self));
  g_return_if_fail (label != NULL);

  if (self->remember_button == NULL) {
    self->remember_button = GTK_CHECK_BUTTON (gtk_check_button_new ());
    gtk_check_button_set_use_underline (self->remember_button, TRUE);
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->remember_button),
                                 _("Keep it in the keyring for the next time"));
    gtk_box_append (GTK_BOX (self->extra_box), GTK_WIDGET (self->remember_button));
  }
  gtk_check_button_set_label (self->remember_button, label);
  gtk_widget_set_visible (self->extra_box, TRUE);
}

/**
 * tether_secret_dialog_run_async:
 * @self: a dialog
 * @cancellable: (nullable): withdraws the question (the connection gave up)
 * @callback: called with the answers
 * @user_data: data for @callback
 *
 * Presents the dialog with the first entry focused; it goes once answered.
 */
void
tether_secret_dialog_run_async (TetherSecretDialog  *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (TETHER_IS_SECRET_DIALOG (self));

  tether_message_dialog_choose_async (ADW_MESSAGE_DIALOG (self), cancellable, callback,
                                      user_data);
  if (self->entries->len > 0 && gtk_widget_get_visible (GTK_WIDGET (self)))
    gtk_widget_grab_focus (g_ptr_array_index (self->entries, 0));
}

/**
 * tether_secret_dialog_run_finish:
 * @self: a dialog
 * @result: the result
 * @remember: (out) (optional): whether the user asked to remember the answer
 * @error: G_IO_ERROR_CANCELLED when the question was withdrawn
 *
 * Returns: (transfer full) (nullable): the answers in the order of the entries, or %NULL when
 *   the user declined (Cancel, Escape) or on error
 */
char **
tether_secret_dialog_run_finish (TetherSecretDialog  *self,
                                 GAsyncResult        *result,
                                 gboolean            *remember,
                                 GError             **error)
{
  g_autofree char *response = NULL;

  g_return_val_if_fail (TETHER_IS_SECRET_DIALOG (self), NULL);

  if (remember != NULL)
    *remember = FALSE;

  response = tether_message_dialog_choose_finish (ADW_MESSAGE_DIALOG (self), result, error);
  if (response == NULL || !g_str_equal (response, RESPONSE_LOG_IN) || self->answers == NULL)
    return NULL;

  if (remember != NULL)
    *remember = self->remember_active;

  return g_steal_pointer (&self->answers);
}
