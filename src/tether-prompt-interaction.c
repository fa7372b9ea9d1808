/* tether-prompt-interaction.c: the connection service's questions (host keys, passwords,
 * passphrases, keyboard-interactive prompts) as AdwMessageDialogs transient for a window.
 *
 * Only the asynchronous vfuncs are overridden: a dialog is presented and the task completes
 * from its "response" handler, so the main loop keeps running while the user thinks. A
 * cancelled connection closes its dialog. Cancelling a dialog is an answer, not an error:
 * the host key is rejected, or the secret is %NULL. */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-prompt-interaction.h"

/* Response ids; tests answer the dialogs with these. */
#define RESPONSE_CANCEL "cancel"
#define RESPONSE_ACCEPT_ONCE "once"
#define RESPONSE_ACCEPT_AND_SAVE "save"
#define RESPONSE_REPLACE "replace"
#define RESPONSE_LOG_IN "log-in"

typedef enum {
  PROMPT_HOST_KEY,
  PROMPT_SECRET,
  PROMPT_KBD_INTERACTIVE,
} PromptKind;

struct _TetherPromptInteraction
{
  TetherInteraction parent_instance;

  GWeakRef parent;
  TetherHost *host;

  TetherRememberFunc remember_func;
  gpointer remember_data;
  GDestroyNotify remember_destroy;
};

G_DEFINE_FINAL_TYPE (TetherPromptInteraction, tether_prompt_interaction,
                     TETHER_TYPE_INTERACTION)

enum {
  PROP_0,
  PROP_PARENT,
  PROP_HOST,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* One open question: the task data of the GTask that answers it. */
typedef struct {
  PromptKind kind;
  AdwMessageDialog *dialog;
  GPtrArray *entries;           /* GtkEditable, one per answer */
  GtkCheckButton *remember;
  char **answers;               /* the entries' texts, read before the dialog goes */
  gboolean remember_active;
  TetherHost *host;             /* whose keyring items the secret belongs to */
  TetherSecretKind secret_kind;
  char *key_file;
  char *heading;
  char *body;
  TetherHostKeyInfo *info;
  GCancellable *cancellable;
  gulong cancelled_id;
  gboolean done;
} Prompt;

static void
prompt_free (Prompt *prompt)
{
  g_assert (prompt->cancelled_id == 0);
  g_assert (prompt->dialog == NULL);

  g_clear_pointer (&prompt->entries, g_ptr_array_unref);
  g_clear_pointer (&prompt->answers, g_strfreev);
  g_clear_object (&prompt->host);
  g_clear_pointer (&prompt->key_file, g_free);
  g_clear_pointer (&prompt->heading, g_free);
  g_clear_pointer (&prompt->body, g_free);
  g_clear_object (&prompt->info);
  g_clear_object (&prompt->cancellable);
  g_free (prompt);
}

static GtkWindow *
get_parent_window (TetherPromptInteraction *self)
{
  GtkWindow *parent = tether_prompt_interaction_get_parent (self);
  GApplication *app;

  if (parent != NULL)
    return parent;

  /* Without a window of its own, ask in front of whatever the user is looking at. */
  app = g_application_get_default ();
  if (GTK_IS_APPLICATION (app))
    return gtk_application_get_active_window (GTK_APPLICATION (app));

  return NULL;
}

/* Closes the dialog (once) and breaks the dialog -> handler -> task -> dialog cycle. */
static void
prompt_close (Prompt *prompt)
{
  g_autoptr(AdwMessageDialog) dialog = g_steal_pointer (&prompt->dialog);

  prompt->done = TRUE;
  if (prompt->cancelled_id != 0) {
    g_cancellable_disconnect (prompt->cancellable, prompt->cancelled_id);
    prompt->cancelled_id = 0;
  }
  if (dialog != NULL) {
    /* libadwaita 1.2's entry rows react to losing focus while being disposed: let them lose
     * it first. */
    gtk_window_set_focus (GTK_WINDOW (dialog), NULL);
    gtk_window_destroy (GTK_WINDOW (dialog));
  }
}

static gboolean
close_cancelled_dialog (gpointer data)
{
  GTask *task = data;
  Prompt *prompt = g_task_get_task_data (task);

  /* Closing emits "response" with the close response, which completes the task. */
  if (!prompt->done && prompt->dialog != NULL)
    gtk_window_close (GTK_WINDOW (prompt->dialog));

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
  g_source_set_static_name (source, "[tether] close cancelled prompt");
  g_source_attach (source, g_task_get_context (task));
}

static AdwMessageDialog *
new_dialog (TetherPromptInteraction *self,
            const char              *heading,
            const char              *body)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (get_parent_window (self), heading, body));
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  adw_message_dialog_add_response (dialog, RESPONSE_CANCEL, _("_Cancel"));
  adw_message_dialog_set_close_response (dialog, RESPONSE_CANCEL);

  return dialog;
}

