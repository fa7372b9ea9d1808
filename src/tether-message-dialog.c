/* tether-message-dialog.c: presents an AdwMessageDialog and completes a task with the id of
 * the response the user chose, then destroys the dialog (libadwaita 1.2 only hides it, and a
 * hidden dialog would outlive its parent). The dialog classes that decide something
 * (TetherCloseDialog, TetherPasteDialog, TetherHostKeyDialog, TetherSecretDialog) run on it.
 *
 * Closing the dialog (Escape) is its close response, an answer like any other. Cancelling
 * @cancellable, possibly from another thread, or destroying the dialog unanswered ends the
 * task with G_IO_ERROR_CANCELLED.
 *
 * The answer arrives while the dialog responds, as a GtkDialog's response handler runs, not
 * in a later main loop iteration as a GTask's callback may: whoever answers (a button, a
 * test) finds its effect done when the response returns, and a tab view that waits for
 * adw_tab_view_close_page_finish () is told before anything else can close the page. So the
 * task has no callback of its own; the caller's is called once the task has its result. */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-message-dialog.h"

typedef struct {
  AdwMessageDialog *dialog;
  GCancellable *cancellable;
  gulong cancelled_id;
  gboolean done;
  GAsyncReadyCallback callback;
  gpointer user_data;
} Choice;

static void
choice_free (Choice *choice)
{
  g_assert (choice->cancelled_id == 0);

  g_clear_object (&choice->dialog);
  g_clear_object (&choice->cancellable);
  g_free (choice);
}

static gboolean
release_dialog (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

/* Answered or abandoned: forget the dialog, which breaks the dialog -> handler -> task ->
 * dialog cycle, and take it off the screen. */
static void
choice_end (GTask *task)
{
  Choice *choice = g_task_get_task_data (task);
  AdwMessageDialog *dialog = g_steal_pointer (&choice->dialog);

  choice->done = TRUE;
  if (choice->cancelled_id != 0) {
    g_cancellable_disconnect (choice->cancellable, choice->cancelled_id);
    choice->cancelled_id = 0;
  }
  if (dialog == NULL)
    return;

  g_signal_handlers_disconnect_by_data (dialog, task);
  /* libadwaita 1.2's entry rows react to losing focus while being disposed: let them lose it
   * first. */
  gtk_window_set_focus (GTK_WINDOW (dialog), NULL);
  gtk_window_destroy (GTK_WINDOW (dialog));
  /* The answer may close the parent (Close Window?) before the idle below lets the dialog go:
   * disposing it then would disconnect from a parent already finalized. */
  gtk_window_set_transient_for (GTK_WINDOW (dialog), NULL);
  /* Whoever answered (a button, a test) is still in the dialog's "response" emission and may
   * use it until that returns: let the last reference go later. */
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, release_dialog, dialog, NULL);
}

/* Calls back now; the task completes its own (empty) callback later as usual. */
static void
choice_call_back (GTask *task)
{
  Choice *choice = g_task_get_task_data (task);

  if (choice->callback != NULL)
    choice->callback (g_task_get_source_object (task), G_ASYNC_RESULT (task),
                      choice->user_data);
}

static void
on_response (AdwMessageDialog *dialog,
             const char       *response,
             GTask            *task)
{
  g_autoptr(GTask) keep = g_object_ref (task);
  Choice *choice = g_task_get_task_data (task);

  if (choice->done)
    return;

  choice_end (task);
  /* Whoever asked gave up meanwhile: the answer no longer matters. */
  if (!g_task_return_error_if_cancelled (task))
    g_task_return_pointer (task, g_strdup (response), g_free);
  choice_call_back (task);
}

static gboolean
end_abandoned_choice (gpointer data)
{
  GTask *task = data;
  Choice *choice = g_task_get_task_data (task);

  if (choice->done)
    return G_SOURCE_REMOVE;

  choice_end (task);
  g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, "%s",
                           _("The dialog was closed without an answer"));
  choice_call_back (task);

  return G_SOURCE_REMOVE;
}

