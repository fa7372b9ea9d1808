/* tether-host-key-dialog.c: asks whether to trust a host key: an unknown one (or one of a type
 * not saved yet) can be accepted once or saved; a changed one can only replace the saved key
 * after a second confirmation; a revoked one is refused. Cancel is always the default.
 *
 * The decision is a TetherHostKeyDecision; Cancel, Escape and anything unanswered reject. */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-host-key-dialog.h"
#include "tether-message-dialog.h"

/* Response ids; tests answer the dialogs with these. */
#define RESPONSE_CANCEL "cancel"
#define RESPONSE_ACCEPT_ONCE "once"
#define RESPONSE_ACCEPT_AND_SAVE "save"
#define RESPONSE_REPLACE "replace"

struct _TetherHostKeyDialog
{
  AdwMessageDialog parent_instance;

  TetherHostKeyInfo *info;

  GtkLabel *fingerprint_label;
  GtkLabel *randomart_label;
};

G_DEFINE_FINAL_TYPE (TetherHostKeyDialog, tether_host_key_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
tether_host_key_dialog_dispose (GObject *object)
{
  TetherHostKeyDialog *self = TETHER_HOST_KEY_DIALOG (object);

  g_clear_object (&self->info);

  G_OBJECT_CLASS (tether_host_key_dialog_parent_class)->dispose (object);
}

static void
tether_host_key_dialog_class_init (TetherHostKeyDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = tether_host_key_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/github/tetherssh/Tether/"
                                               "tether-host-key-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, TetherHostKeyDialog, fingerprint_label);
  gtk_widget_class_bind_template_child (widget_class, TetherHostKeyDialog, randomart_label);
}

static void
tether_host_key_dialog_init (TetherHostKeyDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

static char *
dup_host_and_port (TetherHostKeyInfo *info)
{
  const char *hostname = tether_host_key_info_get_hostname (info);
  guint port = tether_host_key_info_get_port (info);

  if (port == TETHER_DEFAULT_PORT || port == 0)
    return g_strdup (hostname);

  /* An IPv6 address needs brackets before a port, as in known_hosts. */
  if (strchr (hostname, ':') != NULL)
    return g_strdup_printf ("[%s]:%u", hostname, port);

  return g_strdup_printf ("%s:%u", hostname, port);
}

static void
setup_unknown_key (TetherHostKeyDialog *self)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (self);
  g_autofree char *where = dup_host_and_port (self->info);
  g_autofree char *heading = NULL;

  /* The fingerprint is the extra child's, on a line of its own. */
  if (tether_host_key_info_get_status (self->info) == TETHER_HOST_KEY_STATUS_OTHER_TYPE)
    /* Translators: %s is a key type (ssh-ed25519) */
    adw_message_dialog_format_body (dialog,
                                    _("This host is known by a key of another type, but not "
                                      "by this %s key. Check its fingerprint below with the "
                                      "server’s administrator before you trust it."),
                                    tether_host_key_info_get_key_type (self->info));
  else
    /* Translators: %s is a key type (ssh-ed25519) */
    adw_message_dialog_format_body (dialog,
                                    _("Tether has not connected to this host before. Check "
                                      "the fingerprint of its %s key below with the server’s "
                                      "administrator before you trust it."),
                                    tether_host_key_info_get_key_type (self->info));
  gtk_label_set_label (self->fingerprint_label,
                       tether_host_key_info_get_fingerprint (self->info));

  /* Translators: %s is a host name, maybe with a port */
  heading = g_strdup_printf (_("Trust “%s”?"), where);
  adw_message_dialog_set_heading (dialog, heading);
  adw_message_dialog_add_responses (dialog,
                                    RESPONSE_ACCEPT_ONCE, _("Accept _Once"),
                                    RESPONSE_ACCEPT_AND_SAVE, _("Accept and _Save"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, RESPONSE_ACCEPT_AND_SAVE,
                                              ADW_RESPONSE_SUGGESTED);
}

static void
setup_changed_key (TetherHostKeyDialog *self)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (self);
  g_autofree char *where = dup_host_and_port (self->info);
  const char *old_fingerprint = tether_host_key_info_get_old_fingerprint (self->info);
  g_autofree char *fingerprints = NULL;

  adw_message_dialog_set_heading (dialog, _("Host Key Changed"));
  /* Translators: a host name, then a line number and a file */
  adw_message_dialog_format_body (dialog,
                                  _("The key of “%s” is not the one saved before. Someone may "
                                    "be intercepting the connection, or the server was "
                                    "reinstalled. The saved key is on line %u of %s."),
                                  where,
                                  tether_host_key_info_get_known_hosts_line (self->info),
                                  tether_host_key_info_get_known_hosts_file (self->info));
  /* Translators: the old and the new fingerprint, one a line */
  fingerprints = g_strdup_printf (_("Saved: %s\nNew: %s"),
                                  old_fingerprint != NULL ? old_fingerprint : _("unknown"),
                                  tether_host_key_info_get_fingerprint (self->info));
  gtk_label_set_label (self->fingerprint_label, fingerprints);
  adw_message_dialog_add_response (dialog, RESPONSE_REPLACE, _("_Replace Saved Key…"));
  adw_message_dialog_set_response_appearance (dialog, RESPONSE_REPLACE,
                                              ADW_RESPONSE_DESTRUCTIVE);
}

static void
setup_revoked_key (TetherHostKeyDialog *self)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (self);
  g_autofree char *where = dup_host_and_port (self->info);

  adw_message_dialog_set_heading (dialog, _("Host Key Revoked"));
  /* Translators: a host name, a fingerprint, then a file */
  adw_message_dialog_format_body (dialog,
                                  _("The key of “%s” (%s) is marked as revoked in %s. Tether "
                                    "will not connect."),
                                  where, tether_host_key_info_get_fingerprint (self->info),
                                  tether_host_key_info_get_known_hosts_file (self->info));
  /* Nothing to look at: the key is refused whatever it looks like. */
  gtk_widget_set_visible (GTK_WIDGET (self->fingerprint_label), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->randomart_label), FALSE);
}