static void on_response (AdwMessageDialog *dialog,
                         const char       *response,
                         GTask            *task);

/* Shows @dialog for @task; the task completes when the user answers or @cancellable fires. */
static void
prompt_present (GTask            *task,
                Prompt           *prompt,
                AdwMessageDialog *dialog,
                GtkWidget        *focus)
{
  prompt->dialog = g_object_ref_sink (dialog);
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_response),
                         g_object_ref (task), (GClosureNotify) (void (*) (void)) g_object_unref,
                         G_CONNECT_DEFAULT);
  gtk_window_present (GTK_WINDOW (dialog));
  if (focus != NULL)
    gtk_widget_grab_focus (focus);

  if (prompt->cancellable != NULL)
    prompt->cancelled_id = g_cancellable_connect (prompt->cancellable, G_CALLBACK (on_cancelled),
                                                  g_object_ref (task), g_object_unref);
}

static GTask *
prompt_task_new (TetherPromptInteraction *self,
                 PromptKind               kind,
                 GCancellable            *cancellable,
                 GAsyncReadyCallback      callback,
                 gpointer                 user_data,
                 gpointer                 source_tag,
                 const char              *name)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Prompt *prompt = g_new0 (Prompt, 1);

  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, name);
  prompt->kind = kind;
  prompt->entries = g_ptr_array_new ();
  if (cancellable != NULL)
    prompt->cancellable = g_object_ref (cancellable);
  g_task_set_task_data (task, prompt, (GDestroyNotify) prompt_free);

  return task;
}

/* Host keys */

static void
on_replace_confirmed (AdwMessageDialog *dialog,
                      const char       *response,
                      GTask            *task)
{
  Prompt *prompt = g_task_get_task_data (task);

  if (prompt->done)
    return;

  prompt_close (prompt);
  if (g_str_equal (response, RESPONSE_REPLACE))
    g_task_return_int (task, TETHER_HOST_KEY_DECISION_ACCEPT_AND_SAVE);
  else
    g_task_return_int (task, TETHER_HOST_KEY_DECISION_REJECT);
}

/* Replacing a changed key throws away what protects the user from an impostor: ask again,
 * in a second dialog whose default is still not to. */
static void
confirm_replace (GTask *task)
{
  TetherPromptInteraction *self = g_task_get_source_object (task);
  Prompt *prompt = g_task_get_task_data (task);
  AdwMessageDialog *dialog;
  g_autofree char *body = NULL;

  body = g_strdup_printf (_("Only do this if you know that the server’s key was changed on "
                            "purpose. The old key in %s will be replaced by %s."),
                          tether_host_key_info_get_known_hosts_file (prompt->info),
                          tether_host_key_info_get_fingerprint (prompt->info));
  dialog = new_dialog (self, _("Replace the saved key?"), body);
  adw_message_dialog_add_response (dialog, RESPONSE_REPLACE, _("_Replace Key"));
  adw_message_dialog_set_response_appearance (dialog, RESPONSE_REPLACE,
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, RESPONSE_CANCEL);

  prompt->done = FALSE;
  prompt->dialog = g_object_ref_sink (dialog);
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_replace_confirmed),
                         g_object_ref (task), (GClosureNotify) (void (*) (void)) g_object_unref,
                         G_CONNECT_DEFAULT);
  gtk_window_present (GTK_WINDOW (dialog));
  if (prompt->cancellable != NULL)
    prompt->cancelled_id = g_cancellable_connect (prompt->cancellable, G_CALLBACK (on_cancelled),
                                                  g_object_ref (task), g_object_unref);
}

