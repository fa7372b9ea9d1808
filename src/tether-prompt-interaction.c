/* tether-prompt-interaction.c: the connection service's questions (host keys, passwords,
 * passphrases, keyboard-interactive prompts) asked in dialogs transient for a window:
 * TetherHostKeyDialog and TetherSecretDialog, whose run API completes the interaction's task.
 * What stays here is when to ask: a known key is not asked about, a saved host's secret is
 * first looked up in the keyring and kept there when the user ticks "Remember".
 *
 * Only the asynchronous vfuncs are overridden, so the main loop keeps running while the user
 * thinks. A cancelled connection closes its dialog. Cancelling a dialog is an answer, not an
 * error: the host key is rejected, or the secret is %NULL. */
#include "config.h"

#include <glib/gi18n.h>

#include "tether-host-key-dialog.h"
#include "tether-prompt-interaction.h"
#include "tether-secret-dialog.h"

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

/* A password or passphrase being asked for: the task data of the GTask that answers it. */
typedef struct {
  TetherHost *host;             /* whose keyring items the secret belongs to */
  TetherSecretKind kind;
  char *key_file;
  char *heading;
  char *body;
} SecretPrompt;

static void
secret_prompt_free (SecretPrompt *prompt)
{
  g_clear_object (&prompt->host);
  g_free (prompt->key_file);
  g_free (prompt->heading);
  g_free (prompt->body);
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

static GTask *
prompt_task_new (TetherPromptInteraction *self,
                 GCancellable            *cancellable,
                 GAsyncReadyCallback      callback,
                 gpointer                 user_data,
                 gpointer                 source_tag,
                 const char              *name)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_name (task, name);

  return task;
}

/* Host keys */

static void
on_host_key_decided (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  TetherHostKeyDecision decision;

  decision = tether_host_key_dialog_run_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_int (task, decision);
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

  task = prompt_task_new (self, cancellable, callback, user_data,
                          tether_prompt_interaction_verify_host_key_async,
                          "[tether] verify host key");

  if (tether_host_key_info_get_status (info) == TETHER_HOST_KEY_STATUS_KNOWN) {
    g_task_return_int (task, TETHER_HOST_KEY_DECISION_ACCEPT_ONCE);
    return;
  }

  tether_host_key_dialog_run_async (get_parent_window (self), info, cancellable,
                                    on_host_key_decided, g_steal_pointer (&task));
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
dup_secret_label (SecretPrompt *prompt)
{
  g_autofree char *destination = tether_host_dup_destination (prompt->host);

  if (prompt->kind == TETHER_SECRET_KIND_PASSPHRASE)
    /* Translators: %s is a private key file */
    return g_strdup_printf (_("SSH key passphrase for %s"), prompt->key_file);

  /* Translators: %s is user@host */
  return g_strdup_printf (_("SSH password for %s"), destination);
}

static void
remember_secret (TetherPromptInteraction *self,
                 SecretPrompt            *prompt,
                 const char              *secret)
{
  g_autofree char *label = NULL;

  if (prompt->host == NULL || tether_host_get_id (prompt->host) == NULL)
    return;

  if (self->remember_func != NULL) {
    self->remember_func (prompt->host, prompt->kind, prompt->key_file, secret,
                         self->remember_data);
    return;
  }

  label = dup_secret_label (prompt);
  tether_secrets_store_async (tether_host_get_id (prompt->host), prompt->kind,
                              prompt->key_file, secret, label, NULL, on_secret_stored, NULL);
}

static void
on_secret_answered (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TetherPromptInteraction *self = g_task_get_source_object (task);
  SecretPrompt *prompt = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) answers = NULL;
  g_autofree char *secret = NULL;
  gboolean remember = FALSE;

  answers = tether_secret_dialog_run_finish (TETHER_SECRET_DIALOG (source), result, &remember,
                                             &error);
  if (error != NULL) {
    g_task_return_error (task, g_steal_pointer (&error));
    return;
  }
  /* Cancel is an answer: no secret. */
  if (answers == NULL || answers[0] == NULL) {
    g_task_return_pointer (task, NULL, NULL);
    return;
  }

  secret = g_strdup (answers[0]);
  if (remember)
    remember_secret (self, prompt, secret);
  g_task_return_pointer (task, g_steal_pointer (&secret), g_free);
}

static void
present_secret_dialog (GTask *task)
{
  TetherPromptInteraction *self = g_task_get_source_object (task);
  SecretPrompt *prompt = g_task_get_task_data (task);
  gboolean password = prompt->kind == TETHER_SECRET_KIND_PASSWORD;
  TetherSecretDialog *dialog;

  dialog = tether_secret_dialog_new (get_parent_window (self), prompt->heading, prompt->body);
  tether_secret_dialog_add_entry (dialog, password ? _("Password") : _("Passphrase"), FALSE);
  /* Keyring items belong to a saved host: an ad-hoc one has nothing to file them under. */
  if (prompt->host != NULL && tether_host_get_id (prompt->host) != NULL)
    tether_secret_dialog_set_remember_label (dialog,
                                             password ?
                                               _("_Remember password") :
                                               _("_Remember passphrase"));

  tether_secret_dialog_run_async (dialog, g_task_get_cancellable (task), on_secret_answered,
                                  g_object_ref (task));
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
  SecretPrompt *prompt = g_task_get_task_data (task);
  const char *id = prompt->host != NULL ? tether_host_get_id (prompt->host) : NULL;

  if (attempt == 0 && id != NULL) {
    tether_secrets_lookup_async (id, prompt->kind, prompt->key_file,
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
  SecretPrompt *prompt = g_new0 (SecretPrompt, 1);
  const char *hostname = NULL;

  task = prompt_task_new (self, cancellable, callback, user_data,
                          tether_prompt_interaction_ask_password_async, "[tether] ask password");
  g_task_set_task_data (task, prompt, (GDestroyNotify) secret_prompt_free);
  prompt->kind = TETHER_SECRET_KIND_PASSWORD;
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
  SecretPrompt *prompt = g_new0 (SecretPrompt, 1);

  task = prompt_task_new (self, cancellable, callback, user_data,
                          tether_prompt_interaction_ask_passphrase_async,
                          "[tether] ask passphrase");
  g_task_set_task_data (task, prompt, (GDestroyNotify) secret_prompt_free);
  prompt->kind = TETHER_SECRET_KIND_PASSPHRASE;
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
on_kbd_interactive_answered (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  char **answers;

  answers = tether_secret_dialog_run_finish (TETHER_SECRET_DIALOG (source), result, NULL,
                                             &error);
  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, answers, (GDestroyNotify) g_strfreev);
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
  TetherSecretDialog *dialog;
  const guint mask_bits = sizeof (echo_mask) * 8;

  task = prompt_task_new (self, cancellable, callback, user_data,
                          tether_prompt_interaction_ask_kbd_interactive_async,
                          "[tether] ask keyboard-interactive");

  dialog = tether_secret_dialog_new (get_parent_window (self),
                                     name != NULL && *name != '\0' ?
                                       name : _("Authentication Required"),
                                     instruction != NULL && *instruction != '\0' ?
                                       instruction :
                                       _("The server asks for more information to log in."));
  for (guint i = 0; prompts != NULL && prompts[i] != NULL; i++) {
    g_autofree char *title = dup_prompt_title (prompts[i]);
    gboolean echo = i < mask_bits && (echo_mask & (1u << i)) != 0;

    tether_secret_dialog_add_entry (dialog, title, echo);
  }

  tether_secret_dialog_run_async (dialog, cancellable, on_kbd_interactive_answered,
                                  g_steal_pointer (&task));
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