static TetherHostKeyDialog *
tether_host_key_dialog_new (GtkWindow         *parent,
                            TetherHostKeyInfo *info)
{
  TetherHostKeyDialog *self;
  const char *randomart;

  self = g_object_new (TETHER_TYPE_HOST_KEY_DIALOG, "transient-for", parent, NULL);
  self->info = g_object_ref (info);

  randomart = tether_host_key_info_get_randomart (info);
  gtk_label_set_label (self->randomart_label, randomart != NULL ? randomart : "");
  gtk_widget_set_visible (GTK_WIDGET (self->randomart_label),
                          randomart != NULL && *randomart != '\0');

  switch (tether_host_key_info_get_status (info)) {
  case TETHER_HOST_KEY_STATUS_CHANGED:
    setup_changed_key (self);
    break;
  case TETHER_HOST_KEY_STATUS_REVOKED:
    setup_revoked_key (self);
    break;
  case TETHER_HOST_KEY_STATUS_KNOWN:
  case TETHER_HOST_KEY_STATUS_UNKNOWN:
  case TETHER_HOST_KEY_STATUS_OTHER_TYPE:
  default:
    setup_unknown_key (self);
    break;
  }

  return self;
}

/* What a run needs after its first dialog has gone. */
typedef struct {
  GtkWindow *parent;
  TetherHostKeyInfo *info;
} Run;

static void
run_free (Run *run)
{
  g_clear_object (&run->parent);
  g_clear_object (&run->info);
  g_free (run);
}