static void
host_key_response (GTask      *task,
                   Prompt     *prompt,
                   const char *response)
{
  TetherHostKeyStatus status = tether_host_key_info_get_status (prompt->info);

  if (status == TETHER_HOST_KEY_STATUS_CHANGED && g_str_equal (response, RESPONSE_REPLACE)) {
    confirm_replace (task);
    return;
  }

  if (g_str_equal (response, RESPONSE_ACCEPT_AND_SAVE) &&
      status != TETHER_HOST_KEY_STATUS_CHANGED)
    g_task_return_int (task, TETHER_HOST_KEY_DECISION_ACCEPT_AND_SAVE);
  else if (g_str_equal (response, RESPONSE_ACCEPT_ONCE))
    g_task_return_int (task, TETHER_HOST_KEY_DECISION_ACCEPT_ONCE);
  else
    g_task_return_int (task, TETHER_HOST_KEY_DECISION_REJECT);
}

static GtkWidget *
new_randomart_label (TetherHostKeyInfo *info)
{
  const char *randomart = tether_host_key_info_get_randomart (info);
  GtkWidget *label;

  if (randomart == NULL || *randomart == '\0')
    return NULL;

  label = gtk_label_new (randomart);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_halign (label, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (label, "monospace");
  gtk_widget_add_css_class (label, "randomart");
  gtk_accessible_update_property (GTK_ACCESSIBLE (label),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Key fingerprint picture"),
                                  -1);

  return label;
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

static AdwMessageDialog *
new_unknown_key_dialog (TetherPromptInteraction *self,
                        TetherHostKeyInfo       *info)
{
  g_autofree char *where = dup_host_and_port (info);
  g_autofree char *body = NULL;
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;

  if (tether_host_key_info_get_status (info) == TETHER_HOST_KEY_STATUS_OTHER_TYPE)
    /* Translators: the first %s is a key type (ssh-ed25519), then a fingerprint */
    body = g_strdup_printf (_("This host is known by a key of another type, but not by "
                              "this %s key:\n\n%s\n\nCheck the fingerprint with the server’s "
                              "administrator before you trust it."),
                            tether_host_key_info_get_key_type (info),
                            tether_host_key_info_get_fingerprint (info));
  else
    /* Translators: the first %s is a key type (ssh-ed25519), then a fingerprint */
    body = g_strdup_printf (_("Tether has not connected to this host before. Its %s key "
                              "has the fingerprint\n\n%s\n\nCheck it with the server’s "
                              "administrator before you trust it."),
                            tether_host_key_info_get_key_type (info),
                            tether_host_key_info_get_fingerprint (info));

  /* Translators: %s is a host name, maybe with a port */
  heading = g_strdup_printf (_("Trust “%s”?"), where);
  dialog = new_dialog (self, heading, body);
  adw_message_dialog_add_responses (dialog,
                                    RESPONSE_ACCEPT_ONCE, _("Accept _Once"),
                                    RESPONSE_ACCEPT_AND_SAVE, _("Accept and _Save"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, RESPONSE_ACCEPT_AND_SAVE,
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, RESPONSE_CANCEL);
  adw_message_dialog_set_extra_child (dialog, new_randomart_label (info));

  return dialog;
}

static AdwMessageDialog *
new_changed_key_dialog (TetherPromptInteraction *self,
                        TetherHostKeyInfo       *info)
{
  g_autofree char *where = dup_host_and_port (info);
  g_autofree char *body = NULL;
  const char *old_fingerprint = tether_host_key_info_get_old_fingerprint (info);
  AdwMessageDialog *dialog;

  /* Translators: a host name, the old and new fingerprints, then a file and a line number */
  body = g_strdup_printf (_("The key of “%s” is not the one saved before. Someone may be "
                            "intercepting the connection, or the server was reinstalled.\n\n"
                            "Saved key: %s\nNew key: %s\n\nThe saved key is on line %u of %s."),
                          where,
                          old_fingerprint != NULL ? old_fingerprint : _("unknown"),
                          tether_host_key_info_get_fingerprint (info),
                          tether_host_key_info_get_known_hosts_line (info),
                          tether_host_key_info_get_known_hosts_file (info));
  dialog = new_dialog (self, _("Host Key Changed"), body);
  adw_message_dialog_add_response (dialog, RESPONSE_REPLACE, _("_Replace Saved Key…"));
  adw_message_dialog_set_response_appearance (dialog, RESPONSE_REPLACE,
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, RESPONSE_CANCEL);
  adw_message_dialog_set_extra_child (dialog, new_randomart_label (info));

  return dialog;
}

static AdwMessageDialog *
new_revoked_key_dialog (TetherPromptInteraction *self,
                        TetherHostKeyInfo       *info)
{
  g_autofree char *where = dup_host_and_port (info);
  g_autofree char *body = NULL;

  /* Translators: a host name, a fingerprint, then a file */
  body = g_strdup_printf (_("The key of “%s” (%s) is marked as revoked in %s. Tether will "
                            "not connect."),
                          where, tether_host_key_info_get_fingerprint (info),
                          tether_host_key_info_get_known_hosts_file (info));
  return new_dialog (self, _("Host Key Revoked"), body);
}

static void
tether_prompt_interaction_verify_host_key_async (TetherInteraction   *interaction,
                                                 TetherHostKeyInfo   *info,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data)
{
  TetherPromptInteraction *self = TETHER_PROMPT_INTERACTION (interaction);
  g_autoptr(GTask) task = NULL;
  Prompt *prompt;
  AdwMessageDialog *dialog;

  task = prompt_task_new (self, PROMPT_HOST_KEY, cancellable, callback, user_data,
                          tether_prompt_interaction_verify_host_key_async,
                          "[tether] verify host key");
  prompt = g_task_get_task_data (task);
  prompt->info = g_object_ref (info);

  switch (tether_host_key_info_get_status (info)) {
  case TETHER_HOST_KEY_STATUS_KNOWN:
    g_task_return_int (task, TETHER_HOST_KEY_DECISION_ACCEPT_ONCE);
    return;
  case TETHER_HOST_KEY_STATUS_CHANGED:
    dialog = new_changed_key_dialog (self, info);
    break;
  case TETHER_HOST_KEY_STATUS_REVOKED:
    dialog = new_revoked_key_dialog (self, info);
    break;
  case TETHER_HOST_KEY_STATUS_UNKNOWN:
  case TETHER_HOST_KEY_STATUS_OTHER_TYPE:
  default:
    dialog = new_unknown_key_dialog (self, info);
    break;
  }

  prompt_present (task, prompt, dialog, NULL);
}

static TetherHostKeyDecision
tether_prompt_interaction_verify_host_key_finish (TetherInteraction  *interaction,
                                                  GAsyncResult       *result,
                                                  GError            **error)
{
  GError *local_error = NULL;
  gssize decision;

  g_return_val_if_fail (g_task_is_valid (result, interaction), TETHER_HOST_KEY_DECISION_REJECT);

  decision = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL) {
    g_propagate_error (error, local_error);
    return TETHER_HOST_KEY_DECISION_REJECT;
  }

  return (TetherHostKeyDecision) decision;
}

/* Passwords and passphrases */

/* Reads what the user typed: the entries go with the dialog. */
static void
take_answers (Prompt *prompt)
{
  g_clear_pointer (&prompt->answers, g_strfreev);
  prompt->answers = g_new0 (char *, prompt->entries->len + 1);
  for (guint i = 0; i < prompt->entries->len; i++)
    prompt->answers[i] = g_strdup (gtk_editable_get_text (g_ptr_array_index (prompt->entries, i)));
  g_ptr_array_set_size (prompt->entries, 0);

  prompt->remember_active = prompt->remember != NULL &&
                            gtk_check_button_get_active (prompt->remember);
  prompt->remember = NULL;
}

static void
on_secret_stored (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* The login goes on: without a keyring the user is only asked again next time. */
  if (!tether_secrets_store_finish (result, &error))
    g_warning ("Could not keep the secret in the keyring: %s", error->message);
}

/* The keyring item's label, as the user sees it in Passwords and Keys. */
static char *
dup_secret_label (Prompt *prompt)
{
  g_autofree char *destination = tether_host_dup_destination (prompt->host);

  if (prompt->secret_kind == TETHER_SECRET_KIND_PASSPHRASE)
    /* Translators: %s is a private key file */
    return g_strdup_printf (_("SSH key passphrase for %s"), prompt->key_file);

  /* Translators: %s is user@host */
  return g_strdup_printf (_("SSH password for %s"), destination);
}

static void
remember_secret (TetherPromptInteraction *self,
                 Prompt                  *prompt,
                 const char              *secret)
{
  g_autofree char *label = NULL;

  if (!prompt->remember_active)
    return;
  if (prompt->host == NULL || tether_host_get_id (prompt->host) == NULL)
    return;

  if (self->remember_func != NULL) {
    self->remember_func (prompt->host, prompt->secret_kind, prompt->key_file, secret,
                         self->remember_data);
    return;
  }

  label = dup_secret_label (prompt);
  tether_secrets_store_async (tether_host_get_id (prompt->host), prompt->secret_kind,
                              prompt->key_file, secret, label, NULL, on_secret_stored, NULL);
}

static void
secret_response (GTask      *task,
                 Prompt     *prompt,
                 const char *response)
{
  TetherPromptInteraction *self = g_task_get_source_object (task);
  g_autofree char *secret = NULL;

  if (!g_str_equal (response, RESPONSE_LOG_IN)) {
    g_task_return_pointer (task, NULL, NULL);
    return;
  }

  secret = g_strdup (prompt->answers != NULL ? prompt->answers[0] : NULL);
  if (secret == NULL) {
    g_task_return_pointer (task, NULL, NULL);
    return;
  }
  remember_secret (self, prompt, secret);
  g_task_return_pointer (task, g_steal_pointer (&secret), g_free);
}

static void
respond_log_in (GtkWidget *entry,
                GTask     *task)
{
  Prompt *prompt = g_task_get_task_data (task);

  if (!prompt->done && prompt->dialog != NULL)
    adw_message_dialog_response (prompt->dialog, RESPONSE_LOG_IN);
}

/* A boxed list for the dialog's entry rows, so that they look like the rest of the app. */
static GtkListBox *
new_entry_list (void)
{
  GtkListBox *list = GTK_LIST_BOX (gtk_list_box_new ());

  gtk_list_box_set_selection_mode (list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (list), "boxed-list");

  return list;
}

static GtkWidget *
add_entry_row (GTask      *task,
               GtkListBox *list,
               const char *title,
               gboolean    visible)
{
  Prompt *prompt = g_task_get_task_data (task);
  GtkWidget *row = visible ? adw_entry_row_new () : adw_password_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_list_box_append (list, row);
  g_ptr_array_add (prompt->entries, row);
  /* Enter in the last entry answers; before that it moves on, like a login form. */
  g_signal_connect_object (row, "entry-activated", G_CALLBACK (respond_log_in), task,
                           G_CONNECT_DEFAULT);

  return row;
}

static void
present_secret_dialog (GTask *task)
{
  TetherPromptInteraction *self = g_task_get_source_object (task);
  Prompt *prompt = g_task_get_task_data (task);
  AdwMessageDialog *dialog = new_dialog (self, prompt->heading, prompt->body);
  gboolean password = prompt->secret_kind == TETHER_SECRET_KIND_PASSWORD;
  const char *entry_title = password ? _("Password") : _("Passphrase");
  const char *remember_label = password ? _("_Remember password") : _("_Remember passphrase");
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkListBox *list = new_entry_list ();
  GtkWidget *entry;

  adw_message_dialog_add_response (dialog, RESPONSE_LOG_IN, _("_Log In"));
  adw_message_dialog_set_response_appearance (dialog, RESPONSE_LOG_IN, ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, RESPONSE_LOG_IN);

  entry = add_entry_row (task, list, entry_title, FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (list));
  /* Keyring items belong to a saved host: an ad-hoc one has nothing to file them under. */
  if (prompt->host != NULL && tether_host_get_id (prompt->host) != NULL) {
    prompt->remember = GTK_CHECK_BUTTON (gtk_check_button_new_with_mnemonic (remember_label));
    gtk_widget_set_tooltip_text (GTK_WIDGET (prompt->remember),
                                 _("Keep it in the keyring for the next time"));
    gtk_box_append (GTK_BOX (box), GTK_WIDGET (prompt->remember));
  }
  adw_message_dialog_set_extra_child (dialog, box);

  prompt_present (task, prompt, dialog, entry);
}

static void
on_keyring_looked_up (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = tether_secrets_lookup_finish (result, &error);

  if (g_task_return_error_if_cancelled (task))
    return;

  /* No keyring (or a locked one) is no reason not to ask. */
  if (secret != NULL) {
    g_task_return_pointer (task, g_steal_pointer (&secret), g_free);
    return;
  }

  present_secret_dialog (task);
}

/* The first prompt of a saved host first tries the keyring; a retry means the remembered
 * secret was wrong, so it asks. */
static void
ask_secret (GTask *task,
            guint  attempt)
{
  Prompt *prompt = g_task_get_task_data (task);
  const char *id = prompt->host != NULL ? tether_host_get_id (prompt->host) : NULL;

  if (attempt == 0 && id != NULL) {
    tether_secrets_lookup_async (id, prompt->secret_kind, prompt->key_file,
                                 g_task_get_cancellable (task), on_keyring_looked_up,
                                 g_object_ref (task));
    return;
  }

  present_secret_dialog (task);
}

static void
tether_prompt_interaction_ask_password_async (TetherInteraction   *interaction,
                                              TetherHost          *host,
                                              const char          *user,
                                              guint                attempt,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  TetherPromptInteraction *self = TETHER_PROMPT_INTERACTION (interaction);
  g_autoptr(GTask) task = NULL;
  Prompt *prompt;
  const char *hostname = NULL;

  task = prompt_task_new (self, PROMPT_SECRET, cancellable, callback, user_data,
                          tether_prompt_interaction_ask_password_async, "[tether] ask password");
  prompt = g_task_get_task_data (task);
  prompt->secret_kind = TETHER_SECRET_KIND_PASSWORD;
  if (host != NULL) {
    prompt->host = g_object_ref (host);
    hostname = tether_host_get_hostname (host);
    if (hostname == NULL)
      hostname = tether_host_get_alias (host);
  }

  prompt->heading = g_strdup (_("Password Required"));
  if (attempt > 0)
    /* Translators: a user name, then a host name */
    prompt->body = g_strdup_printf (_("The password was not accepted. Try again to log in as "
                                      "%s on %s."), user, hostname);
  else
    /* Translators: a user name, then a host name */
    prompt->body = g_strdup_printf (_("Enter the password to log in as %s on %s."),
                                    user, hostname);

  ask_secret (task, attempt);
}

static char *
tether_prompt_interaction_ask_secret_finish (TetherInteraction  *interaction,
                                             GAsyncResult       *result,
                                             GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, interaction), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
tether_prompt_interaction_ask_passphrase_async (TetherInteraction   *interaction,
                                                const char          *key_file,
                                                guint                attempt,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data)
{
  TetherPromptInteraction *self = TETHER_PROMPT_INTERACTION (interaction);
  g_autoptr(GTask) task = NULL;
  g_autofree char *basename = g_path_get_basename (key_file);
  Prompt *prompt;

  task = prompt_task_new (self, PROMPT_SECRET, cancellable, callback, user_data,
                          tether_prompt_interaction_ask_passphrase_async,
                          "[tether] ask passphrase");
  prompt = g_task_get_task_data (task);
  prompt->secret_kind = TETHER_SECRET_KIND_PASSPHRASE;
  prompt->key_file = g_strdup (key_file);
  if (self->host != NULL)
    prompt->host = g_object_ref (self->host);

  prompt->heading = g_strdup (_("Unlock Private Key"));
  if (attempt > 0)
    /* Translators: %s is a file name such as id_ed25519 */
    prompt->body = g_strdup_printf (_("The passphrase was not accepted. Try again to unlock "
                                      "“%s”."), basename);
  else
    /* Translators: %s is a file name such as id_ed25519 */
    prompt->body = g_strdup_printf (_("Enter the passphrase of the private key “%s”."),
                                    basename);

  ask_secret (task, attempt);
}

/* Keyboard-interactive */

static void
kbd_interactive_response (GTask      *task,
                          Prompt     *prompt,
                          const char *response)
{
  if (!g_str_equal (response, RESPONSE_LOG_IN)) {
    g_task_return_pointer (task, NULL, NULL);
    return;
  }

  g_task_return_pointer (task, g_steal_pointer (&prompt->answers), (GDestroyNotify) g_strfreev);
}

/* Servers end prompts with ": " for a terminal; a row title needs none. */
static char *
dup_prompt_title (const char *prompt)
{
  g_autofree char *title = g_strstrip (g_strdup (prompt));
  gsize length = strlen (title);

  if (length > 1 && title[length - 1] == ':')
    title[length - 1] = '\0';

  return g_steal_pointer (&title);
}

static void
tether_prompt_interaction_ask_kbd_interactive_async (TetherInteraction   *interaction,
                                                     const char          *name,
                                                     const char          *instruction,
                                                     const char * const  *prompts,
                                                     guint                echo_mask,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data)
{
  TetherPromptInteraction *self = TETHER_PROMPT_INTERACTION (interaction);
  g_autoptr(GTask) task = NULL;
  AdwMessageDialog *dialog;
  GtkListBox *list;
  GtkWidget *first = NULL;
  Prompt *prompt;
  const guint mask_bits = sizeof (echo_mask) * 8;

  task = prompt_task_new (self, PROMPT_KBD_INTERACTIVE, cancellable, callback, user_data,
                          tether_prompt_interaction_ask_kbd_interactive_async,
                          "[tether] ask keyboard-interactive");
  prompt = g_task_get_task_data (task);

  dialog = new_dialog (self,
                       name != NULL && *name != '\0' ? name : _("Authentication Required"),
                       instruction != NULL && *instruction != '\0' ?
                         instruction : _("The server asks for more information to log in."));
  adw_message_dialog_add_response (dialog, RESPONSE_LOG_IN, _("_Log In"));
  adw_message_dialog_set_response_appearance (dialog, RESPONSE_LOG_IN, ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, RESPONSE_LOG_IN);

  if (prompts != NULL && prompts[0] != NULL) {
    list = new_entry_list ();
    for (guint i = 0; prompts[i] != NULL; i++) {
      g_autofree char *title = dup_prompt_title (prompts[i]);
      gboolean echo = i < mask_bits && (echo_mask & (1u << i)) != 0;
      GtkWidget *row = add_entry_row (task, list, title, echo);

      if (first == NULL)
        first = row;
    }
    adw_message_dialog_set_extra_child (dialog, GTK_WIDGET (list));
  }

  prompt_present (task, prompt, dialog, first);
}

static char **
tether_prompt_interaction_ask_kbd_interactive_finish (TetherInteraction  *interaction,
                                                      GAsyncResult       *result,
                                                      GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, interaction), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_response (AdwMessageDialog *dialog,
             const char       *response,
             GTask            *task)
{
  g_autoptr(GTask) keep = g_object_ref (task);
  Prompt *prompt = g_task_get_task_data (task);

  if (prompt->done)
    return;

  take_answers (prompt);
  prompt_close (prompt);

  /* The connection gave up (it closed): its answer no longer matters. */
  if (g_task_return_error_if_cancelled (task))
    return;

  switch (prompt->kind) {
  case PROMPT_HOST_KEY:
    host_key_response (task, prompt, response);
    break;
  case PROMPT_SECRET:
    secret_response (task, prompt, response);
    break;
  case PROMPT_KBD_INTERACTIVE:
    kbd_interactive_response (task, prompt, response);
    break;
  default:
    g_assert_not_reached ();
  }
}

static void
tether_prompt_interaction_finalize (GObject *object)
{
  TetherPromptInteraction *self = TETHER_PROMPT_INTERACTION (object);

  g_weak_ref_clear (&self->parent);
  g_clear_object (&self->host);
  if (self->remember_destroy != NULL)
    self->remember_destroy (self->remember_data);

  G_OBJECT_CLASS (tether_prompt_interaction_parent_class)->finalize (object);
}

static void
tether_prompt_interaction_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  TetherPromptInteraction *self = TETHER_PROMPT_INTERACTION (object);

  switch (prop_id) {
  case PROP_PARENT:
    g_value_take_object (value, g_weak_ref_get (&self->parent));
    break;
  case PROP_HOST:
    g_value_set_object (value, self->host);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_prompt_interaction_set_property (GObject      *object,
                                        guint         prop_id,
                                        const GValue *value,
                                        GParamSpec   *pspec)
{
  TetherPromptInteraction *self = TETHER_PROMPT_INTERACTION (object);

  switch (prop_id) {
  case PROP_PARENT:
    tether_prompt_interaction_set_parent (self, g_value_get_object (value));
    break;
  case PROP_HOST:
    tether_prompt_interaction_set_host (self, g_value_get_object (value));
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
}

static void
tether_prompt_interaction_class_init (TetherPromptInteractionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  TetherInteractionClass *interaction_class = TETHER_INTERACTION_CLASS (klass);

  object_class->finalize = tether_prompt_interaction_finalize;
  object_class->get_property = tether_prompt_interaction_get_property;
  object_class->set_property = tether_prompt_interaction_set_property;

  interaction_class->verify_host_key_async = tether_prompt_interaction_verify_host_key_async;
  interaction_class->verify_host_key_finish = tether_prompt_interaction_verify_host_key_finish;
  interaction_class->ask_password_async = tether_prompt_interaction_ask_password_async;
  interaction_class->ask_password_finish = tether_prompt_interaction_ask_secret_finish;
  interaction_class->ask_passphrase_async = tether_prompt_interaction_ask_passphrase_async;
  interaction_class->ask_passphrase_finish = tether_prompt_interaction_ask_secret_finish;
  interaction_class->ask_kbd_interactive_async =
    tether_prompt_interaction_ask_kbd_interactive_async;
  interaction_class->ask_kbd_interactive_finish =
    tether_prompt_interaction_ask_kbd_interactive_finish;

  /**
   * TetherPromptInteraction:parent:
   *
   * The window the dialogs are transient for (weak); without one, the application's
   * active window.
   */
  properties[PROP_PARENT] =
    g_param_spec_object ("parent", NULL, NULL, GTK_TYPE_WINDOW,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  /**
   * TetherPromptInteraction:host:
   *
   * The saved host whose key passphrases are remembered in the keyring (passwords come with
   * their host); %NULL to remember none.
   */
  properties[PROP_HOST] =
    g_param_spec_object ("host", NULL, NULL, TETHER_TYPE_HOST,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
tether_prompt_interaction_init (TetherPromptInteraction *self)
{
  g_weak_ref_init (&self->parent, NULL);
}

/**
 * tether_prompt_interaction_new:
 * @parent: (nullable): the window the dialogs are transient for
 *
 * Returns: (transfer full): a new interaction that asks with dialogs
 */
TetherPromptInteraction *
tether_prompt_interaction_new (GtkWindow *parent)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  return g_object_new (TETHER_TYPE_PROMPT_INTERACTION, "parent", parent, NULL);
}

/**
 * tether_prompt_interaction_get_parent:
 * @self: an interaction
 *
 * Returns: (transfer none) (nullable): the window the dialogs are transient for
 */
GtkWindow *
tether_prompt_interaction_get_parent (TetherPromptInteraction *self)
{
  g_autoptr(GtkWindow) parent = NULL;

  g_return_val_if_fail (TETHER_IS_PROMPT_INTERACTION (self), NULL);

  /* The weak reference keeps no window alive; the caller's window outlives this call. */
  parent = g_weak_ref_get (&self->parent);
  return parent;
}

/**
 * tether_prompt_interaction_set_parent:
 * @self: an interaction
 * @parent: (nullable): the window the dialogs are transient for
 */
void
tether_prompt_interaction_set_parent (TetherPromptInteraction *self,
                                      GtkWindow               *parent)
{
  g_autoptr(GtkWindow) old = NULL;

  g_return_if_fail (TETHER_IS_PROMPT_INTERACTION (self));
  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));

  old = g_weak_ref_get (&self->parent);
  if (old == parent)
    return;

  g_weak_ref_set (&self->parent, parent);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PARENT]);
}

/**
 * tether_prompt_interaction_get_host:
 * @self: an interaction
 *
 * Returns: (transfer none) (nullable): the host whose passphrases are remembered
 */
TetherHost *
tether_prompt_interaction_get_host (TetherPromptInteraction *self)
{
  g_return_val_if_fail (TETHER_IS_PROMPT_INTERACTION (self), NULL);

  return self->host;
}

/**
 * tether_prompt_interaction_set_host:
 * @self: an interaction
 * @host: (nullable): the saved host being connected to
 *
 * Key passphrases are kept in the keyring under a host: this is the one.
 */
void
tether_prompt_interaction_set_host (TetherPromptInteraction *self,
                                    TetherHost              *host)
{
  g_return_if_fail (TETHER_IS_PROMPT_INTERACTION (self));
  g_return_if_fail (host == NULL || TETHER_IS_HOST (host));

  if (g_set_object (&self->host, host))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HOST]);
}

/**
 * tether_prompt_interaction_set_remember_func:
 * @self: an interaction
 * @func: (nullable): called with a secret the user asked to remember
 * @user_data: data for @func
 * @destroy: (nullable): frees @user_data
 *
 * Sets what happens to a password or passphrase when the user ticks "Remember"; without a
 * function it goes to the keyring.
 */
void
tether_prompt_interaction_set_remember_func (TetherPromptInteraction *self,
                                             TetherRememberFunc       func,
                                             gpointer                 user_data,
                                             GDestroyNotify           destroy)
{
  g_return_if_fail (TETHER_IS_PROMPT_INTERACTION (self));

  if (self->remember_destroy != NULL)
    self->remember_destroy (self->remember_data);

  self->remember_func = func;
  self->remember_data = user_data;
  self->remember_destroy = destroy;
}