/* Destroyed, maybe unanswered (with its parent, say). GTK 4's gtk_window_destroy () takes a
 * window off the screen and the toplevel list but disposes it only with its last reference,
 * and the task holds one: so watch for what destroying does at once, unrealizing. A response
 * button destroys its dialog before it responds: wait for that answer before giving up. */
static void
on_unrealize (AdwMessageDialog *dialog,
              GTask            *task)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  /* The dialog outlives a parent that took it along (the task holds it): forget the parent
   * while it is still there to be forgotten. */
  gtk_window_set_transient_for (GTK_WINDOW (dialog), NULL);

  g_source_set_callback (source, end_abandoned_choice, g_object_ref (task), g_object_unref);
  g_source_set_static_name (source, "[tether] end abandoned dialog");
  g_source_attach (source, g_task_get_context (task));
}

static gboolean
close_cancelled_dialog (gpointer data)
{
  GTask *task = data;
  Choice *choice = g_task_get_task_data (task);

  if (choice->done)
    return G_SOURCE_REMOVE;

  choice_end (task);
  g_task_return_error_if_cancelled (task);
  choice_call_back (task);

  return G_SOURCE_REMOVE;
}

static void
on_cancelled (GCancellable *cancellable,
              GTask        *task)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  /* A cancellable may fire on any thread, and disconnecting from inside its own emission
   * deadlocks: close the dialog later, on the task's context. */
  g_source_set_callback (source, close_cancelled_dialog, g_object_ref (task), g_object_unref);
  g_source_set_static_name (source, "[tether] close cancelled dialog");
  g_source_attach (source, g_task_get_context (task));
}

/**
 * tether_message_dialog_choose_async:
 * @dialog: a dialog with its responses
 * @cancellable: (nullable): closes the dialog when cancelled
 * @callback: called with the answer
 * @user_data: data for @callback
 *
 * Presents @dialog and waits for the user's response. The dialog is destroyed once answered.
 */
void
tether_message_dialog_choose_async (AdwMessageDialog    *dialog,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Choice *choice;

  g_return_if_fail (ADW_IS_MESSAGE_DIALOG (dialog));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (dialog, cancellable, NULL, NULL);
  g_task_set_source_tag (task, tether_message_dialog_choose_async);
  g_task_set_name (task, "[tether] choose in dialog");

  choice = g_new0 (Choice, 1);
  choice->callback = callback;
  choice->user_data = user_data;
  /* A GtkWindow is owned by the toplevel list, not by its creator: hold it while asking. */
  choice->dialog = g_object_ref (dialog);
  if (cancellable != NULL)
    choice->cancellable = g_object_ref (cancellable);
  g_task_set_task_data (task, choice, (GDestroyNotify) choice_free);

  /* Already withdrawn: say so in an idle, as an async function should, without asking. */
  if (g_cancellable_is_cancelled (cancellable)) {
    on_cancelled (cancellable, task);
    return;
  }

  /* After the class handler: a dialog class reads its entries in its response vfunc, before
   * they go with the dialog. */
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_response), g_object_ref (task),
                         (GClosureNotify) (void (*) (void)) g_object_unref, G_CONNECT_AFTER);
  g_signal_connect_data (dialog, "unrealize", G_CALLBACK (on_unrealize), g_object_ref (task),
                         (GClosureNotify) (void (*) (void)) g_object_unref, G_CONNECT_DEFAULT);
  gtk_window_present (GTK_WINDOW (dialog));

  if (cancellable != NULL)
    choice->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_cancelled),
                                                  g_object_ref (task), g_object_unref);
}

/**
 * tether_message_dialog_choose_finish:
 * @dialog: the dialog given to tether_message_dialog_choose_async ()
 * @result: the result
 * @error: set to G_IO_ERROR_CANCELLED when the question was withdrawn
 *
 * Returns: (transfer full) (nullable): the id of the chosen response, or %NULL on error
 */
char *
tether_message_dialog_choose_finish (AdwMessageDialog  *dialog,
                                     GAsyncResult      *result,
                                     GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, dialog), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, tether_message_dialog_choose_async),
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