static void
on_replace_confirmed (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *response = NULL;

  response = tether_message_dialog_choose_finish (ADW_MESSAGE_DIALOG (source), result, &error);
  if (response == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (g_str_equal (response, RESPONSE_REPLACE))
    g_task_return_int (task, TETHER_HOST_KEY_DECISION_ACCEPT_AND_SAVE);
  else
    g_task_return_int (task, TETHER_HOST_KEY_DECISION_REJECT);
}

/* Replacing a changed key throws away what protects the user from an impostor: ask again, in
 * a second dialog whose default is still not to. */
static void
confirm_replace (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  AdwMessageDialog *confirm;
  g_autofree char *body = NULL;

  body = g_strdup_printf (_("Only do this if you know that the server’s key was changed on "
                            "purpose. The old key in %s will be replaced by %s."),
                          tether_host_key_info_get_known_hosts_file (run->info),
                          tether_host_key_info_get_fingerprint (run->info));
  confirm = ADW_MESSAGE_DIALOG (adw_message_dialog_new (run->parent,
                                                        _("Replace the saved key?"), body));
  gtk_window_set_modal (GTK_WINDOW (confirm), TRUE);
  adw_message_dialog_add_responses (confirm,
                                    RESPONSE_CANCEL, _("_Cancel"),
                                    RESPONSE_REPLACE, _("_Replace Key"),
                                    NULL);
  adw_message_dialog_set_response_appearance (confirm, RESPONSE_REPLACE,
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (confirm, RESPONSE_CANCEL);
  adw_message_dialog_set_close_response (confirm, RESPONSE_CANCEL);

  tether_message_dialog_choose_async (confirm, g_task_get_cancellable (task),
                                      on_replace_confirmed, g_object_ref (task));
}

static void
on_chosen (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Run *run = g_task_get_task_data (task);
  TetherHostKeyStatus status = tether_host_key_info_get_status (run->info);
  g_autoptr(GError) error = NULL;
  g_autofree char *response = NULL;

  response = tether_message_dialog_choose_finish (ADW_MESSAGE_DIALOG (source), result, &error);
  if (response == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else if (status == TETHER_HOST_KEY_STATUS_CHANGED && g_str_equal (response, RESPONSE_REPLACE))
    confirm_replace (task);
  else if (g_str_equal (response, RESPONSE_ACCEPT_AND_SAVE) &&
           status != TETHER_HOST_KEY_STATUS_CHANGED &&
           status != TETHER_HOST_KEY_STATUS_REVOKED)
    g_task_return_int (task, TETHER_HOST_KEY_DECISION_ACCEPT_AND_SAVE);
  else if (g_str_equal (response, RESPONSE_ACCEPT_ONCE) &&
           status != TETHER_HOST_KEY_STATUS_REVOKED)
    g_task_return_int (task, TETHER_HOST_KEY_DECISION_ACCEPT_ONCE);
  else
    g_task_return_int (task, TETHER_HOST_KEY_DECISION_REJECT);
}

/**
 * tether_host_key_dialog_run_async:
 * @parent: (nullable): the window to ask in front of
 * @info: the key the server showed and what known_hosts says of it
 * @cancellable: (nullable): withdraws the question (the connection gave up)
 * @callback: called with the decision
 * @user_data: data for @callback
 *
 * Asks about @info in a TetherHostKeyDialog, and for a changed key in the confirmation after
 * it; they go once answered.
 */
void
tether_host_key_dialog_run_async (GtkWindow           *parent,
                                  TetherHostKeyInfo   *info,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Run *run;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (TETHER_IS_HOST_KEY_INFO (info));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, tether_host_key_dialog_run_async);
  g_task_set_name (task, "[tether] run host key dialog");
  run = g_new0 (Run, 1);
  run->parent = parent != NULL ? g_object_ref (parent) : NULL;
  run->info = g_object_ref (info);
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);

  tether_message_dialog_choose_async (ADW_MESSAGE_DIALOG (tether_host_key_dialog_new (parent,
                                                                                      info)),
                                      cancellable, on_chosen, g_steal_pointer (&task));
}

/**
 * tether_host_key_dialog_run_finish:
 * @result: the result
 * @error: G_IO_ERROR_CANCELLED when the question was withdrawn
 *
 * Returns: what to do with the key; %TETHER_HOST_KEY_DECISION_REJECT on error
 */
TetherHostKeyDecision
tether_host_key_dialog_run_finish (GAsyncResult  *result,
                                   GError       **error)
{
  GError *local_error = NULL;
  gssize decision;

  g_return_val_if_fail (g_task_is_valid (result, NULL), TETHER_HOST_KEY_DECISION_REJECT);
  g_return_val_if_fail (g_async_result_is_tagged (result, tether_host_key_dialog_run_async),
                        TETHER_HOST_KEY_DECISION_REJECT);

  decision = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL) {
    g_propagate_error (error, local_error);
    return TETHER_HOST_KEY_DECISION_REJECT;
  }

  return (TetherHostKeyDecision) decision;
}
